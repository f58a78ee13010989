import { describe, expect, it } from "vitest";
import type { StoredClusterSpec } from "../src/cluster-spec.js";
import { clusterName, clusterSize, clusterState, clusterView, shardId, shardIndex, type ClusterRecord } from "../src/cluster-view.js";

const spec: StoredClusterSpec = {
  shardCount: 3,
  replicaCount: 1,
  nodeType: "REDIS_SHARED_CORE_NANO",
  redisVersion: "REDIS_7_0",
  authorizationMode: "AUTH_MODE_DISABLED",
  transitEncryptionMode: "TRANSIT_ENCRYPTION_MODE_DISABLED",
  persistenceConfig: { mode: "DISABLED" },
  redisConfigs: {},
  zoneDistributionConfig: { mode: "MULTI_ZONE" },
  deletionProtectionEnabled: false,
  labels: { env: "test" },
};

const node = (shard: number, n: number, role: string) => ({
  id: `uid-1-${shard * 8 + n}`,
  ordinal: shard * 8 + n,
  shard,
  zone: `local1-${"abc"[n]}`,
  role,
  host: `127.0.2.${shard * 8 + n + 1}`,
  port: 16400,
  state: "READY",
});

function record(overrides: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    uid: "uid-1",
    projectId: "p",
    locationId: "local1",
    instanceId: "c1",
    spec: spec as unknown as Record<string, unknown>,
    state: "READY",
    statusMessage: "",
    host: "127.0.2.1",
    port: 16400,
    createTime: new Date("2024-01-01T00:00:00Z"),
    nodes: [0, 1, 2].flatMap((s) => [node(s, 1, "REPLICA"), node(s, 0, "PRIMARY")]),
    ...overrides,
  };
}

describe("clusterView", () => {
  it("maps internal states to Memorystore Cluster's four", () => {
    expect(clusterState("READY")).toBe("ACTIVE");
    expect(clusterState("CREATING")).toBe("CREATING");
    expect(clusterState("DELETING")).toBe("DELETING");
    for (const s of ["UPDATING", "REPAIRING", "FAILING_OVER", "MAINTENANCE"]) expect(clusterState(s)).toBe("UPDATING");
  });

  it("names shards 0001.. and back", () => {
    expect([0, 8, 63].map(shardId)).toEqual(["0001", "0009", "0064"]);
    expect(shardIndex("0009")).toBe(8);
    expect(clusterName("p", "l", "c")).toBe("projects/p/locations/l/clusters/c");
  });

  it("sizes the cluster from its primaries, rounded up for sizeGb", () => {
    expect(clusterSize({ shardCount: 3, nodeType: "REDIS_SHARED_CORE_NANO" })).toEqual({ sizeGb: 5, preciseSizeGb: 4.2 });
    expect(clusterSize({ shardCount: 3, nodeType: "REDIS_HIGHMEM_MEDIUM" })).toEqual({ sizeGb: 39, preciseSizeGb: 39 });
  });

  it("shows an ACTIVE cluster with its endpoint, shards, the slots the worker saw and nodes by ordinal", () => {
    const view = clusterView(record({ slotRanges: { 0: ["0-5461"], 1: ["5462-10922"], 2: ["10923-16383"] } })) as any;
    expect(view).toMatchObject({
      name: "projects/p/locations/local1/clusters/c1",
      uid: "uid-1",
      state: "ACTIVE",
      shardCount: 3,
      replicaCount: 1,
      sizeGb: 5,
      preciseSizeGb: 4.2,
      discoveryEndpoints: [{ address: "127.0.2.1", port: 16400 }],
      createTime: "2024-01-01T00:00:00.000Z",
      labels: { env: "test" },
    });
    expect(view.stateInfo).toBeUndefined();
    expect(view.statusMessage).toBeUndefined();
    expect(view.redisVersion).toBe("REDIS_7_0");
    // A cluster made before maintenance versions existed runs the built-in one.
    expect(view.maintenanceVersion).toBe("20261101_00_00");
    expect(view.maintenancePolicy).toBeUndefined();
    expect(view.maintenanceSchedule).toBeUndefined();
    expect(view.shards.map((s: any) => [s.id, s.slots])).toEqual([
      ["0001", ["0-5461"]],
      ["0002", ["5462-10922"]],
      ["0003", ["10923-16383"]],
    ]);
    expect(view.shards[1].nodes.map((n: any) => [n.id, n.role])).toEqual([
      ["uid-1-8", "PRIMARY"],
      ["uid-1-9", "REPLICA"],
    ]);
  });

  it("while UPDATING shows the targets, and no slots before the worker has seen any", () => {
    const view = clusterView(record({ state: "UPDATING", spec: { ...spec, shardCount: 4, replicaCount: 2 } })) as any;
    expect(view.state).toBe("UPDATING");
    expect(view.stateInfo).toEqual({ updateInfo: { targetShardCount: 4, targetReplicaCount: 2 } });
    expect(view.shards.map((s: any) => s.id)).toEqual(["0001", "0002", "0003", "0004"]);
    expect(view.shards.every((s: any) => s.slots === undefined)).toBe(true);
    expect(view.shards[3].nodes).toEqual([]);
  });

  it("shows the slots the worker saw, in any state, and shards being removed", () => {
    const slotRanges = { 0: ["0-8191"], 1: ["8192-16383"], 2: [] };
    const view = clusterView(record({ state: "UPDATING", spec: { ...spec, shardCount: 2 }, slotRanges })) as any;
    expect(view.shards.map((s: any) => [s.id, s.slots, s.nodes.length])).toEqual([
      ["0001", ["0-8191"], 2],
      ["0002", ["8192-16383"], 2],
      ["0003", [], 2],
    ]);
  });

  it("a new cluster has no endpoint, no nodes yet and a status", () => {
    const view = clusterView(record({ state: "CREATING", host: null, port: null, nodes: [], statusMessage: "Creating the cluster" })) as any;
    expect(view.discoveryEndpoints).toBeUndefined();
    expect(view.statusMessage).toBe("Creating the cluster");
    expect(view.shards).toEqual([
      { id: "0001", nodes: [] },
      { id: "0002", nodes: [] },
      { id: "0003", nodes: [] },
    ]);
  });

  it("shows the maintenance fields and each node's build, a node without one on the cluster's", () => {
    const policy = {
      createTime: "2026-11-01T00:00:00.000Z",
      updateTime: "2026-11-02T00:00:00.000Z",
      weeklyMaintenanceWindow: [{ day: "SUNDAY" as const, startTime: { hours: 3, minutes: 0, seconds: 0, nanos: 0 } }],
    };
    const schedule = {
      startTime: "2026-12-06T03:00:00.000Z",
      endTime: "2026-12-06T04:00:00.000Z",
      scheduleDeadlineTime: "2026-12-16T00:00:00.000Z",
      maintenanceVersion: "20261201_00_00",
    };
    const nodes = [{ ...node(0, 0, "PRIMARY"), redisVersion: "REDIS_7_0", maintenanceVersion: "20261101_00_00" }, node(0, 1, "REPLICA")];
    const view = clusterView(
      record({ spec: { ...spec, maintenanceVersion: "20261115_00_00", maintenancePolicy: policy }, maintenanceSchedule: schedule, nodes }),
    ) as any;
    expect(view.maintenanceVersion).toBe("20261115_00_00");
    expect(view.maintenancePolicy.weeklyMaintenanceWindow).toEqual([{ ...policy.weeklyMaintenanceWindow[0], duration: "3600s" }]);
    expect(view.maintenanceSchedule).toEqual(schedule);
    expect(view.shards[0].nodes.map((n: any) => [n.redisVersion, n.maintenanceVersion])).toEqual([
      ["REDIS_7_0", "20261101_00_00"],
      ["REDIS_7_0", "20261115_00_00"],
    ]);
    // Only the worker's note of a failed build: nothing scheduled to show.
    expect((clusterView(record({ maintenanceSchedule: { failedVersion: "REDIS_7_2@20261115_00_00" } })) as any).maintenanceSchedule).toBeUndefined();
  });
});
