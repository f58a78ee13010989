// The stored form of automatedBackupConfig (clusters, and instances as our addition): the mode,
// the daily start time (hours and minutes; seconds and nanos must be 0, as Memorystore's), and
// the retention with its default.
import type { AutomatedBackupConfig } from "@cacheplane/contracts";
import { DEFAULT_RETENTION, type StoredAutomatedBackupConfig } from "@cacheplane/core";
import { invalidArgument } from "../errors.js";

export function normalizeAutomatedBackup(input: AutomatedBackupConfig | undefined): StoredAutomatedBackupConfig {
  const enabled = input?.automatedBackupMode === "ENABLED";
  const start = input?.fixedFrequencySchedule?.startTime;
  if (enabled && !start) throw invalidArgument("automatedBackupConfig.fixedFrequencySchedule", "is required when automatedBackupMode is ENABLED");
  if (start && (start.seconds || start.nanos))
    throw invalidArgument("automatedBackupConfig.fixedFrequencySchedule.startTime", "must be a whole minute (seconds and nanos 0)");
  return {
    automatedBackupMode: enabled ? "ENABLED" : "DISABLED",
    ...(start ? { fixedFrequencySchedule: { startTime: { hours: start.hours ?? 0, minutes: start.minutes ?? 0 } } } : {}),
    retention: input?.retention ?? DEFAULT_RETENTION,
  };
}
