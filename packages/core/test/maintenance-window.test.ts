import { describe, expect, it } from "vitest";
import {
  isDue,
  nextWindowStart,
  reschedule,
  RESCHEDULE_DEADLINE_MS,
  scheduleMaintenance,
  WINDOW_MS,
  type MaintenanceSchedule,
  type WeeklyMaintenanceWindow,
} from "../src/maintenance-window.js";

// The week of Monday 2026-11-02 to Sunday 2026-11-08.
const d = (iso: string) => new Date(iso);
const iso = (t: Date | undefined) => t?.toISOString();
const sunday23: WeeklyMaintenanceWindow = { day: "SUNDAY", startTime: { hours: 23 } };
const tuesday0330: WeeklyMaintenanceWindow = { day: "TUESDAY", startTime: { hours: 3, minutes: 30 } };
const friday1: WeeklyMaintenanceWindow = { day: "FRIDAY", startTime: { hours: 1 } };

describe("nextWindowStart", () => {
  it("is later the same day, or the same weekday next week once the window has passed", () => {
    expect(iso(nextWindowStart([tuesday0330], d("2026-11-03T01:00:00Z")))).toBe("2026-11-03T03:30:00.000Z");
    expect(iso(nextWindowStart([tuesday0330], d("2026-11-03T05:00:00Z")))).toBe("2026-11-10T03:30:00.000Z");
    expect(iso(nextWindowStart([tuesday0330], d("2026-11-02T12:00:00Z")))).toBe("2026-11-03T03:30:00.000Z");
  });
  it("wraps the week: from Sunday night to Monday, from Monday back to Sunday", () => {
    const monday2: WeeklyMaintenanceWindow = { day: "MONDAY", startTime: { hours: 2 } };
    expect(iso(nextWindowStart([monday2], d("2026-11-08T23:00:00Z")))).toBe("2026-11-09T02:00:00.000Z");
    expect(iso(nextWindowStart([sunday23], d("2026-11-02T00:00:00Z")))).toBe("2026-11-08T23:00:00.000Z");
    expect(iso(nextWindowStart([sunday23], d("2026-11-09T00:00:01Z")))).toBe("2026-11-15T23:00:00.000Z");
  });
  it("wraps the year", () => {
    expect(iso(nextWindowStart([friday1], d("2026-12-31T12:00:00Z")))).toBe("2027-01-01T01:00:00.000Z");
  });
  it("takes the earliest of several windows in a week", () => {
    const windows = [sunday23, tuesday0330, friday1];
    expect(iso(nextWindowStart(windows, d("2026-11-02T00:00:00Z")))).toBe("2026-11-03T03:30:00.000Z");
    expect(iso(nextWindowStart(windows, d("2026-11-03T04:31:00Z")))).toBe("2026-11-06T01:00:00.000Z");
    expect(iso(nextWindowStart(windows, d("2026-11-06T02:00:00Z")))).toBe("2026-11-08T23:00:00.000Z");
    expect(iso(nextWindowStart(windows, d("2026-11-09T00:00:00Z")))).toBe("2026-11-10T03:30:00.000Z");
  });
  it("is `after` itself inside an open window, up to its last millisecond", () => {
    expect(iso(nextWindowStart([tuesday0330], d("2026-11-03T03:30:00Z")))).toBe("2026-11-03T03:30:00.000Z");
    expect(iso(nextWindowStart([tuesday0330], d("2026-11-03T04:10:00Z")))).toBe("2026-11-03T04:10:00.000Z");
    expect(iso(nextWindowStart([tuesday0330], d("2026-11-03T04:29:59.999Z")))).toBe("2026-11-03T04:29:59.999Z");
    expect(iso(nextWindowStart([tuesday0330], d("2026-11-03T04:30:00Z")))).toBe("2026-11-10T03:30:00.000Z");
  });
  it("counts a Sunday-night window as open past midnight into Monday", () => {
    const sunday2330: WeeklyMaintenanceWindow = { day: "SUNDAY", startTime: { hours: 23, minutes: 30 } };
    expect(iso(nextWindowStart([sunday2330], d("2026-11-09T00:15:00Z")))).toBe("2026-11-09T00:15:00.000Z");
    expect(iso(nextWindowStart([sunday2330], d("2026-11-09T00:30:00Z")))).toBe("2026-11-15T23:30:00.000Z");
  });
  it("honours seconds and nanos in the start time", () => {
    const w: WeeklyMaintenanceWindow = { day: "MONDAY", startTime: { hours: 0, minutes: 0, seconds: 5, nanos: 250_000_000 } };
    expect(iso(nextWindowStart([w], d("2026-11-01T00:00:00Z")))).toBe("2026-11-02T00:00:05.250Z");
  });
  it("is undefined without windows", () => {
    expect(nextWindowStart([], d("2026-11-03T01:00:00Z"))).toBeUndefined();
  });
  it("takes unset time fields as 0, and never opens a DAY_OF_WEEK_UNSPECIFIED window", () => {
    const unspecified: WeeklyMaintenanceWindow = { day: "DAY_OF_WEEK_UNSPECIFIED", startTime: {} };
    expect(iso(nextWindowStart([{ day: "WEDNESDAY", startTime: {} }, unspecified], d("2026-11-02T00:00:00Z")))).toBe("2026-11-04T00:00:00.000Z");
    expect(nextWindowStart([unspecified], d("2026-11-02T00:00:00Z"))).toBeUndefined();
    expect(
      reschedule(
        scheduleMaintenance([unspecified], d("2026-11-02T00:00:00Z")),
        { rescheduleType: "NEXT_AVAILABLE_WINDOW" },
        [unspecified],
        d("2026-11-02T00:00:00Z"),
      ),
    ).toMatchObject({ ok: false, code: "FAILED_PRECONDITION" });
  });
});

describe("scheduleMaintenance", () => {
  const now = d("2026-11-02T10:00:00Z");
  it("starts in the next window for an hour, with the deadline two weeks from now", () => {
    const s = scheduleMaintenance([tuesday0330], now);
    expect(iso(s.startTime)).toBe("2026-11-03T03:30:00.000Z");
    expect(iso(s.endTime)).toBe("2026-11-03T04:30:00.000Z");
    expect(iso(s.scheduleDeadlineTime)).toBe("2026-11-16T10:00:00.000Z");
    expect(RESCHEDULE_DEADLINE_MS).toBe(14 * 24 * WINDOW_MS);
  });
  it("starts now without a policy, or with an empty one", () => {
    for (const windows of [undefined, []]) {
      const s = scheduleMaintenance(windows, now);
      expect(iso(s.startTime)).toBe(iso(now));
      expect(iso(s.endTime)).toBe("2026-11-02T11:00:00.000Z");
    }
  });
  it("starts now when now is inside a window", () => {
    expect(iso(scheduleMaintenance([tuesday0330], d("2026-11-03T03:45:00Z")).startTime)).toBe("2026-11-03T03:45:00.000Z");
  });
});

describe("reschedule", () => {
  const now = d("2026-11-02T10:00:00Z");
  const windows = [tuesday0330];
  const first: MaintenanceSchedule = scheduleMaintenance(windows, now); // Tue 03:30, deadline Mon 16th 10:00
  const ok = (r: ReturnType<typeof reschedule>) => {
    if (!r.ok) throw new Error(r.reason);
    return r.schedule;
  };

  it("IMMEDIATE starts now and keeps the deadline", () => {
    const s = ok(reschedule(first, { rescheduleType: "IMMEDIATE" }, windows, now));
    expect(iso(s.startTime)).toBe(iso(now));
    expect(iso(s.endTime)).toBe("2026-11-02T11:00:00.000Z");
    expect(s.scheduleDeadlineTime).toEqual(first.scheduleDeadlineTime);
  });
  it("IMMEDIATE works without a policy", () => {
    expect(ok(reschedule(first, { rescheduleType: "IMMEDIATE" }, undefined, now)).startTime).toEqual(now);
  });

  it("NEXT_AVAILABLE_WINDOW skips to the window after the scheduled one, until the deadline", () => {
    const second = ok(reschedule(first, { rescheduleType: "NEXT_AVAILABLE_WINDOW" }, windows, now));
    expect(iso(second.startTime)).toBe("2026-11-10T03:30:00.000Z");
    expect(iso(second.endTime)).toBe("2026-11-10T04:30:00.000Z");
    expect(second.scheduleDeadlineTime).toEqual(first.scheduleDeadlineTime);
    const third = reschedule(second, { rescheduleType: "NEXT_AVAILABLE_WINDOW" }, windows, now);
    expect(third).toEqual({
      ok: false,
      code: "FAILED_PRECONDITION",
      reason: "the next window starts at 2026-11-17T03:30:00.000Z, after the schedule deadline 2026-11-16T10:00:00.000Z",
    });
  });
  it("NEXT_AVAILABLE_WINDOW takes the next of several windows, not the next week", () => {
    const s = ok(reschedule(first, { rescheduleType: "NEXT_AVAILABLE_WINDOW" }, [tuesday0330, friday1], now));
    expect(iso(s.startTime)).toBe("2026-11-06T01:00:00.000Z");
  });
  it("NEXT_AVAILABLE_WINDOW never lands in the past, nor in the window now open", () => {
    // The schedule's start has passed and the window it was in is still open.
    const late = d("2026-11-03T03:40:00Z");
    const s = ok(reschedule(first, { rescheduleType: "NEXT_AVAILABLE_WINDOW" }, windows, late));
    expect(iso(s.startTime)).toBe("2026-11-10T03:30:00.000Z");
    const stale: MaintenanceSchedule = { ...first, startTime: d("2026-10-20T03:30:00Z"), scheduleDeadlineTime: d("2026-12-01T00:00:00Z") };
    expect(iso(ok(reschedule(stale, { rescheduleType: "NEXT_AVAILABLE_WINDOW" }, windows, now)).startTime)).toBe("2026-11-03T03:30:00.000Z");
  });
  it("NEXT_AVAILABLE_WINDOW is refused without windows", () => {
    for (const none of [undefined, []]) {
      const r = reschedule(first, { rescheduleType: "NEXT_AVAILABLE_WINDOW" }, none, now);
      expect(r).toMatchObject({ ok: false, code: "FAILED_PRECONDITION" });
      expect(!r.ok && r.reason).toMatch(/no maintenance window/);
      expect(!r.ok && r.field).toBeUndefined();
    }
  });

  it("SPECIFIC_TIME moves to any time from now to the deadline, inclusive", () => {
    const at = d("2026-11-12T17:05:00Z");
    const s = ok(reschedule(first, { rescheduleType: "SPECIFIC_TIME", scheduleTime: at }, windows, now));
    expect(s).toEqual({ startTime: at, endTime: d("2026-11-12T18:05:00Z"), scheduleDeadlineTime: first.scheduleDeadlineTime });
    expect(ok(reschedule(first, { rescheduleType: "SPECIFIC_TIME", scheduleTime: now }, windows, now)).startTime).toEqual(now);
    const atDeadline = first.scheduleDeadlineTime;
    expect(ok(reschedule(first, { rescheduleType: "SPECIFIC_TIME", scheduleTime: atDeadline }, undefined, now)).startTime).toEqual(atDeadline);
  });
  it("SPECIFIC_TIME needs a scheduleTime", () => {
    expect(reschedule(first, { rescheduleType: "SPECIFIC_TIME" }, windows, now)).toEqual({
      ok: false,
      code: "INVALID_ARGUMENT",
      field: "scheduleTime",
      reason: "scheduleTime is required with rescheduleType SPECIFIC_TIME",
    });
  });
  it("SPECIFIC_TIME refuses the past", () => {
    const r = reschedule(first, { rescheduleType: "SPECIFIC_TIME", scheduleTime: d("2026-11-02T09:59:59.999Z") }, windows, now);
    expect(r).toEqual({ ok: false, code: "INVALID_ARGUMENT", field: "scheduleTime", reason: "scheduleTime 2026-11-02T09:59:59.999Z is in the past" });
  });
  it("SPECIFIC_TIME refuses a time after the deadline, and says the deadline", () => {
    const r = reschedule(first, { rescheduleType: "SPECIFIC_TIME", scheduleTime: d("2026-11-16T10:00:00.001Z") }, windows, now);
    expect(r).toEqual({
      ok: false,
      code: "INVALID_ARGUMENT",
      field: "scheduleTime",
      reason: "scheduleTime 2026-11-16T10:00:00.001Z is after the schedule deadline 2026-11-16T10:00:00.000Z",
    });
  });
  it("refuses a scheduleTime with any other type", () => {
    for (const rescheduleType of ["IMMEDIATE", "NEXT_AVAILABLE_WINDOW"] as const) {
      const r = reschedule(first, { rescheduleType, scheduleTime: d("2026-11-05T00:00:00Z") }, windows, now);
      expect(r).toEqual({
        ok: false,
        code: "INVALID_ARGUMENT",
        field: "scheduleTime",
        reason: `scheduleTime is only allowed with rescheduleType SPECIFIC_TIME, not ${rescheduleType}`,
      });
    }
  });
  it("never moves the deadline, however often it is rescheduled", () => {
    let s = first;
    s = ok(reschedule(s, { rescheduleType: "SPECIFIC_TIME", scheduleTime: d("2026-11-15T00:00:00Z") }, windows, now));
    s = ok(reschedule(s, { rescheduleType: "IMMEDIATE" }, windows, d("2026-11-14T00:00:00Z")));
    expect(s.scheduleDeadlineTime).toEqual(first.scheduleDeadlineTime);
  });
  it("refuses RESCHEDULE_TYPE_UNSPECIFIED", () => {
    expect(reschedule(first, { rescheduleType: "RESCHEDULE_TYPE_UNSPECIFIED" }, windows, now)).toEqual({
      ok: false,
      code: "INVALID_ARGUMENT",
      field: "rescheduleType",
      reason: "rescheduleType must be IMMEDIATE, NEXT_AVAILABLE_WINDOW or SPECIFIC_TIME",
    });
  });
  it("refuses an unknown type from an unchecked caller", () => {
    const r = reschedule(first, { rescheduleType: "LATER" as never }, windows, now);
    expect(r).toMatchObject({ ok: false, code: "INVALID_ARGUMENT", field: "rescheduleType" });
  });
});

describe("isDue", () => {
  const s = scheduleMaintenance([tuesday0330], d("2026-11-02T10:00:00Z"));
  it("is due from its start on", () => {
    expect(isDue(s, d("2026-11-03T03:29:59.999Z"))).toBe(false);
    expect(isDue(s, d("2026-11-03T03:30:00Z"))).toBe(true);
    expect(isDue(s, d("2026-11-20T00:00:00Z"))).toBe(true);
  });
});
