// Engine upgrades and maintenance, in the shapes of Memorystore for Redis v1 (MaintenancePolicy,
// MaintenanceSchedule, UpgradeInstanceRequest, RescheduleMaintenanceRequest). Clusters take the
// same fields and methods. The maintenance-version catalogue and its release call are our
// additions: in the cloud, Google releases versions; here the operator does.
import { z } from "zod";

const ro = <T extends z.ZodType>(schema: T, description: string) => schema.optional().meta({ readOnly: true, description });

export const MAINTENANCE_VERSION = /^\d{8}_\d{2}_\d{2}$/;
export const MaintenanceVersionId = z.string().max(32).regex(MAINTENANCE_VERSION, "must be a maintenance version such as 20261115_00_00");

export const DayOfWeek = z.enum(["DAY_OF_WEEK_UNSPECIFIED", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]);

export const TimeOfDay = z
  .strictObject({
    hours: z.number().int().min(0).max(23).optional(),
    minutes: z.number().int().min(0).max(59).optional(),
    seconds: z.number().int().min(0).max(59).optional(),
    nanos: z.number().int().min(0).max(999_999_999).optional(),
  })
  .meta({ id: "TimeOfDay", description: "A UTC time of day (google.type.TimeOfDay)." });

export const WeeklyMaintenanceWindow = z
  .strictObject({
    day: DayOfWeek.refine((d) => d !== "DAY_OF_WEEK_UNSPECIFIED", "must be a day of the week, such as MONDAY"),
    startTime: TimeOfDay,
    duration: ro(z.string(), 'Output only. Fixed at 1 hour ("3600s").'),
  })
  .meta({ id: "WeeklyMaintenanceWindow" });

export const MaintenancePolicy = z
  .strictObject({
    createTime: ro(z.iso.datetime(), "Output only."),
    updateTime: ro(z.iso.datetime(), "Output only."),
    description: z.string().max(512).optional(),
    weeklyMaintenanceWindow: z
      .array(WeeklyMaintenanceWindow)
      .min(1, "at least one window")
      .max(7, "at most 7 windows")
      .optional()
      .meta({ description: "When disruptive maintenance may start, in UTC; each window lasts 1 hour." }),
  })
  .meta({ id: "MaintenancePolicy" });
export type MaintenancePolicy = z.infer<typeof MaintenancePolicy>;

export const MaintenanceSchedule = z
  .object({
    startTime: z.iso.datetime(),
    endTime: z.iso.datetime(),
    scheduleDeadlineTime: z.iso.datetime().meta({ description: "The latest the start can be moved to by rescheduling." }),
    maintenanceVersion: z.string().optional().meta({ description: "cacheplane addition: the version that will be applied." }),
  })
  .meta({ id: "MaintenanceSchedule", description: "Output only. The maintenance scheduled for this resource." });

/** Engine versions, in Memorystore's names (Valkey as MemoryDB offers it). Which of them this
 *  control plane runs is configuration (CACHEPLANE_ENGINES). */
export const RedisVersion = z.enum(["REDIS_6_X", "REDIS_7_0", "REDIS_7_2", "REDIS_7_4", "VALKEY_7_2", "VALKEY_8_0", "VALKEY_8_1"]);

export const UpgradeInstanceRequest = z
  .strictObject({ redisVersion: RedisVersion.meta({ description: "The version to upgrade to; downgrades are refused." }) })
  .meta({ id: "UpgradeInstanceRequest" });

export const RescheduleMaintenanceRequest = z
  .strictObject({
    rescheduleType: z
      .enum(["RESCHEDULE_TYPE_UNSPECIFIED", "IMMEDIATE", "NEXT_AVAILABLE_WINDOW", "SPECIFIC_TIME"])
      .refine((t) => t !== "RESCHEDULE_TYPE_UNSPECIFIED", "must be IMMEDIATE, NEXT_AVAILABLE_WINDOW or SPECIFIC_TIME"),
    scheduleTime: z.iso.datetime().optional().meta({ description: "Required with SPECIFIC_TIME: no later than the schedule's deadline." }),
  })
  .meta({ id: "RescheduleMaintenanceRequest" });

export const MaintenanceVersion = z
  .object({
    name: z.string().meta({ description: "maintenanceVersions/{version}" }),
    maintenanceVersion: z.string(),
    redisVersions: z.array(z.string()).meta({ description: "The engine versions this maintenance version has a build of." }),
    state: z.enum(["AVAILABLE", "RELEASED"]).meta({
      description:
        "RELEASED versions are applied to every resource on an older one, in its maintenance window. The earliest version of each engine is released from the start.",
    }),
    releaseTime: z.iso.datetime().optional(),
  })
  .meta({ id: "MaintenanceVersion", description: "cacheplane addition: a maintenance version from the engine catalogue (CACHEPLANE_ENGINES)." });

export const ListMaintenanceVersionsResponse = z.object({ maintenanceVersions: z.array(MaintenanceVersion) }).meta({ id: "ListMaintenanceVersionsResponse" });

export const MaintenanceVersionParams = z.object({ version: MaintenanceVersionId });

/** The fields instances and clusters both take. */
export const maintenanceFields = {
  maintenancePolicy: MaintenancePolicy.optional().meta({ description: "When maintenance may run. Without a policy, it may run at any time." }),
  maintenanceSchedule: ro(MaintenanceSchedule, "Output only. The next maintenance, once a newer maintenance version is released."),
  maintenanceVersion: MaintenanceVersionId.optional().meta({
    description: "The engine's maintenance version. Set it (to one of availableMaintenanceVersions) to apply that version now (self-service update).",
  }),
  availableMaintenanceVersions: ro(z.array(z.string()), "Output only. Released maintenance versions newer than maintenanceVersion."),
};
