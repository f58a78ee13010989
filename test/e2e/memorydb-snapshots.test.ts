// MemoryDB's snapshots, events and service updates through the real @aws-sdk/client-memorydb,
// backed by the native backups, events and maintenance versions (process driver: the facade is
// driver-independent). A snapshot's data is checked the only honest way: restored into a cluster
// and read back. The final backup of a delete (native ?finalBackupId=, MemoryDB's
// FinalSnapshotName) is ACTIVE before the first node goes.
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  BatchUpdateClusterCommand,
  CopySnapshotCommand,
  CreateSnapshotCommand,
  DeleteClusterCommand,
  DeleteSnapshotCommand,
  DescribeClustersCommand,
  DescribeEventsCommand,
  DescribeServiceUpdatesCommand,
  DescribeSnapshotsCommand,
  type MemoryDBClient,
  type Snapshot,
} from "@aws-sdk/client-memorydb";
import { beforeAll, describe, expect, it } from "vitest";
import { clusterClient } from "../support/cluster-traffic.js";
import { explained } from "../support/diagnose.js";
import { BASE as BASE_BUILD, PATCH, runningEngine, useEnginesControlPlane } from "../support/engines.js";
import { memorydbClient, waitFor } from "../support/memorydb.js";

const LOC = "/v1/projects/default/locations/local1";
const KEYS = 200;
const DAY_MS = 86_400_000;
const WEEKDAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"];

describe("MemoryDB snapshots, events and service updates (process driver)", () => {
  const suite = useEnginesControlPlane("process");
  let sdk: MemoryDBClient;
  // A maintenance window three days away: a released version waits there, scheduled.
  const windowDay = new Date(Date.now() + 3 * DAY_MS);
  const policy = { weeklyMaintenanceWindow: [{ day: WEEKDAYS[windowDay.getUTCDay()], startTime: { hours: 3 } }] };

  const faultOf = (promise: Promise<unknown>) =>
    promise.then(
      () => "no fault",
      (e: Error) => e.name,
    );
  const snapshot = async (name: string) => (await sdk.send(new DescribeSnapshotsCommand({ SnapshotName: name, ShowDetail: true }))).Snapshots![0]!;
  const available = (name: string) =>
    waitFor(
      () => snapshot(name),
      (s: Snapshot) => s.Status === "available",
      60_000,
      100,
    );
  const nativeBackup = async (id: string) =>
    (await suite.cp.api("GET", `${LOC}/backupCollections/-/backups?pageSize=100`)).body.backups.find((b: any) => b.name.endsWith(`/backups/${id}`));

  async function createCluster(id: string, body: object = {}) {
    const created = await suite.cp.api("POST", `${LOC}/clusters?clusterId=${id}`, {
      shardCount: 1,
      replicaCount: 0,
      nodeType: "REDIS_SHARED_CORE_NANO",
      ...body,
    });
    expect(created.status).toBe(200);
    expect((await explained(suite.cp, id, suite.cp.waitOperation(created.body.name, 90))).error).toBeUndefined();
    return (await suite.cp.api("GET", `${LOC}/clusters/${id}`)).body;
  }
  async function withClient<T>(cluster: any, fn: (c: ReturnType<typeof clusterClient>) => Promise<T>) {
    const client = clusterClient(cluster.discoveryEndpoints[0].address, cluster.discoveryEndpoints[0].port);
    try {
      return await fn(client);
    } finally {
      client.disconnect();
    }
  }
  const writeKeys = (cluster: any, prefix: string) =>
    withClient(cluster, async (c) => {
      for (let i = 0; i < KEYS; i++) await c.set(`${prefix}:${i}`, `v${i}`);
    });
  const countKeys = (cluster: any, prefix: string) =>
    withClient(cluster, async (c) => {
      let found = 0;
      for (let i = 0; i < KEYS; i++) if ((await c.get(`${prefix}:${i}`)) === `v${i}`) found++;
      return found;
    });

  beforeAll(async () => {
    sdk = await memorydbClient(suite.cp);
  });

  it("creates, describes, pages, copies, exports and deletes snapshots; the copy outlives its source and restores", async () => {
    const cluster = await createCluster("snap", { maintenancePolicy: policy });
    await writeKeys(cluster, "s");

    const created = (await sdk.send(new CreateSnapshotCommand({ ClusterName: "snap", SnapshotName: "snap-one", Tags: [{ Key: "team", Value: "cache" }] })))
      .Snapshot!;
    expect(created).toMatchObject({
      Name: "snap-one",
      Status: "creating",
      Source: "manual",
      ARN: "arn:aws:memorydb:local1:default:snapshot/snap-one",
      DataTiering: "false",
      ClusterConfiguration: {
        Name: "snap",
        NodeType: "db.t4g.small",
        Engine: "redis",
        EngineVersion: "7.0",
        NumShards: 1,
        VpcId: "vpc-local1",
        SubnetGroupName: "default",
      },
    });
    const done = await available("snap-one");
    expect(done.ClusterConfiguration!.Shards).toEqual([
      {
        Name: "0001",
        Configuration: { Slots: "0-16383", ReplicaCount: 0 },
        Size: expect.stringMatching(/^\d+\.\d\d MB$/),
        SnapshotCreationTime: expect.any(Date),
      },
    ]);
    expect(done.ClusterConfiguration!.Port).toBe(cluster.discoveryEndpoints[0].port);
    expect(done.ClusterConfiguration!.MaintenanceWindow).toMatch(/^[a-z]{3}:03:00-[a-z]{3}:04:00$/);
    // The same backup the native API shows.
    expect(await nativeBackup("snap-one")).toMatchObject({ state: "ACTIVE", backupType: "ON_DEMAND", shardCount: 1 });
    const row = await suite.cp.prisma.backup.findFirstOrThrow({ where: { backupId: "snap-one" } });
    expect(await suite.cp.prisma.resourceTag.findMany({ where: { resourceUid: row.uid }, select: { key: true, value: true } })).toEqual([
      { key: "team", value: "cache" },
    ]);

    // Refusals, in MemoryDB's faults.
    expect(await faultOf(sdk.send(new CreateSnapshotCommand({ ClusterName: "snap", SnapshotName: "snap-one" })))).toBe("SnapshotAlreadyExistsFault");
    expect(await faultOf(sdk.send(new CreateSnapshotCommand({ ClusterName: "nope", SnapshotName: "x1" })))).toBe("ClusterNotFoundFault");
    expect(await faultOf(sdk.send(new CreateSnapshotCommand({ ClusterName: "snap", SnapshotName: "not a name!" })))).toBe("InvalidParameterValueException");
    expect(await faultOf(sdk.send(new CreateSnapshotCommand({ ClusterName: "snap", SnapshotName: "x2", KmsKeyId: "key-1" })))).toBe(
      "InvalidParameterValueException",
    );
    expect(await faultOf(sdk.send(new DescribeSnapshotsCommand({ SnapshotName: "nope" })))).toBe("SnapshotNotFoundFault");
    expect(await faultOf(sdk.send(new DescribeSnapshotsCommand({ Source: "sideways" })))).toBe("InvalidParameterValueException");
    expect(await faultOf(sdk.send(new CopySnapshotCommand({ SourceSnapshotName: "nope", TargetSnapshotName: "x3" })))).toBe("SnapshotNotFoundFault");
    expect(await faultOf(sdk.send(new CopySnapshotCommand({ SourceSnapshotName: "snap-one", TargetSnapshotName: "snap-one" })))).toBe(
      "SnapshotAlreadyExistsFault",
    );
    expect(await faultOf(sdk.send(new DeleteSnapshotCommand({ SnapshotName: "nope" })))).toBe("SnapshotNotFoundFault");

    // A copy: creating, then available, with the same data. With the worker stopped, the copy
    // stays in flight: its source is `copying` and cannot be deleted meanwhile.
    await suite.cp.worker!.stop();
    const copy = (await sdk.send(new CopySnapshotCommand({ SourceSnapshotName: "snap-one", TargetSnapshotName: "snap-copy" }))).Snapshot!;
    expect(copy).toMatchObject({ Name: "snap-copy", Status: "creating", Source: "manual", ClusterConfiguration: { Name: "snap", NumShards: 1 } });
    expect((await snapshot("snap-one")).Status).toBe("copying");
    expect(await faultOf(sdk.send(new DeleteSnapshotCommand({ SnapshotName: "snap-one" })))).toBe("InvalidSnapshotStateFault");
    expect(await faultOf(sdk.send(new DeleteSnapshotCommand({ SnapshotName: "snap-copy" })))).toBe("InvalidSnapshotStateFault");
    await suite.cp.startWorker();
    await available("snap-copy");
    expect((await snapshot("snap-one")).Status).toBe("available");
    const copyRow = await suite.cp.prisma.backup.findFirstOrThrow({ where: { backupId: "snap-copy" } });
    expect(copyRow.files).toEqual(row.files);

    // Paging, by name, and the filters.
    const first = await sdk.send(new DescribeSnapshotsCommand({ ClusterName: "snap", MaxResults: 1 }));
    expect(first.Snapshots!.map((s) => s.Name)).toEqual(["snap-copy"]);
    expect(first.Snapshots![0]!.ClusterConfiguration!.Shards).toBeUndefined(); // without ShowDetail
    const second = await sdk.send(new DescribeSnapshotsCommand({ ClusterName: "snap", MaxResults: 1, NextToken: first.NextToken }));
    expect(second.Snapshots!.map((s) => s.Name)).toEqual(["snap-one"]);
    expect(second.NextToken).toBeUndefined();
    expect((await sdk.send(new DescribeSnapshotsCommand({ Source: "automated" }))).Snapshots).toEqual([]);
    expect((await sdk.send(new DescribeSnapshotsCommand({ Source: "manual" }))).Snapshots!.map((s) => s.Name).sort()).toEqual(["snap-copy", "snap-one"]);
    expect((await sdk.send(new DescribeSnapshotsCommand({ ClusterName: "other" }))).Snapshots).toEqual([]);

    // Exported: plain RDB files in the bucket, named after the target; the source is `copying` meanwhile.
    const exported = (await sdk.send(new CopySnapshotCommand({ SourceSnapshotName: "snap-copy", TargetSnapshotName: "snap-export", TargetBucket: "exports" })))
      .Snapshot!;
    expect(exported).toMatchObject({ Name: "snap-copy", Status: "copying" });
    const file = join(suite.cp.bucketsRoot, "exports", "snap-export-0001.rdb");
    await waitFor(
      () =>
        access(file).then(
          () => true,
          () => false,
        ),
      (ok) => ok,
      30_000,
      100,
    );
    expect((await readFile(file)).subarray(0, 5).toString()).toBe("REDIS");
    await waitFor(
      () => snapshot("snap-copy"),
      (s) => s.Status === "available",
      30_000,
      100,
    );
    // Never over an object that is there: that export fails, and says why.
    await sdk.send(new CopySnapshotCommand({ SourceSnapshotName: "snap-copy", TargetSnapshotName: "snap-export", TargetBucket: "exports" }));
    const refused = await waitFor(
      () => suite.cp.prisma.operation.findFirst({ where: { verb: "export" }, orderBy: { createTime: "desc" } }),
      (op) => op?.done === true,
      30_000,
      100,
    );
    expect(refused!.error).toMatchObject({ code: 6, message: expect.stringContaining("exists already") });
    expect(await faultOf(sdk.send(new CopySnapshotCommand({ SourceSnapshotName: "snap-copy", TargetSnapshotName: "x4", TargetBucket: "Not A Bucket" })))).toBe(
      "InvalidParameterValueException",
    );

    // The source goes; the copy stays whole and restores.
    expect((await sdk.send(new DeleteSnapshotCommand({ SnapshotName: "snap-one" }))).Snapshot).toMatchObject({ Name: "snap-one", Status: "deleting" });
    await waitFor(
      () => faultOf(snapshot("snap-one")),
      (f) => f === "SnapshotNotFoundFault",
      30_000,
      100,
    );
    expect(await suite.cp.prisma.resourceTag.count({ where: { resourceUid: row.uid } })).toBe(0);
    await waitFor(
      () =>
        access(join(suite.cp.dataDir, "backups", row.uid)).then(
          () => true,
          () => false,
        ),
      (exists) => !exists,
      30_000,
      100,
    );
    // Restoring from it (worker stopped again, so the restore waits): `restoring`, not deletable.
    await suite.cp.worker!.stop();
    const restoring = await suite.cp.api("POST", `${LOC}/clusters?clusterId=restored`, {
      shardCount: 1,
      replicaCount: 0,
      nodeType: "REDIS_SHARED_CORE_NANO",
      managedBackupSource: { backup: (await nativeBackup("snap-copy")).name },
    });
    expect(restoring.status).toBe(200);
    expect((await snapshot("snap-copy")).Status).toBe("restoring");
    expect(await faultOf(sdk.send(new DeleteSnapshotCommand({ SnapshotName: "snap-copy" })))).toBe("InvalidSnapshotStateFault");
    await suite.cp.startWorker();
    expect((await explained(suite.cp, "restored", suite.cp.waitOperation(restoring.body.name, 90))).error).toBeUndefined();
    const restored = (await suite.cp.api("GET", `${LOC}/clusters/restored`)).body;
    expect(await countKeys(restored, "s")).toBe(KEYS);
    expect((await snapshot("snap-copy")).Status).toBe("available");

    // Names are unique across the project's clusters, as MemoryDB's are per account and region.
    expect(await faultOf(sdk.send(new CreateSnapshotCommand({ ClusterName: "restored", SnapshotName: "snap-copy" })))).toBe("SnapshotAlreadyExistsFault");
    expect(await faultOf(sdk.send(new CopySnapshotCommand({ SourceSnapshotName: "snap-copy", TargetSnapshotName: "snap-copy" })))).toBe(
      "SnapshotAlreadyExistsFault",
    );
  }, 240_000);

  it("describes the clusters' events, newest first, in a window, paged", async () => {
    const all = (await sdk.send(new DescribeEventsCommand({ SourceName: "snap", SourceType: "cluster" }))).Events!;
    expect(all.length).toBeGreaterThan(2);
    expect(all.every((e) => e.SourceName === "snap" && e.SourceType === "cluster")).toBe(true);
    const messages = all.map((e) => e.Message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/^Create requested/), expect.stringMatching(/^Backup snap-one created/)]));
    const dates = all.map((e) => e.Date!.getTime());
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(dates.every((d) => d > Date.now() - 3_600_000 && d <= Date.now() + 1000)).toBe(true);

    const page1 = await sdk.send(new DescribeEventsCommand({ SourceName: "snap", MaxResults: 2 }));
    const page2 = await sdk.send(new DescribeEventsCommand({ SourceName: "snap", MaxResults: 2, NextToken: page1.NextToken }));
    expect([...page1.Events!, ...page2.Events!].map((e) => e.Message)).toEqual(messages.slice(0, 4));

    const everyCluster = (await sdk.send(new DescribeEventsCommand({}))).Events!;
    expect(new Set(everyCluster.map((e) => e.SourceName))).toEqual(new Set(["snap", "restored"]));
    expect((await sdk.send(new DescribeEventsCommand({ SourceType: "user" }))).Events).toEqual([]);
    expect((await sdk.send(new DescribeEventsCommand({ StartTime: new Date(Date.now() + 60_000) }))).Events).toEqual([]);
    expect((await sdk.send(new DescribeEventsCommand({ SourceName: "snap", Duration: 1440 }))).Events!.length).toBe(all.length);
    expect(await faultOf(sdk.send(new DescribeEventsCommand({ StartTime: new Date(), EndTime: new Date(Date.now() - 60_000) })))).toBe(
      "InvalidParameterValueException",
    );
    expect(await faultOf(sdk.send(new DescribeEventsCommand({ SourceType: "galaxy" as any })))).toBe("InvalidParameterValueException");
    expect(await faultOf(sdk.send(new DescribeEventsCommand({ Duration: 20161 })))).toBe("InvalidParameterValueException");
  });

  it("shows a released maintenance version as a service update and applies it with BatchUpdateCluster", async () => {
    const updates = (clusters: string[]) => sdk.send(new DescribeServiceUpdatesCommand({ ClusterNames: clusters })).then((r) => r.ServiceUpdates!);
    expect(await updates(["snap", "restored"])).toEqual([]);
    expect(
      await faultOf(sdk.send(new BatchUpdateClusterCommand({ ClusterNames: ["snap"], ServiceUpdate: { ServiceUpdateNameToApply: PATCH.maintenanceVersion } }))),
    ).toBe("ServiceUpdateNotFoundFault");

    expect((await suite.cp.api("POST", `/v1/maintenanceVersions/${PATCH.maintenanceVersion}:release`)).status).toBe(200);
    // With a window, the worker schedules it there.
    const [scheduled] = await waitFor(
      () => updates(["snap"]),
      (u) => u[0]?.Status === "scheduled",
      30_000,
      200,
    );
    const windowStart = Date.UTC(windowDay.getUTCFullYear(), windowDay.getUTCMonth(), windowDay.getUTCDate(), 3);
    expect(scheduled).toMatchObject({
      ClusterName: "snap",
      ServiceUpdateName: PATCH.maintenanceVersion,
      Type: "security-update",
      Engine: "redis",
      NodesUpdated: "0/1",
      AutoUpdateStartDate: new Date(windowStart),
      ReleaseDate: expect.any(Date),
    });
    // Without a policy it runs at once: in progress, then complete.
    await waitFor(
      () => updates(["restored"]),
      (u) => u[0]?.Status === "complete",
      60_000,
      200,
    );
    expect((await updates(["restored"]))[0]!.NodesUpdated).toBe("1/1");
    expect((await sdk.send(new DescribeServiceUpdatesCommand({ Status: ["scheduled"] }))).ServiceUpdates!.map((u) => u.ClusterName)).toEqual(["snap"]);
    expect((await sdk.send(new DescribeServiceUpdatesCommand({ ServiceUpdateName: "19990101_00_00" }))).ServiceUpdates).toEqual([]);
    const paged = await sdk.send(new DescribeServiceUpdatesCommand({ MaxResults: 1 }));
    expect(paged.ServiceUpdates).toHaveLength(1);
    expect((await sdk.send(new DescribeServiceUpdatesCommand({ MaxResults: 1, NextToken: paged.NextToken }))).ServiceUpdates).toHaveLength(1);

    // Applied now, not in three days.
    const batch = await sdk.send(
      new BatchUpdateClusterCommand({ ClusterNames: ["snap", "nope", "restored"], ServiceUpdate: { ServiceUpdateNameToApply: PATCH.maintenanceVersion } }),
    );
    expect(batch.ProcessedClusters!.map((c) => [c.Name, c.Status])).toEqual([["snap", "updating"]]);
    expect(batch.UnprocessedClusters).toEqual([
      { ClusterName: "nope", ErrorType: "ClusterNotFoundFault", ErrorMessage: "Cluster nope not found" },
      { ClusterName: "restored", ErrorType: "InvalidParameterValueException", ErrorMessage: expect.stringContaining("already") },
    ]);
    const [complete] = await waitFor(
      () => updates(["snap"]),
      (u) => u[0]?.Status === "complete",
      60_000,
      200,
    );
    expect(complete!.NodesUpdated).toBe("1/1");
    const after = (await suite.cp.api("GET", `${LOC}/clusters/snap`)).body;
    expect(after.maintenanceVersion).toBe(PATCH.maintenanceVersion);
    for (const node of after.shards.flatMap((s: any) => s.nodes)) expect(await runningEngine(suite.cp, node.id)).toBe(suite.engines.expected(PATCH));
    expect(BASE_BUILD.maintenanceVersion < PATCH.maintenanceVersion).toBe(true);
  }, 180_000);

  it("deletes a cluster after its final backup is ACTIVE (native finalBackupId), and restores from it", async () => {
    const cluster = await createCluster("final");
    await writeKeys(cluster, "f");
    const taken = await suite.cp.api("POST", `${LOC}/clusters/final:backup`, { backupId: "taken" });
    expect((await suite.cp.waitOperation(taken.body.name, 60)).error).toBeUndefined();
    // A final backup id in use, or one of another cluster's snapshots: refused, and the cluster stays.
    const dup = await suite.cp.api("DELETE", `${LOC}/clusters/final?finalBackupId=taken`);
    expect(dup.status).toBe(409);
    const bad = await suite.cp.api("DELETE", `${LOC}/clusters/final?finalBackupId=Not_Valid`);
    expect(bad.status).toBe(400);
    expect((await suite.cp.api("GET", `${LOC}/clusters/final`)).body.state).toBe("ACTIVE");

    const uid = (await suite.cp.prisma.instance.findFirstOrThrow({ where: { instanceId: "final" } })).uid;
    const nodesBefore = await suite.cp.prisma.node.count({ where: { instanceUid: uid } });
    const del = await suite.cp.api("DELETE", `${LOC}/clusters/final?finalBackupId=last`);
    expect(del.status).toBe(200);
    expect((await suite.cp.api("GET", `${LOC}/clusters/final`)).body.state).toBe("DELETING");
    // Watched while it runs: no node is gone while the backup is not ACTIVE.
    const wrong: string[] = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const nodes = await suite.cp.prisma.node.count({ where: { instanceUid: uid } });
      const backup = await suite.cp.prisma.backup.findFirst({ where: { collectionUid: uid, backupId: "last" } });
      if (nodes < nodesBefore && backup?.state !== "ACTIVE") wrong.push(`${nodes} nodes, backup ${backup?.state}`);
      if ((await suite.cp.prisma.instance.count({ where: { uid } })) === 0) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(wrong).toEqual([]);
    const op = await suite.cp.waitOperation(del.body.name, 60);
    expect(op.error).toBeUndefined();
    expect((await suite.cp.api("GET", `${LOC}/clusters/final`)).status).toBe(404);

    // MemoryDB sees it as a snapshot of a cluster that is gone.
    expect(await snapshot("last")).toMatchObject({
      Status: "available",
      Source: "manual",
      ClusterConfiguration: { Name: "final", NumShards: 1, NodeType: "db.t4g.small" },
    });
    const back = await createCluster("final-back", { managedBackupSource: { backup: (await nativeBackup("last")).name } });
    expect(await countKeys(back, "f")).toBe(KEYS);
  }, 180_000);

  it("deletes a cluster's automatic snapshots with the cluster and keeps its manual ones, as MemoryDB does", async () => {
    // The first daily slot two minutes from now, crossed on the scheduler's clock.
    const first = new Date(Date.now() + 120_000);
    const schedule = {
      automatedBackupMode: "ENABLED",
      fixedFrequencySchedule: { startTime: { hours: first.getUTCHours(), minutes: first.getUTCMinutes() } },
      retention: "259200s",
    };
    await createCluster("autosnap", { automatedBackupConfig: schedule });
    const ofCluster = async (source: string) =>
      ((await sdk.send(new DescribeSnapshotsCommand({ ClusterName: "autosnap", Source: source }))).Snapshots ?? []).map((s) => ({
        Name: s.Name,
        Status: s.Status,
      }));
    try {
      suite.cp.clockOffsetMs = 180_000;
      await waitFor(
        () => ofCluster("automated"),
        (list) => list.length === 1 && list[0]!.Status === "available",
        90_000,
        200,
      );
    } finally {
      suite.cp.clockOffsetMs = 0;
    }
    // A snapshot is refused while the cluster settles from the last one (InvalidClusterStateFault,
    // as MemoryDB answers while it is not available): wait for available first, as a client must.
    const clusterAvailable = () =>
      waitFor(
        () => sdk.send(new DescribeClustersCommand({ ClusterName: "autosnap" })),
        (r) => r.Clusters?.[0]?.Status === "available",
        60_000,
        200,
      );
    await clusterAvailable();
    await sdk.send(new CreateSnapshotCommand({ ClusterName: "autosnap", SnapshotName: "autosnap-manual" }));
    await available("autosnap-manual");
    await clusterAvailable();

    const uid = (await suite.cp.prisma.instance.findFirstOrThrow({ where: { instanceId: "autosnap" } })).uid;
    expect((await sdk.send(new DeleteClusterCommand({ ClusterName: "autosnap" }))).Cluster?.Status).toBe("deleting");
    // Gone from the native backups too, not only hidden: the worker removes them with their files.
    const automatedRows = () => suite.cp.prisma.backup.count({ where: { collectionUid: uid, backupType: "AUTOMATED" } });
    await waitFor(automatedRows, (n) => n === 0, 60_000, 200);
    expect(await ofCluster("automated")).toEqual([]);
    expect(await snapshot("autosnap-manual")).toMatchObject({ Status: "available", Source: "manual" });
  }, 240_000);
});
