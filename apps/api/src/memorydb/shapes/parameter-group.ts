// The MemoryDB ParameterGroup and Parameter shapes. The parameters a group lists are the ones
// cacheplane lets a user set (the native redisConfigs keys), each with the value a node of a
// cluster using the group runs with: the group's, else the engine's default, so DescribeParameters
// says what CONFIG GET will.
import { MAXMEMORY_POLICIES, type RedisVersion } from "@cacheplane/contracts";
import type { z } from "zod";
import { PARAMETER_DEFAULTS, PARAMETER_NAMES, type ParameterGroup } from "../../services/parameter-group-service.js";
import { arn, engineOf, parameterGroupFamilyOf } from "../names.js";
import type { Where } from "./user.js";

interface ParameterInfo {
  description: string;
  dataType: "string" | "integer";
  allowedValues: string;
}

const INT_MAX = "0-2147483647";

/** Redis's own descriptions, shortened, with the values the native check accepts. */
const PARAMETERS: Record<(typeof PARAMETER_NAMES)[number], ParameterInfo> = {
  "maxmemory-policy": { description: "How keys are evicted when maxmemory is reached.", dataType: "string", allowedValues: MAXMEMORY_POLICIES.join(",") },
  "notify-keyspace-events": {
    description: "The keyspace events Redis notifies Pub/Sub clients about (classes such as K, E, g, x, A).",
    dataType: "string",
    allowedValues: "any combination of K E g $ l s h z x e t m n d A",
  },
  activedefrag: { description: "Enables active memory defragmentation.", dataType: "string", allowedValues: "yes,no" },
  "lfu-decay-time": { description: "Minutes after which the LFU counter of a key is halved.", dataType: "integer", allowedValues: INT_MAX },
  "lfu-log-factor": { description: "How many hits it takes to saturate the LFU counter.", dataType: "integer", allowedValues: "0-255" },
  "stream-node-max-bytes": { description: "The most bytes a stream's macro node (radix tree node) holds.", dataType: "integer", allowedValues: INT_MAX },
  "stream-node-max-entries": { description: "The most entries a stream's macro node holds.", dataType: "integer", allowedValues: INT_MAX },
  timeout: { description: "Seconds after which an idle client is disconnected (0: never).", dataType: "integer", allowedValues: INT_MAX },
};

export const parameterGroupShape = (where: Where, group: ParameterGroup) => ({
  Name: group.name,
  Family: group.family,
  Description: group.description,
  ARN: arn(where.region, where.project, "parametergroup", group.name),
});

/** The oldest engine version offered in the family: where its parameters start to apply. */
const minimumEngineVersionOf = (family: string, offered: readonly string[]) => {
  const version = offered.find((v) => parameterGroupFamilyOf(v as z.infer<typeof RedisVersion>) === family);
  return version ? engineOf(version as z.infer<typeof RedisVersion>).version : undefined;
};

/** Every parameter of the group, by name, at the group's value or the engine's default. */
export function parametersOf(group: ParameterGroup, offered: readonly string[]) {
  const minimum = minimumEngineVersionOf(group.family, offered);
  return PARAMETER_NAMES.map((name) => ({
    Name: name,
    Value: group.parameters[name] ?? PARAMETER_DEFAULTS[name],
    Description: PARAMETERS[name].description,
    DataType: PARAMETERS[name].dataType,
    AllowedValues: PARAMETERS[name].allowedValues,
    ...(minimum ? { MinimumEngineVersion: minimum } : {}),
  }));
}
