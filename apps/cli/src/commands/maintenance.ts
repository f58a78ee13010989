// What instances and clusters share about their engine: the --redis-version values, the
// --maintenance-window and --maintenance-version flags of create/update, and the flags of
// `upgrade` and `reschedule-maintenance`. Every value is checked here, before any call.
import type { InstanceInput, MaintenanceSchedule, Operation, RedisVersion, RescheduleRequest, RescheduleType } from "@cacheplane/sdk";
import { oneOf, type Flags, type OutputFormat } from "../args.js";
import type { Io } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { json } from "../output.js";

/** Memorystore's names; which of them a control plane runs is its catalogue (`locations list` shows them). */
export const VERSIONS = [
  "REDIS_6_X",
  "REDIS_7_0",
  "REDIS_7_2",
  "REDIS_7_4",
  "VALKEY_7_2",
  "VALKEY_8_0",
  "VALKEY_8_1",
] as const satisfies readonly RedisVersion[];
/** As the API spells a maintenance version, e.g. 20261115_00_00. */
export const MAINTENANCE_VERSION = /^\d{8}_\d{2}_\d{2}$/;
const DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"] as const;
const RESCHEDULE_TYPES = ["IMMEDIATE", "NEXT_AVAILABLE_WINDOW", "SPECIFIC_TIME"] as const satisfies readonly RescheduleType[];

export const REDIS_VERSION_FLAG = { "redis-version": { type: "string", arg: "VERSION", help: VERSIONS.join(", ") } } as const satisfies Flags;

export const MAINTENANCE_WINDOW_FLAG = {
  "maintenance-window": {
    type: "string",
    multiple: true,
    arg: "DAY@HH:MM",
    help: "a weekly 1-hour maintenance window starting then, in UTC, e.g. SUNDAY@03:00 (repeatable; on update, replaces the policy)",
  },
} as const satisfies Flags;

export const MAINTENANCE_VERSION_FLAG = {
  "maintenance-version": { type: "string", arg: "V", help: "apply this maintenance version now, one of availableMaintenanceVersions (see get)" },
} as const satisfies Flags;

export const RESCHEDULE_FLAGS = {
  type: { type: "string", arg: "TYPE", help: `${RESCHEDULE_TYPES.join(", ")} (required)` },
  time: { type: "string", arg: "ISO", help: "with SPECIFIC_TIME: when, e.g. 2026-11-20T03:00:00Z (no later than the schedule's deadline)" },
} as const satisfies Flags;

export const redisVersion = (value: string | undefined) => oneOf(value, VERSIONS, "--redis-version");

/** `SUNDAY@03:00` (any case) as one weekly window. */
function weeklyWindow(value: string) {
  const m = /^([A-Za-z]+)@([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  const day = m?.[1]?.toUpperCase() as (typeof DAYS)[number] | undefined;
  if (!m || !DAYS.includes(day!)) {
    throw new UsageError(`--maintenance-window must be DAY@HH:MM in UTC, DAY from MONDAY to SUNDAY, e.g. SUNDAY@03:00 (got '${value}')`);
  }
  return { day: day!, startTime: { hours: Number(m[2]), minutes: Number(m[3]) } };
}

/** The maintenancePolicy the flags give, if any (a whole policy: on update it replaces the old one). */
export function maintenancePolicy(values: string[] | undefined): InstanceInput["maintenancePolicy"] {
  return values?.length ? { weeklyMaintenanceWindow: values.map(weeklyWindow) } : undefined;
}

export function maintenanceVersion(value: string | undefined): string | undefined {
  if (value !== undefined && !MAINTENANCE_VERSION.test(value)) {
    throw new UsageError(`--maintenance-version must be a maintenance version such as 20261115_00_00 (got '${value}')`);
  }
  return value;
}

/** The `rescheduleMaintenance` body from --type and --time; --time only, and always, with SPECIFIC_TIME. */
export function rescheduleRequest(v: { type?: string | undefined; time?: string | undefined }, command: string): RescheduleRequest {
  const rescheduleType = oneOf(v.type, RESCHEDULE_TYPES, "--type");
  if (!rescheduleType) throw new UsageError(`--type is required: ${RESCHEDULE_TYPES.join(", ")}. Run 'cacheplane ${command} --help'.`);
  if (rescheduleType !== "SPECIFIC_TIME") {
    if (v.time !== undefined) throw new UsageError(`--time goes with --type SPECIFIC_TIME only`);
    return { rescheduleType };
  }
  if (v.time === undefined) throw new UsageError(`--type SPECIFIC_TIME needs --time, e.g. --time 2026-11-20T03:00:00Z`);
  // An explicit zone: a bare local time would mean different instants on different machines.
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(v.time) && !Number.isNaN(Date.parse(v.time));
  if (!ok) throw new UsageError(`--time must be a date and time with its zone, e.g. 2026-11-20T03:00:00Z (got '${v.time}')`);
  return { rescheduleType, scheduleTime: new Date(v.time).toISOString() };
}

/** After a reschedule (its Operation is done at once, the resource its response): when it now starts. */
export function printRescheduled(io: Io, op: Operation, format: OutputFormat, what: string) {
  const resource = op.response as { maintenanceSchedule?: MaintenanceSchedule } | undefined;
  if (format === "json") return io.out(json(resource ?? op));
  const s = resource?.maintenanceSchedule;
  io.out(
    s
      ? `Maintenance of ${what}${s.maintenanceVersion ? ` (${s.maintenanceVersion})` : ""} now starts ${s.startTime}; it can be moved until ${s.scheduleDeadlineTime}.\n`
      : `Maintenance of ${what} rescheduled.\n`,
  );
}
