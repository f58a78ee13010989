// MemoryDB's time windows in the native model's terms, both ways.
//
// MaintenanceWindow `sun:23:00-mon:01:30` is a weekly range (60 minutes to 24 hours) in which
// maintenance is performed. The native maintenancePolicy is a list of one-hour windows in which
// maintenance may start (at most 7). The range becomes the whole hours that fit in it from its
// start (sun 23:00 and mon 00:00 here, up to 7 of them), so maintenance only ever starts inside
// the range asked for. The range itself is kept as the policy's description, which the native
// API shows too, so DescribeClusters answers with exactly what was set (Terraform compares it);
// a policy changed through the native API since is described from its windows instead.
//
// SnapshotWindow `05:00-09:00` is a daily range in which the snapshot begins. The native automated
// backup begins at one time of day: the range's start. It is shown back as the hour from that start,
// when the backup really begins, since no end is stored.
import type { MaintenancePolicy } from "@cacheplane/contracts";
import type { StoredMaintenancePolicy } from "@cacheplane/core";
import { invalidParameterValue } from "./faults.js";

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const NATIVE_DAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"] as const;
type NativeDay = (typeof NATIVE_DAYS)[number];
const DAY_MIN = 24 * 60;
const WEEK_MIN = 7 * DAY_MIN;
/** The native policy's limit of windows. */
const MAX_NATIVE_WINDOWS = 7;
const DESCRIPTION_PREFIX = "MemoryDB maintenance window ";

const pad = (n: number) => String(n).padStart(2, "0");
const clock = (minuteOfDay: number) => `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;
const weekTime = (minute: number) => `${DAYS[Math.floor(minute / DAY_MIN)]}:${clock(minute % DAY_MIN)}`;

function timeOfDay(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** Minutes since Sunday 00:00 UTC of `sun:23:00`. */
function minuteOfWeek(text: string): number | undefined {
  const match = /^([a-z]{3}):(\d{2}:\d{2})$/.exec(text.toLowerCase());
  const day = match ? DAYS.indexOf(match[1] as (typeof DAYS)[number]) : -1;
  const time = match ? timeOfDay(match[2]!) : undefined;
  return day < 0 || time === undefined ? undefined : day * DAY_MIN + time;
}

export interface WeeklyRange {
  /** Minutes since Sunday 00:00 UTC. */
  start: number;
  /** Length in minutes. */
  minutes: number;
}

/** `sun:23:00-mon:01:30`, checked as MemoryDB checks it. */
export function parseMaintenanceWindow(text: string): WeeklyRange {
  const [from, to, extra] = text.split("-");
  const start = from === undefined ? undefined : minuteOfWeek(from);
  const end = to === undefined ? undefined : minuteOfWeek(to);
  if (start === undefined || end === undefined || extra !== undefined) {
    throw invalidParameterValue(
      `Invalid maintenance window ${text}: use ddd:hh24:mi-ddd:hh24:mi (UTC, ddd one of ${DAYS.join(", ")}), such as sun:23:00-mon:01:30`,
    );
  }
  const minutes = (end - start + WEEK_MIN) % WEEK_MIN;
  if (minutes < 60) throw invalidParameterValue(`Invalid maintenance window ${text}: the minimum maintenance window is a 60 minute period`);
  if (minutes > DAY_MIN) throw invalidParameterValue(`Invalid maintenance window ${text}: the maximum maintenance window is 24 hours`);
  return { start, minutes };
}

export const formatMaintenanceWindow = (range: WeeklyRange) => `${weekTime(range.start)}-${weekTime((range.start + range.minutes) % WEEK_MIN)}`;

/** The native one-hour windows of a MemoryDB range: each whole hour inside it, from its start. */
function nativeWindowsOf(range: WeeklyRange) {
  const count = Math.min(MAX_NATIVE_WINDOWS, Math.floor(range.minutes / 60));
  return Array.from({ length: count }, (_, i) => {
    const at = (range.start + i * 60) % WEEK_MIN;
    const ofDay = at % DAY_MIN;
    return { day: NATIVE_DAYS[Math.floor(at / DAY_MIN)]!, startTime: { hours: Math.floor(ofDay / 60), minutes: ofDay % 60 } };
  });
}

/** The native maintenancePolicy for a MemoryDB MaintenanceWindow. */
export function maintenancePolicyOf(text: string): MaintenancePolicy {
  const range = parseMaintenanceWindow(text);
  const canonical = formatMaintenanceWindow(range);
  return { description: `${DESCRIPTION_PREFIX}${canonical}`, weeklyMaintenanceWindow: nativeWindowsOf(range) };
}

type StoredWindow = NonNullable<StoredMaintenancePolicy["weeklyMaintenanceWindow"]>[number];
const startOf = (w: StoredWindow) => NATIVE_DAYS.indexOf(w.day as NativeDay) * DAY_MIN + (w.startTime.hours ?? 0) * 60 + (w.startTime.minutes ?? 0);
const sameWindows = (a: readonly StoredWindow[], b: readonly StoredWindow[]) => a.length === b.length && a.every((w, i) => startOf(w) === startOf(b[i]!));

/** The MemoryDB MaintenanceWindow of a stored policy; undefined without one (maintenance may then
 *  start at any time, which no MemoryDB window says). */
export function maintenanceWindowOf(policy: StoredMaintenancePolicy | undefined): string | undefined {
  const windows = policy?.weeklyMaintenanceWindow;
  if (!windows || windows.length === 0) return undefined;
  const described = policy.description?.startsWith(DESCRIPTION_PREFIX) ? policy.description.slice(DESCRIPTION_PREFIX.length) : undefined;
  if (described) {
    try {
      if (sameWindows(nativeWindowsOf(parseMaintenanceWindow(described)), windows)) return described;
    } catch {
      // A description written by hand: described from the windows below.
    }
  }
  // The longest run of back-to-back hours from the first window, as one range.
  const starts = windows.map(startOf).sort((a, b) => a - b);
  let minutes = 60;
  while (starts.includes((starts[0]! + minutes) % WEEK_MIN) && minutes < DAY_MIN) minutes += 60;
  return formatMaintenanceWindow({ start: starts[0]!, minutes });
}

/** `05:00-09:00` → the time of day the automated backup begins (its start). */
export function snapshotStartOf(text: string): { hours: number; minutes: number } {
  const [from, to, extra] = text.split("-");
  const start = from === undefined ? undefined : timeOfDay(from);
  const end = to === undefined ? undefined : timeOfDay(to);
  if (start === undefined || end === undefined || extra !== undefined) {
    throw invalidParameterValue(`Invalid snapshot window ${text}: use hh24:mi-hh24:mi (UTC), such as 05:00-09:00`);
  }
  if ((end - start + DAY_MIN) % DAY_MIN < 60) throw invalidParameterValue(`Invalid snapshot window ${text}: the minimum snapshot window is a 60 minute period`);
  return { hours: Math.floor(start / 60), minutes: start % 60 };
}

/** The SnapshotWindow shown for a backup that begins at `start`: the hour from then. */
export function snapshotWindowOf(start: { hours?: number | undefined; minutes?: number | undefined } | undefined): string | undefined {
  if (!start) return undefined;
  const from = (start.hours ?? 0) * 60 + (start.minutes ?? 0);
  return `${clock(from)}-${clock((from + 60) % DAY_MIN)}`;
}
