import { describe, expect, it } from "vitest";
import { instanceView, maintenanceScheduleView, type InstanceRecord } from "../src/instance-view.js";

function record(overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    projectId: "p",
    locationId: "local1",
    instanceId: "i1",
    spec: { tier: "STANDARD_HA", memorySizeGb: 1, redisVersion: "REDIS_7_0", locationId: "local1-a", readReplicasMode: "READ_REPLICAS_DISABLED" },
    state: "READY",
    statusMessage: "",
    host: "127.0.1.1",
    port: 16379,
    createTime: new Date("2026-11-01T00:00:00Z"),
    nodes: [
      {
        id: "u-1",
        ordinal: 1,
        zone: "local1-b",
        role: "REPLICA",
        host: "127.0.0.1",
        port: 20001,
        state: "READY",
        redisVersion: null,
        maintenanceVersion: null,
      },
      {
        id: "u-0",
        ordinal: 0,
        zone: "local1-a",
        role: "PRIMARY",
        host: "127.0.0.1",
        port: 20000,
        state: "READY",
        redisVersion: "REDIS_6_X",
        maintenanceVersion: "20261101_00_00",
      },
    ],
    ...overrides,
  };
}

describe("instanceView", () => {
  it("shows the nodes by ordinal with the build each runs; a node without one runs the instance's", () => {
    const view = instanceView(record({ spec: { ...record().spec, maintenanceVersion: "20261201_00_00" } })) as any;
    expect(view.nodes.map((n: any) => [n.id, n.redisVersion, n.maintenanceVersion])).toEqual([
      ["u-0", "REDIS_6_X", "20261101_00_00"],
      ["u-1", "REDIS_7_0", "20261201_00_00"],
    ]);
    expect(view.maintenanceVersion).toBe("20261201_00_00");
    expect(view.currentLocationId).toBe("local1-a");
  });

  it("shows rows made before maintenance versions on the built-in one, without policy or schedule", () => {
    const view = instanceView(record()) as any;
    expect(view.maintenanceVersion).toBe("20261101_00_00");
    expect(view.nodes[1].maintenanceVersion).toBe("20261101_00_00");
    expect(view).not.toHaveProperty("maintenancePolicy");
    expect(view).not.toHaveProperty("maintenanceSchedule");
    expect(view).not.toHaveProperty("availableMaintenanceVersions");
  });

  it("shows the policy's windows one hour long", () => {
    const maintenancePolicy = {
      createTime: "2026-11-01T00:00:00.000Z",
      updateTime: "2026-11-01T00:00:00.000Z",
      description: "weekend",
      weeklyMaintenanceWindow: [
        { day: "SATURDAY", startTime: { hours: 22, minutes: 30, seconds: 0, nanos: 0 } },
        { day: "SUNDAY", startTime: { hours: 4, minutes: 0, seconds: 0, nanos: 0 } },
      ],
    };
    const view = instanceView(record({ spec: { ...record().spec, maintenancePolicy } })) as any;
    expect(view.maintenancePolicy).toEqual({
      ...maintenancePolicy,
      weeklyMaintenanceWindow: maintenancePolicy.weeklyMaintenanceWindow.map((w) => ({ ...w, duration: "3600s" })),
    });
  });

  it("shows a schedule from the column, as ISO times, and nothing for a failed build's note alone", () => {
    const start = new Date("2026-12-06T03:00:00Z");
    const view = instanceView(
      record({
        maintenanceSchedule: {
          startTime: start.toISOString(),
          endTime: "2026-12-06T04:00:00Z",
          scheduleDeadlineTime: "2026-12-16T00:00:00.000Z",
          maintenanceVersion: "20261201_00_00",
          failedVersion: "REDIS_7_0@20261115_00_00",
        },
      }),
    ) as any;
    expect(view.maintenanceSchedule).toEqual({
      startTime: "2026-12-06T03:00:00.000Z",
      endTime: "2026-12-06T04:00:00.000Z",
      scheduleDeadlineTime: "2026-12-16T00:00:00.000Z",
      maintenanceVersion: "20261201_00_00",
    });
    expect(instanceView(record({ maintenanceSchedule: { failedVersion: "REDIS_7_0@20261201_00_00" } }))).not.toHaveProperty("maintenanceSchedule");
    expect(maintenanceScheduleView(null)).toBeUndefined();
    expect(maintenanceScheduleView("nonsense")).toBeUndefined();
  });
});
