import { describe, expect, it } from "vitest";
import { clusterShape, statusOf, type ClusterRow } from "../src/memorydb/shapes/cluster.js";

const created = new Date("2026-03-01T10:00:00Z");

function node(shard: number, k: number, overrides: Partial<ClusterRow["nodes"][number]> = {}): ClusterRow["nodes"][number] {
  const ordinal = shard * 8 + k;
  return {
    id: `uid-1-${ordinal}`,
    instanceUid: "uid-1",
    ordinal,
    shard,
    zone: ["local1-a", "local1-b", "local1-c"][k % 3]!,
    role: k === 0 ? "PRIMARY" : "REPLICA",
    state: "READY",
    driver: "process",
    host: `127.0.1.${ordinal + 1}`,
    port: 20000 + ordinal,
    dataDir: "/tmp/x",
    redisVersion: null,
    maintenanceVersion: null,
    createTime: created,
    ...overrides,
  };
}

function row(overrides: Partial<ClusterRow> = {}, spec: Record<string, unknown> = {}): ClusterRow {
  return {
    uid: "uid-1",
    kind: "CLUSTER",
    projectId: "p1",
    locationId: "local1",
    instanceId: "orders",
    spec: {
      shardCount: 2,
      replicaCount: 1,
      nodeType: "REDIS_SHARED_CORE_NANO",
      redisVersion: "REDIS_7_0",
      authorizationMode: "AUTH_MODE_DISABLED",
      transitEncryptionMode: "TRANSIT_ENCRYPTION_MODE_DISABLED",
      persistenceConfig: { mode: "DISABLED" },
      redisConfigs: {},
      zoneDistributionConfig: { mode: "MULTI_ZONE" },
      deletionProtectionEnabled: false,
      labels: {},
      ...spec,
    },
    authString: null,
    generation: 3,
    observedGeneration: 3,
    state: "READY",
    statusMessage: "",
    host: "127.0.1.1",
    port: 20000,
    deleteRequested: false,
    primaryNodeId: null,
    failoverMode: null,
    failoverShard: null,
    slotRanges: { "0": ["0-8191"], "1": ["8192-16383"] },
    dataJob: null,
    maintenanceSchedule: null,
    expireTime: null,
    leaseOwner: null,
    leaseUntil: null,
    leaseEpoch: 0,
    createTime: created,
    updateTime: created,
    nodes: [node(0, 0), node(0, 1), node(1, 0), node(1, 1)],
    ...overrides,
  } as ClusterRow;
}

const quiet = { snapshotting: false, aclChanging: false };

describe("the MemoryDB Cluster shape", () => {
  it("maps the native states to MemoryDB's statuses", () => {
    const at = { deleteRequested: false, generation: 3, observedGeneration: 3 };
    expect(statusOf({ ...at, state: "CREATING" }, false)).toBe("creating");
    expect(statusOf({ ...at, state: "READY" }, false)).toBe("available");
    expect(statusOf({ ...at, state: "READY" }, true)).toBe("snapshotting");
    // READY but a change not yet on the nodes: not available, so a client waits before its next request.
    expect(statusOf({ ...at, state: "READY", observedGeneration: 2 }, false)).toBe("updating");
    for (const state of ["UPDATING", "REPAIRING", "MAINTENANCE", "FAILING_OVER"]) expect(statusOf({ ...at, state }, false)).toBe("updating");
    expect(statusOf({ ...at, state: "READY", deleteRequested: true }, true)).toBe("deleting");
  });

  it("describes a settled cluster, its shards and nodes in MemoryDB's names", () => {
    const c = clusterShape(row(), "local1", quiet, true);
    expect(c).toMatchObject({
      Name: "orders",
      Status: "available",
      NumberOfShards: 2,
      NodeType: "db.t4g.small",
      Engine: "redis",
      EngineVersion: "7.0",
      ParameterGroupName: "default.memorydb-redis7",
      SubnetGroupName: "default",
      AvailabilityMode: "multiaz",
      TLSEnabled: false,
      ACLName: "open-access",
      ClusterEndpoint: { Address: "127.0.1.1", Port: 20000 },
      ARN: "arn:aws:memorydb:local1:p1:cluster/orders",
      SnapshotRetentionLimit: 0,
    });
    expect(c.PendingUpdates).toBeUndefined();
    expect(c.MaintenanceWindow).toBeUndefined();
    expect(c.Shards!.map((s) => [s.Name, s.Slots, s.Status, s.Nodes.map((n) => `${n.Name} ${n.AvailabilityZone}`)])).toEqual([
      ["0001", "0-8191", "available", ["0001-001 local1a", "0001-002 local1b"]],
      ["0002", "8192-16383", "available", ["0002-001 local1a", "0002-002 local1b"]],
    ]);
    expect(c.Shards![0]!.Nodes[0]!.CreateTime).toBe(created.getTime() / 1000);
    expect(clusterShape(row(), "local1", quiet, false).Shards).toBeUndefined();
  });

  it("shows the reshard's progress only while slots are still moving or a shard is going", () => {
    const growing = row({ state: "UPDATING", observedGeneration: 2, slotRanges: { "0": ["0-12287"], "1": ["12288-16383"] } });
    expect(clusterShape(growing, "local1", { ...quiet, movedSlots: 4096 }, false).PendingUpdates).toEqual({
      Resharding: { SlotMigration: { ProgressPercentage: 50 } },
    });
    // Balanced over the new count, but the third shard's nodes are still being removed.
    const shrinking = row({ state: "UPDATING", observedGeneration: 2, nodes: [...row().nodes, node(2, 0)] });
    expect(clusterShape(shrinking, "local1", { ...quiet, movedSlots: 5461 }, true).PendingUpdates?.Resharding?.SlotMigration.ProgressPercentage).toBe(100);
    expect(clusterShape(shrinking, "local1", { ...quiet, movedSlots: 5461 }, true).Shards![2]!.Status).toBe("deleting");
    // Updating something else: no resharding shown.
    const other = row({ state: "UPDATING", observedGeneration: 2 });
    expect(clusterShape(other, "local1", { ...quiet, movedSlots: 8192 }, false).PendingUpdates).toBeUndefined();
    expect(clusterShape(other, "local1", { ...quiet, aclChanging: true }, false).PendingUpdates).toEqual({ ACLs: { ACLToApply: "open-access" } });
  });

  it("reads MemoryDB's settings back from the native ones", () => {
    const c = clusterShape(
      row(
        {},
        {
          transitEncryptionMode: "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION",
          aclName: "apps",
          replicaCount: 0,
          zoneDistributionConfig: { mode: "SINGLE_ZONE", zone: "local1-b" },
          automatedBackupConfig: { automatedBackupMode: "ENABLED", retention: "604800s", fixedFrequencySchedule: { startTime: { hours: 3, minutes: 30 } } },
          description: "d",
          subnetGroupName: "one-zone",
          parameterGroupName: "mine",
        },
      ),
      "local1",
      quiet,
      false,
    );
    expect(c).toMatchObject({
      TLSEnabled: true,
      ACLName: "apps",
      AvailabilityMode: "singleaz",
      SnapshotRetentionLimit: 7,
      SnapshotWindow: "03:30-04:30",
      Description: "d",
      SubnetGroupName: "one-zone",
      ParameterGroupName: "mine",
    });
  });
});
