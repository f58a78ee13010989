import { describe, expect, it } from "vitest";
import { normalizePolicy } from "../src/services/maintenance-spec.js";
import { maintenancePolicyOf, maintenanceWindowOf, parseMaintenanceWindow, snapshotStartOf, snapshotWindowOf } from "../src/memorydb/windows.js";

/** As the native service stores a policy the facade hands it. */
const stored = (text: string) => normalizePolicy(maintenancePolicyOf(text), undefined, new Date("2026-01-01T00:00:00Z"));

describe("MemoryDB maintenance windows", () => {
  it("becomes the whole native hours inside the range, from its start", () => {
    expect(maintenancePolicyOf("sun:23:00-mon:01:30").weeklyMaintenanceWindow).toEqual([
      { day: "SUNDAY", startTime: { hours: 23, minutes: 0 } },
      { day: "MONDAY", startTime: { hours: 0, minutes: 0 } },
    ]);
    // Across the end of the week, and minutes kept.
    expect(maintenancePolicyOf("sat:23:30-sun:00:30").weeklyMaintenanceWindow).toEqual([{ day: "SATURDAY", startTime: { hours: 23, minutes: 30 } }]);
    // The native policy holds at most 7 windows: a longer range starts maintenance in its first 7 hours.
    expect(maintenancePolicyOf("tue:00:00-wed:00:00").weeklyMaintenanceWindow).toHaveLength(7);
  });

  it("reads back exactly what was set, in MemoryDB's lower case", () => {
    for (const text of ["sun:23:00-mon:01:30", "sat:23:30-sun:00:30", "tue:00:00-wed:00:00", "wed:04:15-wed:05:15"]) {
      expect(maintenanceWindowOf(stored(text))).toBe(text);
    }
    expect(maintenanceWindowOf(stored("SUN:23:00-MON:01:30"))).toBe("sun:23:00-mon:01:30");
  });

  it("describes a policy set natively from its windows", () => {
    const now = new Date();
    const native = normalizePolicy(
      {
        weeklyMaintenanceWindow: [
          { day: "FRIDAY", startTime: { hours: 3 } },
          { day: "FRIDAY", startTime: { hours: 4 } },
        ],
      },
      undefined,
      now,
    );
    expect(maintenanceWindowOf(native)).toBe("fri:03:00-fri:05:00");
    // A MemoryDB description no longer matching the windows (changed natively since) is not trusted.
    const changed = { ...stored("sun:23:00-mon:01:30")!, weeklyMaintenanceWindow: [{ day: "MONDAY" as const, startTime: { hours: 9 } }] };
    expect(maintenanceWindowOf(changed)).toBe("mon:09:00-mon:10:00");
    expect(maintenanceWindowOf(undefined)).toBeUndefined();
    expect(maintenanceWindowOf(normalizePolicy({ description: "no windows" }, undefined, now))).toBeUndefined();
  });

  it("refuses what MemoryDB refuses, saying why", () => {
    expect(() => parseMaintenanceWindow("sun:23:00-sun:23:30")).toThrow(/minimum maintenance window is a 60 minute period/);
    expect(() => parseMaintenanceWindow("sun:23:00")).toThrow(/ddd:hh24:mi-ddd:hh24:mi/);
    expect(() => parseMaintenanceWindow("sunday:23:00-mon:01:00")).toThrow(/ddd:hh24:mi-ddd:hh24:mi/);
    expect(() => parseMaintenanceWindow("sun:24:00-mon:01:00")).toThrow(/ddd:hh24:mi-ddd:hh24:mi/);
    expect(() => parseMaintenanceWindow("sun:00:00-tue:00:00")).toThrow(/maximum maintenance window is 24 hours/);
  });
});

describe("MemoryDB snapshot windows", () => {
  it("begins the daily backup at the window's start and shows the hour from then", () => {
    expect(snapshotStartOf("05:00-09:00")).toEqual({ hours: 5, minutes: 0 });
    expect(snapshotStartOf("23:30-00:30")).toEqual({ hours: 23, minutes: 30 });
    expect(snapshotWindowOf({ hours: 23, minutes: 30 })).toBe("23:30-00:30");
    expect(snapshotWindowOf({ hours: 5 })).toBe("05:00-06:00");
    expect(snapshotWindowOf(undefined)).toBeUndefined();
  });

  it("refuses a malformed or too short window", () => {
    expect(() => snapshotStartOf("05:00-05:30")).toThrow(/minimum snapshot window is a 60 minute period/);
    expect(() => snapshotStartOf("5:00-9:00")).toThrow(/hh24:mi-hh24:mi/);
    expect(() => snapshotStartOf("05:00")).toThrow(/hh24:mi-hh24:mi/);
  });
});
