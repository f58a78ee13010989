// When an automated backup is due: once a day at a UTC time of day, from the deployment's
// creation on. The slot names the backup, so a slot is backed up once however many workers or
// passes see it due (the backup id is unique in its collection).

export interface StoredAutomatedBackupConfig {
  automatedBackupMode: "ENABLED" | "DISABLED";
  fixedFrequencySchedule?: { startTime: { hours: number; minutes: number } } | undefined;
  /** Seconds, as "3024000s". */
  retention: string;
}

export const DEFAULT_RETENTION = "3024000s"; // 35 days, Memorystore's default
const DAY_MS = 86_400_000;

/** The latest scheduled time at or before `now` that is not before `since`; none when disabled. */
export function dueBackupSlot(config: StoredAutomatedBackupConfig | undefined, since: Date, now: Date): Date | undefined {
  if (config?.automatedBackupMode !== "ENABLED" || !config.fixedFrequencySchedule) return undefined;
  const { hours, minutes } = config.fixedFrequencySchedule.startTime;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hours, minutes);
  const slot = today <= now.getTime() ? today : today - DAY_MS;
  return slot >= since.getTime() ? new Date(slot) : undefined;
}

/** "auto-202612010300": the slot it was taken for, in UTC. */
export const automatedBackupId = (slot: Date) => `auto-${slot.toISOString().replace(/[-:T]/g, "").slice(0, 12)}`;

export const retentionMs = (config: StoredAutomatedBackupConfig) => Number(config.retention.slice(0, -1)) * 1000;
