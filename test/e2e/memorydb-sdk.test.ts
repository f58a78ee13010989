// The MemoryDB API end to end with the real @aws-sdk/client-memorydb (process driver: the facade
// is driver-independent): a user and an ACL, a TLS cluster with that ACL that a cluster client
// reaches over TLS as that user; an online reshard under writes with its progress in
// DescribeClusters; a shard failover; a snapshot, a delete with a final snapshot and a cluster
// restored from it with every key. The clusters are the native API's clusters, both ways, and
// DescribeClusters pages and names its faults as MemoryDB does.
import {
  CreateACLCommand,
  CreateClusterCommand,
  CreateSnapshotCommand,
  CreateSubnetGroupCommand,
  CreateUserCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  DescribeEngineVersionsCommand,
  DescribeSnapshotsCommand,
  FailoverShardCommand,
  ListAllowedNodeTypeUpdatesCommand,
  ListTagsCommand,
  UpdateClusterCommand,
  type Cluster as MemoryDbCluster,
  type MemoryDBClient,
} from "@aws-sdk/client-memorydb";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { memorydbClient, waitFor } from "../support/memorydb.js";

const LOC = "/v1/projects/default/locations/local1";
const PASSWORD = "orders-app-password-0123456789";
const ACCESS = "on ~* &* +@all";

/** The fault a command answers with: the SDK's exception name (MemoryDB's __type). */
async function faultOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  throw new Error("the command succeeded");
}

describe("the MemoryDB API through the real SDK (process driver)", () => {
  let cp: TestControlPlane;
  let client: MemoryDBClient;
  /** Keys written through the cluster and acknowledged, each with itself as its value. */
  const written: string[] = [];

  const describeCluster = async (name: string, showShards = false) =>
    (await client.send(new DescribeClustersCommand({ ClusterName: name, ShowShardDetails: showShards }))).Clusters![0]!;
  const waitStatus = (name: string, status: string, until: (c: MemoryDbCluster) => boolean = () => true, timeoutMs = 120_000) =>
    waitFor(
      () => describeCluster(name, true),
      (c) => c.Status === status && until(c),
      timeoutMs,
      200,
    );
  const caOf = async (name: string) =>
    (await cp.api("GET", `${LOC}/clusters/${name}/certificateAuthority`)).body.managedServerCa.caCerts[0].certificates[0] as string;
  /** A cluster client over TLS, as the ACL's user. */
  async function tlsClient(cluster: MemoryDbCluster) {
    const ca = await caOf(cluster.Name!);
    const redis = new Cluster([{ host: cluster.ClusterEndpoint!.Address!, port: cluster.ClusterEndpoint!.Port! }], {
      redisOptions: { tls: { ca }, username: "orders-app", password: PASSWORD, connectTimeout: 2_000, maxRetriesPerRequest: 2 },
      maxRedirections: 32,
      retryDelayOnMoved: 0,
      retryDelayOnClusterDown: 50,
      slotsRefreshTimeout: 2_000,
    });
    redis.on("error", () => undefined);
    return redis;
  }
  async function missing(cluster: MemoryDbCluster, keys: readonly string[]) {
    const redis = await tlsClient(cluster);
    try {
      const values = await Promise.all(keys.map((k) => redis.get(k)));
      return keys.filter((k, i) => values[i] !== k);
    } finally {
      redis.disconnect();
    }
  }
  const nativePrimaryOf = async (name: string, shard: string) =>
    (await cp.api("GET", `${LOC}/clusters/${name}`)).body.shards.find((s: any) => s.id === shard).nodes.find((n: any) => n.role === "PRIMARY").id as string;

  beforeAll(async () => {
    cp = await startTestControlPlane({ driver: "process" });
    client = await memorydbClient(cp);
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it("creates a TLS cluster with an ACL of its own, served over TLS to that ACL's user", async () => {
    await client.send(new CreateUserCommand({ UserName: "orders-app", AccessString: ACCESS, AuthenticationMode: { Type: "password", Passwords: [PASSWORD] } }));
    await client.send(new CreateACLCommand({ ACLName: "orders-acl", UserNames: ["orders-app"] }));
    const created = await client.send(
      new CreateClusterCommand({
        ClusterName: "Orders",
        NodeType: "db.t4g.small",
        ACLName: "orders-acl",
        NumShards: 1,
        NumReplicasPerShard: 1,
        Description: "orders cache",
        MaintenanceWindow: "sun:23:00-mon:01:30",
        SnapshotRetentionLimit: 3,
        SnapshotWindow: "04:00-05:00",
        Tags: [{ Key: "team", Value: "payments" }],
      }),
    );
    const c = created.Cluster!;
    expect(c).toMatchObject({
      Name: "orders",
      Status: "creating",
      TLSEnabled: true,
      ACLName: "orders-acl",
      NodeType: "db.t4g.small",
      Engine: "redis",
      EngineVersion: "7.0",
      NumberOfShards: 1,
      Description: "orders cache",
      MaintenanceWindow: "sun:23:00-mon:01:30",
      SnapshotWindow: "04:00-05:00",
      SnapshotRetentionLimit: 3,
      ParameterGroupName: "default.memorydb-redis7",
      SubnetGroupName: "default",
      ARN: "arn:aws:memorydb:local1:default:cluster/orders",
    });
    const tags = await client.send(new ListTagsCommand({ ResourceArn: c.ARN }));
    expect(tags.TagList).toEqual([{ Key: "team", Value: "payments" }]);

    const ready = await waitStatus("orders", "available");
    expect(ready.AvailabilityMode).toBe("multiaz");
    expect(ready.EnginePatchVersion).toBe("7.0.15");
    expect(ready.PendingUpdates).toBeUndefined();
    expect(ready.Shards).toHaveLength(1);
    const shard = ready.Shards![0]!;
    expect(shard).toMatchObject({ Name: "0001", Status: "available", Slots: "0-16383", NumberOfNodes: 2 });
    expect(shard.Nodes!.map((n) => n.Name)).toEqual(["0001-001", "0001-002"]);
    expect(new Set(shard.Nodes!.map((n) => n.AvailabilityZone)).size).toBe(2);
    for (const node of shard.Nodes!) {
      expect(node.AvailabilityZone).toMatch(/^local1[abc]$/);
      expect(node.CreateTime).toBeInstanceOf(Date);
      expect(Math.abs(node.CreateTime!.getTime() - Date.now())).toBeLessThan(120_000);
    }

    const redis = await tlsClient(ready);
    try {
      for (let i = 0; i < 300; i++) {
        await redis.set(`order:${i}`, `order:${i}`);
        written.push(`order:${i}`);
      }
      expect(await redis.get("order:42")).toBe("order:42");
    } finally {
      redis.disconnect();
    }
  }, 180_000);

  it("is the native API's cluster, and a native cluster is MemoryDB's", async () => {
    const native = (await cp.api("GET", `${LOC}/clusters/orders`)).body;
    expect(native).toMatchObject({
      state: "ACTIVE",
      shardCount: 1,
      replicaCount: 1,
      nodeType: "REDIS_SHARED_CORE_NANO",
      transitEncryptionMode: "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION",
      aclName: "orders-acl",
      description: "orders cache",
      automatedBackupConfig: { automatedBackupMode: "ENABLED", retention: "259200s", fixedFrequencySchedule: { startTime: { hours: 4, minutes: 0 } } },
    });
    expect(native.maintenancePolicy.weeklyMaintenanceWindow.map((w: any) => `${w.day} ${w.startTime.hours}`)).toEqual(["SUNDAY 23", "MONDAY 0"]);

    const made = await cp.api("POST", `${LOC}/clusters?clusterId=native-one`, { shardCount: 1, replicaCount: 0, nodeType: "REDIS_STANDARD_SMALL" });
    expect(made.status).toBe(200);
    const seen = await describeCluster("native-one");
    expect(seen).toMatchObject({
      Name: "native-one",
      NodeType: "db.m6g.large",
      TLSEnabled: false,
      ACLName: "open-access",
      AvailabilityMode: "singleaz",
      NumberOfShards: 1,
    });
    expect(["creating", "available"]).toContain(seen.Status);
    const allowed = await client.send(new ListAllowedNodeTypeUpdatesCommand({ ClusterName: "native-one" }));
    expect(allowed.ScaleUpNodeTypes).toEqual(["db.r6g.large", "db.r6g.2xlarge"]);
    expect(allowed.ScaleDownNodeTypes).toEqual(["db.t4g.small"]);
    const engines = await client.send(new DescribeEngineVersionsCommand({ Engine: "redis", DefaultOnly: true }));
    expect(engines.EngineVersions).toEqual([{ Engine: "redis", EngineVersion: "7.0", EnginePatchVersion: "7.0.15", ParameterGroupFamily: "memorydb_redis7" }]);
  });

  it("pages DescribeClusters and answers MemoryDB's faults for missing, duplicate and impossible clusters", async () => {
    await client.send(
      new CreateClusterCommand({ ClusterName: "paged", NodeType: "db.t4g.small", ACLName: "open-access", TLSEnabled: false, NumReplicasPerShard: 0 }),
    );
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new DescribeClustersCommand({ MaxResults: 1, NextToken: token }));
      expect(page.Clusters).toHaveLength(1);
      names.push(page.Clusters![0]!.Name!);
      token = page.NextToken;
      pages++;
    } while (token && pages < 10);
    expect(names).toEqual(["native-one", "orders", "paged"]);
    expect((await client.send(new DescribeClustersCommand({}))).Clusters!.map((c) => c.Name)).toEqual(names);

    expect(await faultOf(describeCluster("nope"))).toBe("ClusterNotFoundFault");
    const again = { ClusterName: "ORDERS", NodeType: "db.t4g.small", ACLName: "open-access" };
    expect(await faultOf(client.send(new CreateClusterCommand(again)))).toBe("ClusterAlreadyExistsFault");
    expect(await faultOf(client.send(new CreateClusterCommand({ ...again, ClusterName: "plain", TLSEnabled: false, ACLName: "orders-acl" })))).toBe(
      "InvalidParameterCombinationException",
    );
    expect(await faultOf(client.send(new CreateClusterCommand({ ...again, ClusterName: "x", ACLName: "no-such-acl" })))).toBe("ACLNotFoundFault");
    expect(await faultOf(client.send(new CreateClusterCommand({ ...again, ClusterName: "x", SubnetGroupName: "nowhere" })))).toBe("SubnetGroupNotFoundFault");
    expect(await faultOf(client.send(new CreateClusterCommand({ ...again, ClusterName: "x", ParameterGroupName: "no-group" })))).toBe(
      "ParameterGroupNotFoundFault",
    );
    await client.send(new CreateSubnetGroupCommand({ SubnetGroupName: "two-of-three", SubnetIds: ["subnet-local1a", "subnet-local1b"] }));
    expect(await faultOf(client.send(new CreateClusterCommand({ ...again, ClusterName: "x", SubnetGroupName: "two-of-three" })))).toBe(
      "InvalidParameterCombinationException",
    );
    expect(await faultOf(client.send(new CreateClusterCommand({ ...again, ClusterName: "x", NodeType: "cache.m5.large" })))).toBe(
      "InvalidParameterValueException",
    );
    expect(await faultOf(client.send(new CreateClusterCommand({ ...again, ClusterName: "x", NumShards: 500 })))).toBe("ShardsPerClusterQuotaExceededFault");
    expect(await faultOf(client.send(new CreateClusterCommand({ ...again, ClusterName: "x", SnapshotName: "no-snapshot" })))).toBe("SnapshotNotFoundFault");
    expect(await faultOf(client.send(new CreateClusterCommand({ ...again, ClusterName: "x", SecurityGroupIds: ["sg-1"] })))).toBe(
      "InvalidParameterValueException",
    );
    expect(await faultOf(client.send(new UpdateClusterCommand({ ClusterName: "orders", Description: "orders cache" })))).toBe("NoOperationFault");
    expect(await faultOf(client.send(new UpdateClusterCommand({ ClusterName: "orders", EngineVersion: "6.2" })))).toBe("InvalidParameterValueException");
    expect(await faultOf(client.send(new FailoverShardCommand({ ClusterName: "orders", ShardName: "0009" })))).toBe("ShardNotFoundFault");
    expect(await faultOf(client.send(new FailoverShardCommand({ ClusterName: "paged", ShardName: "0001" })))).toBe("TestFailoverNotAvailableFault");
    // None of the refused creates left anything behind.
    expect((await cp.prisma.instance.findMany({ where: { kind: "CLUSTER" }, select: { instanceId: true } })).map((r) => r.instanceId).sort()).toEqual(names);

    for (const name of ["native-one", "paged"]) {
      await waitStatus(name, "available");
      expect((await client.send(new DeleteClusterCommand({ ClusterName: name }))).Cluster!.Status).toBe("deleting");
    }
  }, 120_000);

  it("reshards to 2 shards under writes, with the slot migration's progress while updating", async () => {
    const before = await describeCluster("orders");
    const redis = await tlsClient(before);
    let writing = true;
    let failures = 0;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        try {
          await redis.set(`load:${i}`, `load:${i}`);
          written.push(`load:${i}`);
        } catch {
          failures++;
        }
      }
    })();
    const progress: number[] = [];
    try {
      const updated = await client.send(new UpdateClusterCommand({ ClusterName: "orders", ShardConfiguration: { ShardCount: 2 } }));
      expect(updated.Cluster!.Status).toBe("updating");
      // One reshard at a time, as MemoryDB refuses a second while the first runs.
      expect(await faultOf(client.send(new UpdateClusterCommand({ ClusterName: "orders", ShardConfiguration: { ShardCount: 3 } })))).toBe(
        "InvalidClusterStateFault",
      );
      const done = await waitFor(
        () => describeCluster("orders", true),
        (c) => {
          const p = c.PendingUpdates?.Resharding?.SlotMigration?.ProgressPercentage;
          if (c.Status === "updating" && p !== undefined) progress.push(p);
          return c.Status === "available";
        },
        120_000,
        50,
      );
      expect(done.NumberOfShards).toBe(2);
      expect(done.PendingUpdates).toBeUndefined();
      expect(done.Shards!.map((s) => s.Slots)).toEqual(["0-8191", "8192-16383"]);
    } finally {
      writing = false;
      await writer;
      redis.disconnect();
    }
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
    expect(progress.every((p) => p >= 0 && p <= 100)).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(failures).toBe(0);
    expect(await missing(await describeCluster("orders"), written)).toEqual([]);
  }, 180_000);

  it("fails a shard over: its primary moves to the replica", async () => {
    const primary = await nativePrimaryOf("orders", "0002");
    const answered = await client.send(new FailoverShardCommand({ ClusterName: "orders", ShardName: "0002" }));
    expect(answered.Cluster!.Name).toBe("orders");
    await waitFor(
      () => nativePrimaryOf("orders", "0002"),
      (id) => id !== primary,
      60_000,
      200,
    );
    const after = await waitStatus("orders", "available");
    expect(await missing(after, written)).toEqual([]);
  }, 90_000);

  it("changes several settings in one native update, the ACL shown pending until it is on every node", async () => {
    await client.send(new CreateACLCommand({ ACLName: "orders-acl-2", UserNames: ["orders-app"] }));
    const updates = () => cp.prisma.operation.count({ where: { verb: "update", target: { endsWith: "/clusters/orders" } } });
    const before = await updates();
    const answered = await client.send(
      new UpdateClusterCommand({
        ClusterName: "orders",
        Description: "orders cache v2",
        ACLName: "orders-acl-2",
        MaintenanceWindow: "tue:02:00-tue:03:00",
        SnapshotRetentionLimit: 0,
      }),
    );
    expect(answered.Cluster).toMatchObject({ Status: "updating", PendingUpdates: { ACLs: { ACLToApply: "orders-acl-2" } }, Description: "orders cache v2" });
    expect(await updates()).toBe(before + 1);
    const op = await cp.prisma.operation.findFirst({ where: { verb: "update", target: { endsWith: "/clusters/orders" } }, orderBy: { createTime: "desc" } });
    expect(op!.statusDetail).toMatch(/description, aclName, maintenancePolicy, automatedBackupConfig/);
    const after = await waitStatus("orders", "available");
    expect(after).toMatchObject({
      ACLName: "orders-acl-2",
      MaintenanceWindow: "tue:02:00-tue:03:00",
      SnapshotRetentionLimit: 0,
      SnapshotWindow: "04:00-05:00",
    });
    expect(after.PendingUpdates).toBeUndefined();
    expect(await missing(after, written.slice(0, 50))).toEqual([]);
  }, 90_000);

  it("snapshots, deletes with a final snapshot, and restores every key from it", async () => {
    // Watched from before the request, so the short while the backup runs is seen.
    const statuses = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        statuses.add((await describeCluster("orders")).Status!);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const snap = await client.send(new CreateSnapshotCommand({ ClusterName: "orders", SnapshotName: "orders-manual" }));
    expect(snap.Snapshot!.Name).toBe("orders-manual");
    await waitFor(
      () => client.send(new DescribeSnapshotsCommand({ SnapshotName: "orders-manual" })),
      (r) => r.Snapshots?.[0]?.Status === "available",
      60_000,
    );
    await waitStatus("orders", "available");
    watching = false;
    await watcher;
    expect(statuses).toContain("snapshotting");

    expect(await faultOf(client.send(new DeleteClusterCommand({ ClusterName: "orders", FinalSnapshotName: "orders-manual" })))).toBe(
      "SnapshotAlreadyExistsFault",
    );
    const deleting = await client.send(new DeleteClusterCommand({ ClusterName: "orders", FinalSnapshotName: "orders-final" }));
    expect(deleting.Cluster!.Status).toBe("deleting");
    // Its final snapshot is being taken meanwhile: a second delete is refused, not queued.
    expect(await faultOf(client.send(new DeleteClusterCommand({ ClusterName: "orders" })))).toBe("InvalidClusterStateFault");
    await waitFor(
      () => faultOf(describeCluster("orders")).catch(() => "still there"),
      (f) => f === "ClusterNotFoundFault",
      90_000,
      300,
    );
    const final = (await client.send(new DescribeSnapshotsCommand({ SnapshotName: "orders-final" }))).Snapshots![0]!;
    expect(final.Status).toBe("available");
    // The cluster's tags went with it.
    expect(await cp.prisma.resourceTag.count()).toBe(0);

    await client.send(
      new CreateClusterCommand({
        ClusterName: "orders-restored",
        NodeType: "db.t4g.small",
        ACLName: "orders-acl",
        NumShards: 1,
        NumReplicasPerShard: 0,
        SnapshotName: "orders-final",
      }),
    );
    const restored = await waitStatus("orders-restored", "available");
    expect(restored.NumberOfShards).toBe(1);
    expect(await missing(restored, written)).toEqual([]);
    expect(written.length).toBeGreaterThan(300);
  }, 240_000);
});
