// Backups end to end on real nodes: taken under writes from a replica (the primary never
// serves the sync), sealed at rest, listed in their collection, exported as a plain RDB that a
// bare redis-server loads with every key acknowledged before the request, deleted, expired.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRdbInBareRedis } from "../support/bare-redis.js";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { missingKeys, startClusterTraffic } from "../support/cluster-traffic.js";
import { waitFor } from "../support/processes.js";
import { endpointClient, startWriter } from "../support/traffic.js";

const LOC = "/v1/projects/default/locations/local1";

async function syncFull(host: string, port: number): Promise<number> {
  const redis = endpointClient(host, port);
  try {
    return Number(/sync_full:(\d+)/.exec(await redis.info("stats"))?.[1] ?? NaN);
  } finally {
    redis.disconnect();
  }
}

describe.each(DRIVERS)("backups with the %s driver", (driver) => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane({ driver });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it("backs an HA instance up from its replica under writes, sealed; exports an RDB a bare redis-server loads", async () => {
    const created = await cp.api("POST", `${LOC}/instances?instanceId=bk`, { tier: "STANDARD_HA", memorySizeGb: 1, replicaCount: 1 });
    await cp.waitOperation(created.body.name);
    const inst = (await cp.api("GET", `${LOC}/instances/bk`)).body;
    const primary = inst.nodes.find((n: any) => n.role === "PRIMARY");
    const replica = inst.nodes.find((n: any) => n.role === "REPLICA");
    const writer = startWriter(inst.host, inst.port, undefined, "bk");
    await waitFor("writes", async () => writer.acked.length > 200);
    const [primarySyncs, replicaSyncs] = [await syncFull(primary.host, primary.port), await syncFull(replica.host, replica.port)];

    const before = [...writer.acked];
    const op = await cp.api("POST", `${LOC}/instances/bk:backup`, { backupId: "first", ttl: "604800s" });
    expect(op.status).toBe(200);
    // One backup or update at a time.
    const second = await cp.api("POST", `${LOC}/instances/bk:backup`, { backupId: "second" });
    expect(second.status).toBe(400);
    expect(second.body.error.status).toBe("FAILED_PRECONDITION");
    const done = await cp.waitOperation(op.body.name);
    expect(done.error).toBeUndefined();
    expect(done.response["@type"]).toBe("type.googleapis.com/google.cloud.redis.v1.Instance");
    await writer.stop();

    // Taken from the replica: it served one full sync, the primary none.
    expect(await syncFull(replica.host, replica.port)).toBe(replicaSyncs + 1);
    expect(await syncFull(primary.host, primary.port)).toBe(primarySyncs);

    const collections = (await cp.api("GET", `${LOC}/backupCollections`)).body.backupCollections;
    expect(collections).toHaveLength(1);
    expect(collections[0]).toMatchObject({ instance: "projects/default/locations/local1/instances/bk", instanceUid: inst.uid ?? expect.any(String) });
    const bc = collections[0].uid;
    const backup = (await cp.api("GET", `${LOC}/backupCollections/${bc}/backups/first`)).body;
    expect(backup).toMatchObject({
      name: `projects/default/locations/local1/backupCollections/${bc}/backups/first`,
      state: "ACTIVE",
      backupType: "ON_DEMAND",
      shardCount: 1,
      replicaCount: 1,
      engineVersion: "REDIS_7_0",
      encryptionInfo: { encryptionType: "GOOGLE_DEFAULT_ENCRYPTION" },
      backupFiles: [{ fileName: "shard-0001.rdb", sizeBytes: expect.any(String), createTime: expect.any(String) }],
    });
    expect(Number(backup.totalSizeBytes)).toBeGreaterThan(1000);
    expect(Date.parse(backup.expireTime) - Date.parse(backup.createTime)).toBeGreaterThan(604_790_000);

    // Sealed at rest: 0600, and no key name readable in it.
    const dir = join(cp.dataDir, "backups", backup.uid);
    const [file] = await readdir(dir);
    const sealed = await readFile(join(dir, file!));
    expect((await stat(join(dir, file!))).mode & 0o777).toBe(0o600);
    expect(sealed.includes(Buffer.from("bk:1"))).toBe(false);
    expect(sealed.subarray(0, 5).toString()).not.toBe("REDIS");

    const exported = await cp.api("POST", `${LOC}/backupCollections/${bc}/backups/first:export`, { gcsBucket: "exports" });
    expect(exported.status).toBe(200);
    const exportDone = await cp.waitOperation(exported.body.name);
    expect(exportDone.error).toBeUndefined();
    expect(exportDone.response).toMatchObject({ "@type": "type.googleapis.com/google.cloud.redis.cluster.v1.Backup", state: "ACTIVE" });
    const bare = await loadRdbInBareRedis(join(cp.bucketsRoot, "exports", "first", "shard-0001.rdb"));
    try {
      const values = await bare.redis.mget(...before);
      expect(values.filter((v) => v !== "1")).toEqual([]);
    } finally {
      await bare.stop();
    }

    // Deleted: the Operation ends, the files go, the backup is NOT_FOUND.
    const removed = await cp.api("DELETE", `${LOC}/backupCollections/${bc}/backups/first`);
    expect(removed.status).toBe(200);
    expect((await cp.waitOperation(removed.body.name)).done).toBe(true);
    expect((await cp.api("GET", `${LOC}/backupCollections/${bc}/backups/first`)).status).toBe(404);
    await waitFor("the sealed files to go", async () => (await readdir(join(cp.dataDir, "backups"))).length === 0);
  });

  it("backs a cluster up, one sealed RDB per shard, every acknowledged key in one shard's file or another", async () => {
    const created = await cp.api("POST", `${LOC}/clusters?clusterId=bkc`, { shardCount: 2, replicaCount: 0, nodeType: "REDIS_SHARED_CORE_NANO" });
    await cp.waitOperation(created.body.name, 60);
    const cluster = (await cp.api("GET", `${LOC}/clusters/bkc`)).body;
    const { address, port } = cluster.discoveryEndpoints[0];
    const traffic = startClusterTraffic(address, port, "bkc", 1);
    await waitFor("cluster writes", async () => traffic.acked.length > 300);
    const before = [...traffic.acked];
    const op = await cp.api("POST", `${LOC}/clusters/bkc:backup`, {});
    const done = await cp.waitOperation(op.body.name, 60);
    await traffic.stop();
    expect(done.error).toBeUndefined();
    expect(done.response["@type"]).toBe("type.googleapis.com/google.cloud.redis.cluster.v1.Cluster");
    expect(await missingKeys(address, port, before)).toEqual([]);

    const backups = (await cp.api("GET", `${LOC}/backupCollections/-/backups`)).body.backups.filter((b: any) => b.cluster);
    expect(backups).toHaveLength(1);
    const backup = backups[0];
    expect(backup.backupId ?? backup.name.split("/").pop()).toMatch(/^\d{14}_[0-9a-f]{8}$/);
    expect(backup).toMatchObject({
      cluster: "projects/default/locations/local1/clusters/bkc",
      shardCount: 2,
      nodeType: "REDIS_SHARED_CORE_NANO",
      state: "ACTIVE",
    });
    expect(backup.backupFiles.map((f: any) => f.fileName)).toEqual(["shard-0001.rdb", "shard-0002.rdb"]);

    const id = backup.name.split("/").pop();
    const bc = backup.clusterUid;
    const exported = await cp.api("POST", `${LOC}/backupCollections/${bc}/backups/${id}:export`, { gcsBucket: "cluster-exports" });
    expect((await cp.waitOperation(exported.body.name)).error).toBeUndefined();
    const found = new Set<string>();
    for (const file of ["shard-0001.rdb", "shard-0002.rdb"]) {
      const bare = await loadRdbInBareRedis(join(cp.bucketsRoot, "cluster-exports", id, file));
      try {
        const values = await bare.redis.mget(...before);
        before.forEach((k, i) => {
          if (values[i] !== null) found.add(k);
        });
      } finally {
        await bare.stop();
      }
    }
    expect(before.filter((k) => !found.has(k))).toEqual([]);
  });

  it("expires a backup at its expireTime, by the scheduler's clock", async () => {
    const created = await cp.api("POST", `${LOC}/instances?instanceId=bk-ttl`, { tier: "BASIC", memorySizeGb: 1 });
    await cp.waitOperation(created.body.name);
    const op = await cp.api("POST", `${LOC}/instances/bk-ttl:backup`, { backupId: "short", ttl: "86400s" });
    expect((await cp.waitOperation(op.body.name)).error).toBeUndefined();
    const backup = (await cp.api("GET", `${LOC}/backupCollections/-/backups`)).body.backups.find((b: any) => b.name.endsWith("/backups/short"));
    expect(backup.state).toBe("ACTIVE");
    cp.clockOffsetMs = 2 * 86_400_000;
    try {
      await waitFor("the expired backup to be deleted", async () => (await cp.api("GET", `/v1/${backup.name}`)).status === 404);
    } finally {
      cp.clockOffsetMs = 0;
    }
  });

  it("takes an automated backup at each day's start time and deletes it after its retention", async () => {
    // The first slot: two minutes from now (UTC), so it falls after the instance's creation.
    const first = new Date(Date.now() + 120_000);
    const config = {
      automatedBackupMode: "ENABLED",
      fixedFrequencySchedule: { startTime: { hours: first.getUTCHours(), minutes: first.getUTCMinutes() } },
      retention: "86400s",
    };
    const created = await cp.api("POST", `${LOC}/instances?instanceId=bk-auto`, { tier: "BASIC", memorySizeGb: 1, automatedBackupConfig: config });
    await cp.waitOperation(created.body.name);
    expect((await cp.api("GET", `${LOC}/instances/bk-auto`)).body.automatedBackupConfig).toEqual(config);
    const automated = async () =>
      (await cp.api("GET", `${LOC}/backupCollections/-/backups`)).body.backups.filter(
        (b: any) => b.instance?.endsWith("/bk-auto") && b.backupType === "AUTOMATED",
      );
    expect(await automated()).toEqual([]);

    try {
      cp.clockOffsetMs = 180_000;
      const [taken] = await waitFor("the first automated backup", async () => {
        const list = await automated();
        return list.length === 1 && list[0].state === "ACTIVE" ? list : false;
      });
      expect(taken.name).toMatch(/\/backups\/auto-\d{12}$/);
      expect(
        Date.parse(taken.expireTime) - Date.parse(taken.name.match(/auto-(\d{12})/)![1].replace(/(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)/, "$1-$2-$3T$4:$5:00Z")),
      ).toBe(86_400_000);
      // A day later: the next slot is backed up, and the first is past its retention.
      cp.clockOffsetMs = 86_400_000 + 180_000;
      const next = await waitFor("the next day's backup, and the first one gone", async () => {
        const list = await automated();
        return list.length === 1 && list[0].name !== taken.name && list[0].state === "ACTIVE" ? list[0] : false;
      });
      expect(next.name).toMatch(/auto-\d{12}$/);
    } finally {
      cp.clockOffsetMs = 0;
    }
    // Turned off by PATCH: no more.
    const off = await cp.api("PATCH", `${LOC}/instances/bk-auto?updateMask=automatedBackupConfig`, {
      automatedBackupConfig: { automatedBackupMode: "DISABLED" },
    });
    expect(off.status).toBe(200);
    await cp.waitOperation(off.body.name);
    expect((await cp.api("GET", `${LOC}/instances/bk-auto`)).body.automatedBackupConfig.automatedBackupMode).toBe("DISABLED");
    const bad = await cp.api("PATCH", `${LOC}/instances/bk-auto?updateMask=automatedBackupConfig`, {
      automatedBackupConfig: { automatedBackupMode: "ENABLED" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/fixedFrequencySchedule/);
  });

  it("answers bad backup requests with the documented errors", async () => {
    const created = await cp.api("POST", `${LOC}/instances?instanceId=bk-err`, { tier: "BASIC", memorySizeGb: 1 });
    await cp.waitOperation(created.body.name);
    const bad = async (path: string, body: unknown, status: number, code: string, text?: RegExp) => {
      const res = await cp.api("POST", path, body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.status).toBe(code);
      if (text) expect(res.body.error.message).toMatch(text);
    };
    await bad(`${LOC}/instances/nope:backup`, {}, 404, "NOT_FOUND");
    await bad(`${LOC}/clusters/bk-err:backup`, {}, 404, "NOT_FOUND");
    await bad(`${LOC}/instances/bk-err:backup`, { backupId: "Bad Id" }, 400, "INVALID_ARGUMENT", /backupId/);
    await bad(`${LOC}/instances/bk-err:backup`, { ttl: "3600s" }, 400, "INVALID_ARGUMENT", /1 day/);
    await bad(`${LOC}/instances/bk-err:backup`, { unknown: 1 }, 400, "INVALID_ARGUMENT");
    const first = await cp.api("POST", `${LOC}/instances/bk-err:backup`, { backupId: "dup" });
    await cp.waitOperation(first.body.name);
    await bad(`${LOC}/instances/bk-err:backup`, { backupId: "dup" }, 409, "ALREADY_EXISTS");
    const bc = (await cp.api("GET", `${LOC}/backupCollections`)).body.backupCollections.find((c: any) => c.instance?.endsWith("/bk-err")).uid;
    await bad(`${LOC}/backupCollections/${bc}/backups/dup:export`, { gcsBucket: "../up" }, 400, "INVALID_ARGUMENT", /gcsBucket/);
    await bad(`${LOC}/backupCollections/${bc}/backups/none:export`, { gcsBucket: "fine" }, 404, "NOT_FOUND");
    expect((await cp.api("GET", `${LOC}/backupCollections/nope/backups`)).status).toBe(404);
    // A retried request with the same requestId is the same Operation.
    const a = await cp.api("POST", `${LOC}/instances/bk-err:backup`, { backupId: "again", requestId: "rq-1" });
    const b = await cp.api("POST", `${LOC}/instances/bk-err:backup`, { backupId: "again", requestId: "rq-1" });
    expect(b.body.name).toBe(a.body.name);
    await cp.waitOperation(a.body.name);
  });
});
