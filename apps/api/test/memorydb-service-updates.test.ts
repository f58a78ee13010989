import { describe, expect, it } from "vitest";
import { eventWindow } from "../src/memorydb/ops/events.js";
import { serviceUpdatesOf, type ServiceUpdateCluster } from "../src/memorydb/shapes/service-update.js";

const BASE = "20261101_00_00";
const PATCH = "20261201_00_00";
const LATER = "20261215_00_00";
const catalogue = [
  { redisVersion: "REDIS_7_0", maintenanceVersion: BASE },
  { redisVersion: "REDIS_7_0", maintenanceVersion: PATCH },
  { redisVersion: "REDIS_7_2", maintenanceVersion: LATER },
];
const released = new Date("2026-12-01T10:00:00Z");
const releases = new Map([
  [PATCH, released],
  [LATER, released],
]);
const cluster = (over: Partial<ServiceUpdateCluster> = {}): ServiceUpdateCluster => ({
  name: "c1",
  redisVersion: "REDIS_7_0",
  maintenanceVersion: BASE,
  maintenanceSchedule: null,
  nodes: [{ maintenanceVersion: BASE }, { maintenanceVersion: BASE }],
  converged: true,
  ...over,
});

describe("MemoryDB service updates of a cluster", () => {
  it("are the released versions with a build of its engine, available while it is older", () => {
    expect(serviceUpdatesOf(cluster(), releases, catalogue)).toEqual([
      {
        ClusterName: "c1",
        ServiceUpdateName: PATCH,
        ReleaseDate: released.getTime() / 1000,
        Description: expect.stringContaining(PATCH),
        Status: "available",
        Type: "security-update",
        Engine: "redis",
        NodesUpdated: "0/2",
      },
    ]);
    // The first version of an engine is no update: only what the operator released is.
    expect(serviceUpdatesOf(cluster(), new Map(), catalogue)).toEqual([]);
  });

  it("are scheduled with the start the worker chose, in progress while nodes roll, then complete", () => {
    const startTime = "2026-12-06T03:00:00.000Z";
    const schedule = { startTime, endTime: "2026-12-06T04:00:00.000Z", scheduleDeadlineTime: "2026-12-20T03:00:00.000Z", maintenanceVersion: PATCH };
    expect(serviceUpdatesOf(cluster({ maintenanceSchedule: schedule }), releases, catalogue)[0]).toMatchObject({
      Status: "scheduled",
      AutoUpdateStartDate: new Date(startTime).getTime() / 1000,
    });
    const rolling = cluster({ maintenanceVersion: PATCH, nodes: [{ maintenanceVersion: PATCH }, { maintenanceVersion: BASE }] });
    expect(serviceUpdatesOf(rolling, releases, catalogue)[0]).toMatchObject({ Status: "in-progress", NodesUpdated: "1/2" });
    // A node recorded before upgrades existed runs the cluster's own version.
    const done = cluster({ maintenanceVersion: PATCH, nodes: [{ maintenanceVersion: PATCH }, { maintenanceVersion: null }] });
    expect(serviceUpdatesOf(done, releases, catalogue)[0]).toMatchObject({ Status: "complete", NodesUpdated: "2/2" });
    // Every node recorded on it, the last one still starting: not complete until the cluster converged.
    expect(serviceUpdatesOf({ ...done, converged: false }, releases, catalogue)[0]).toMatchObject({ Status: "in-progress", NodesUpdated: "2/2" });
  });
});

describe("DescribeEvents' window", () => {
  const now = new Date("2026-12-01T12:00:00Z");
  const at = (iso: string) => new Date(iso);
  it("is the last hour unless told", () => {
    expect(eventWindow({}, now)).toEqual({ from: at("2026-12-01T11:00:00Z"), to: now });
  });
  it("runs Duration minutes back from EndTime or now, or on from StartTime", () => {
    expect(eventWindow({ Duration: 30 }, now)).toEqual({ from: at("2026-12-01T11:30:00Z"), to: now });
    expect(eventWindow({ Duration: 30, EndTime: at("2026-12-01T10:00:00Z") }, now)).toEqual({
      from: at("2026-12-01T09:30:00Z"),
      to: at("2026-12-01T10:00:00Z"),
    });
    expect(eventWindow({ Duration: 30, StartTime: at("2026-12-01T08:00:00Z") }, now)).toEqual({
      from: at("2026-12-01T08:00:00Z"),
      to: at("2026-12-01T08:30:00Z"),
    });
    expect(eventWindow({ StartTime: at("2026-12-01T08:00:00Z") }, now)).toEqual({ from: at("2026-12-01T08:00:00Z"), to: now });
  });
  it("refuses a start after its end, and all three at once", () => {
    expect(() => eventWindow({ StartTime: now, EndTime: at("2026-12-01T10:00:00Z") }, now)).toThrow(/StartTime must not be later/);
    expect(() => eventWindow({ StartTime: now, EndTime: now, Duration: 5 }, now)).toThrow(/at most two/);
  });
});
