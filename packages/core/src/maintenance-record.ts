// Instance.maintenanceSchedule as stored: the scheduled maintenance (ISO times and the version it
// applies), or only the version whose rollout failed, so it is not offered again on its own.
import type { MaintenanceSchedule } from "./maintenance-window.js";

export interface StoredMaintenance {
  startTime?: string;
  endTime?: string;
  scheduleDeadlineTime?: string;
  maintenanceVersion?: string;
  failedVersion?: string;
}

export interface ScheduledMaintenance extends MaintenanceSchedule {
  maintenanceVersion: string;
}

/** The scheduled maintenance in a stored value, if there is one. */
export function scheduledMaintenance(value: unknown): ScheduledMaintenance | undefined {
  const stored = value as StoredMaintenance | null | undefined;
  if (!stored?.startTime || !stored.endTime || !stored.scheduleDeadlineTime || !stored.maintenanceVersion) return undefined;
  return {
    startTime: new Date(stored.startTime),
    endTime: new Date(stored.endTime),
    scheduleDeadlineTime: new Date(stored.scheduleDeadlineTime),
    maintenanceVersion: stored.maintenanceVersion,
  };
}

export const storedMaintenance = (schedule: MaintenanceSchedule, maintenanceVersion: string): StoredMaintenance => ({
  startTime: schedule.startTime.toISOString(),
  endTime: schedule.endTime.toISOString(),
  scheduleDeadlineTime: schedule.scheduleDeadlineTime.toISOString(),
  maintenanceVersion,
});

/** The maintenance version whose rollout failed here, if the stored value says so. */
export const failedMaintenanceVersion = (value: unknown) => (value as StoredMaintenance | null | undefined)?.failedVersion;
