// When a released maintenance version is applied. Memorystore's maintenance policy is a list of
// weekly windows in UTC, each exactly one hour long; without a policy, maintenance may happen at
// any time. A schedule may be pushed later, but never past a deadline fixed when it was first made.

export type DayOfWeek = "MONDAY" | "TUESDAY" | "WEDNESDAY" | "THURSDAY" | "FRIDAY" | "SATURDAY" | "SUNDAY";

export interface WeeklyMaintenanceWindow {
  /** The wire enum's DAY_OF_WEEK_UNSPECIFIED is accepted so parsed requests fit, and never opens. */
  day: DayOfWeek | "DAY_OF_WEEK_UNSPECIFIED";
  /** UTC time of day, google.type.TimeOfDay: unset fields are 0. */
  startTime: { hours?: number | undefined; minutes?: number | undefined; seconds?: number | undefined; nanos?: number | undefined };
}

type DayWindow = WeeklyMaintenanceWindow & { day: DayOfWeek };
const usable = (windows: readonly WeeklyMaintenanceWindow[] | undefined): DayWindow[] =>
  (windows ?? []).filter((w): w is DayWindow => w.day !== "DAY_OF_WEEK_UNSPECIFIED");

export interface MaintenanceSchedule {
  startTime: Date;
  endTime: Date;
  scheduleDeadlineTime: Date;
}

export type RescheduleType = "IMMEDIATE" | "NEXT_AVAILABLE_WINDOW" | "SPECIFIC_TIME";

export interface RescheduleRequest {
  /** The wire enum's RESCHEDULE_TYPE_UNSPECIFIED is accepted so parsed requests fit, and refused. */
  rescheduleType: RescheduleType | "RESCHEDULE_TYPE_UNSPECIFIED";
  scheduleTime?: Date | undefined;
}

export type RescheduleResult =
  | { ok: true; schedule: MaintenanceSchedule }
  | { ok: false; code: "INVALID_ARGUMENT" | "FAILED_PRECONDITION"; field?: string; reason: string };

export const WINDOW_MS = 3_600_000;
/** The window's output-only `duration`: Memorystore fixes it at one hour. */
export const WINDOW_DURATION = "3600s";
/**
 * The latest a maintenance can be pushed to, counted from when it was first scheduled. Our choice
 * (Memorystore does not publish one): two weeks lets a weekly window always be skipped once.
 */
export const RESCHEDULE_DEADLINE_MS = 14 * 86_400_000;

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
// Date.getUTCDay() numbering: Sunday is 0.
const DAY_NUMBER: Record<DayOfWeek, number> = {
  SUNDAY: 0,
  MONDAY: 1,
  TUESDAY: 2,
  WEDNESDAY: 3,
  THURSDAY: 4,
  FRIDAY: 5,
  SATURDAY: 6,
};

/** The latest start of this window at or before t (ms). */
function lastStartAtOrBefore(w: DayWindow, t: number): number {
  const at = new Date(t);
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const daysBack = (at.getUTCDay() - DAY_NUMBER[w.day] + 7) % 7;
  const { hours = 0, minutes = 0, seconds = 0, nanos = 0 } = w.startTime;
  const start = midnight - daysBack * DAY_MS + ((hours * 60 + minutes) * 60 + seconds) * 1000 + Math.floor(nanos / 1e6);
  return start > t ? start - WEEK_MS : start;
}

/** The earliest window start at or after t, ignoring windows already open. */
function firstStartAtOrAfter(windows: readonly DayWindow[], t: number): number | undefined {
  let best: number | undefined;
  for (const w of windows) {
    const last = lastStartAtOrBefore(w, t);
    const next = last === t ? t : last + WEEK_MS;
    if (best === undefined || next < best) best = next;
  }
  return best;
}

const isOpenAt = (windows: readonly DayWindow[], t: number) => windows.some((w) => t - lastStartAtOrBefore(w, t) < WINDOW_MS);

/**
 * When maintenance could next start: `after` itself when it falls inside an open window (however
 * little of the window is left: the work starts in the window, which is what the policy promises),
 * else the earliest window start after it. Undefined when there are no windows.
 */
export function nextWindowStart(policy: readonly WeeklyMaintenanceWindow[], after: Date): Date | undefined {
  const windows = usable(policy);
  const t = after.getTime();
  if (isOpenAt(windows, t)) return new Date(t);
  const next = firstStartAtOrAfter(windows, t);
  return next === undefined ? undefined : new Date(next);
}

const scheduleAt = (start: number, deadline: Date): MaintenanceSchedule => ({
  startTime: new Date(start),
  endTime: new Date(start + WINDOW_MS),
  scheduleDeadlineTime: deadline,
});

/**
 * The schedule for a newly released maintenance version: the next window, or now when there is no
 * policy (Memorystore: without one, maintenance may happen at any time). The deadline is fixed here.
 */
export function scheduleMaintenance(windows: readonly WeeklyMaintenanceWindow[] | undefined, now: Date): MaintenanceSchedule {
  const start = nextWindowStart(windows ?? [], now) ?? now;
  return scheduleAt(start.getTime(), new Date(now.getTime() + RESCHEDULE_DEADLINE_MS));
}

const invalid = (field: string, reason: string): RescheduleResult => ({ ok: false, code: "INVALID_ARGUMENT", field, reason });
const refused = (reason: string): RescheduleResult => ({ ok: false, code: "FAILED_PRECONDITION", reason });

/**
 * Memorystore's RescheduleMaintenance. The deadline never moves: a schedule can be pushed up to it
 * and no further, so maintenance cannot be put off forever.
 */
export function reschedule(
  schedule: MaintenanceSchedule,
  request: RescheduleRequest,
  windows: readonly WeeklyMaintenanceWindow[] | undefined,
  now: Date,
): RescheduleResult {
  const deadline = schedule.scheduleDeadlineTime;
  const type = request.rescheduleType;
  if (request.scheduleTime && type !== "SPECIFIC_TIME") {
    return invalid("scheduleTime", `scheduleTime is only allowed with rescheduleType SPECIFIC_TIME, not ${type}`);
  }
  switch (type) {
    case "IMMEDIATE":
      return { ok: true, schedule: scheduleAt(now.getTime(), deadline) };
    case "NEXT_AVAILABLE_WINDOW": {
      const days = usable(windows);
      if (!days.length) return refused("the instance has no maintenance window: set a maintenance policy, or use IMMEDIATE or SPECIFIC_TIME");
      // Strictly after the current start, and never in the past: a passed start would be due at once.
      const from = Math.max(schedule.startTime.getTime() + 1, now.getTime());
      const next = firstStartAtOrAfter(days, from)!;
      if (next > deadline.getTime()) {
        return refused(`the next window starts at ${new Date(next).toISOString()}, after the schedule deadline ${deadline.toISOString()}`);
      }
      return { ok: true, schedule: scheduleAt(next, deadline) };
    }
    case "SPECIFIC_TIME": {
      const at = request.scheduleTime;
      if (!at) return invalid("scheduleTime", "scheduleTime is required with rescheduleType SPECIFIC_TIME");
      if (at.getTime() < now.getTime()) return invalid("scheduleTime", `scheduleTime ${at.toISOString()} is in the past`);
      if (at.getTime() > deadline.getTime()) {
        return invalid("scheduleTime", `scheduleTime ${at.toISOString()} is after the schedule deadline ${deadline.toISOString()}`);
      }
      return { ok: true, schedule: scheduleAt(at.getTime(), deadline) };
    }
    case "RESCHEDULE_TYPE_UNSPECIFIED":
      return invalid("rescheduleType", "rescheduleType must be IMMEDIATE, NEXT_AVAILABLE_WINDOW or SPECIFIC_TIME");
    default: {
      const unknown: never = type;
      return invalid("rescheduleType", `unknown rescheduleType ${String(unknown)}`);
    }
  }
}

/** The maintenance should start now: its start has come. */
export const isDue = (schedule: MaintenanceSchedule, now: Date) => schedule.startTime.getTime() <= now.getTime();
