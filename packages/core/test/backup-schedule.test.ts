import { describe, expect, it } from "vitest";
import { automatedBackupId, dueBackupSlot, type StoredAutomatedBackupConfig } from "../src/backup-schedule.js";

const at3 = (mode: "ENABLED" | "DISABLED" = "ENABLED"): StoredAutomatedBackupConfig => ({
  automatedBackupMode: mode,
  fixedFrequencySchedule: { startTime: { hours: 3, minutes: 30 } },
  retention: "86400s",
});
const since = new Date("2026-11-01T00:00:00Z");

describe("dueBackupSlot", () => {
  it("is today's start time once it has passed, else yesterday's", () => {
    expect(dueBackupSlot(at3(), since, new Date("2026-12-01T03:30:00Z"))?.toISOString()).toBe("2026-12-01T03:30:00.000Z");
    expect(dueBackupSlot(at3(), since, new Date("2026-12-01T23:00:00Z"))?.toISOString()).toBe("2026-12-01T03:30:00.000Z");
    expect(dueBackupSlot(at3(), since, new Date("2026-12-01T03:29:59Z"))?.toISOString()).toBe("2026-11-30T03:30:00.000Z");
  });
  it("is nothing when disabled, unscheduled, or before the deployment existed", () => {
    expect(dueBackupSlot(at3("DISABLED"), since, new Date("2026-12-01T05:00:00Z"))).toBeUndefined();
    expect(dueBackupSlot(undefined, since, new Date("2026-12-01T05:00:00Z"))).toBeUndefined();
    expect(dueBackupSlot({ ...at3(), fixedFrequencySchedule: undefined }, since, new Date("2026-12-01T05:00:00Z"))).toBeUndefined();
    expect(dueBackupSlot(at3(), new Date("2026-12-01T04:00:00Z"), new Date("2026-12-01T05:00:00Z"))).toBeUndefined();
  });
  it("names a backup by its slot", () => {
    expect(automatedBackupId(new Date("2026-12-01T03:30:00Z"))).toBe("auto-202612010330");
  });
});
