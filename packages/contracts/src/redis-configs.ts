// The Redis settings a user may change through `redisConfigs`, as Memorystore allows, with
// their values checked here so a bad value is a 400 at the API, never a failed node later.
import { z } from "zod";

const intString = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/, "must be a whole number")
    .refine((v) => Number(v) >= min && Number(v) <= max, `must be between ${min} and ${max}`);

export const MAXMEMORY_POLICIES = [
  "volatile-lru",
  "allkeys-lru",
  "volatile-lfu",
  "allkeys-lfu",
  "volatile-random",
  "allkeys-random",
  "volatile-ttl",
  "noeviction",
] as const;

export const RedisConfigs = z
  .strictObject({
    "maxmemory-policy": z.enum(MAXMEMORY_POLICIES).optional(),
    "notify-keyspace-events": z
      .string()
      .max(20)
      .regex(/^[KEg$lshzxetmndA]*$/, "must be a set of keyspace event classes such as 'Ex'")
      .optional(),
    activedefrag: z.enum(["yes", "no"]).optional(),
    "lfu-decay-time": intString(0, 2_147_483_647).optional(),
    "lfu-log-factor": intString(0, 255).optional(),
    "stream-node-max-bytes": intString(0, 2_147_483_647).optional(),
    "stream-node-max-entries": intString(0, 2_147_483_647).optional(),
    timeout: intString(0, 2_147_483_647).optional(),
  })
  .meta({
    description: "Redis configuration parameters (Memorystore's supported subset). Unknown parameters are rejected.",
  });
export type RedisConfigs = z.infer<typeof RedisConfigs>;
