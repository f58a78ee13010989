// client.backups, instances.backup/import/export, clusters.backup and the test helpers' `from`
// against a real control plane: backups of real nodes, restored into new caches and clusters,
// exported as RDB files a bucket holds.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { CacheplaneError, createCacheplaneClient, toArray, type Backup, type CacheplaneClient } from "../src/index.js";
import { provisionTestCache, provisionTestCluster, useTestCache, type TestCache } from "../src/testing.js";

const LOC = "projects/default/locations/local1";
const KEYS = 200;

let cp: TestControlPlane;
let client: CacheplaneClient;
let source: TestCache;
let seed: Backup;

/** The dataset every restore must bring back: KEYS strings, a hash, and a key with a ttl. */
async function writeDataset(url: string) {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const pipeline = redis.pipeline();
    for (let i = 0; i < KEYS; i++) pipeline.set(`k:${i}`, `v${i}`);
    pipeline.hset("k:hash", { field: "value" });
    pipeline.set("k:ttl", "x", "EX", 3600);
    await pipeline.exec();
  } finally {
    redis.disconnect();
  }
}

/** Asserts the dataset is there, and nothing else. */
async function expectDataset(redis: Redis | Cluster) {
  const keys = Array.from({ length: KEYS }, (_, i) => `k:${i}`);
  const values = await Promise.all(keys.map((k) => redis.get(k)));
  expect(values.filter((v, i) => v !== `v${i}`)).toEqual([]);
  expect(await redis.hget("k:hash", "field")).toBe("value");
  expect(await redis.ttl("k:ttl")).toBeGreaterThan(3000);
  const sizes = redis instanceof Cluster ? await Promise.all(redis.nodes("master").map((n) => n.dbsize())) : [await redis.dbsize()];
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(KEYS + 2);
  return sizes;
}

async function withRedis<T>(url: string, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

async function caught(promise: Promise<unknown>): Promise<CacheplaneError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CacheplaneError);
  return error as CacheplaneError;
}

const options = () => ({ url: cp.url, apiKey: ADMIN_KEY });

beforeAll(async () => {
  cp = await startTestControlPlane();
  client = createCacheplaneClient(options());
  source = await provisionTestCache({ ...options(), idPrefix: "sdk-src", authEnabled: true });
  await writeDataset(source.url);
  seed = await client.instances.backupAndWait(source.id, { backupId: "seed", ttl: "604800s", timeoutMs: 30_000 });
}, 60_000);
afterAll(async () => {
  await source?.dispose();
  await cp?.stop();
});

describe("backups of an instance", () => {
  it("backupAndWait resolves with the ACTIVE backup, found in its collection by every lookup", async () => {
    expect(seed).toMatchObject({
      name: expect.stringMatching(new RegExp(`^${LOC}/backupCollections/[0-9a-f-]+/backups/seed$`)),
      instance: `${LOC}/instances/${source.id}`,
      state: "ACTIVE",
      shardCount: 1,
      backupFiles: [{ fileName: "shard-0001.rdb" }],
    });
    expect(Number(seed.totalSizeBytes)).toBeGreaterThan(1000);
    expect(Date.parse(seed.expireTime!) - Date.parse(seed.createTime)).toBeGreaterThan(604_790_000);

    const collections = await client.backups.listCollections();
    expect(collections.backupCollections.map((c) => c.instance)).toEqual([`${LOC}/instances/${source.id}`]);
    const uid = collections.backupCollections[0]!.uid;
    expect(seed.instanceUid).toBe(uid);
    expect((await client.backups.getCollection(uid)).name).toBe(`${LOC}/backupCollections/${uid}`);
    expect((await client.backups.getCollection(`${LOC}/backupCollections/${uid}`)).uid).toBe(uid);

    // By full name, by (collection, id), in "-" (the default) and in its own collection.
    expect((await client.backups.get(seed.name)).uid).toBe(seed.uid);
    expect((await client.backups.get(uid, "seed")).uid).toBe(seed.uid);
    expect((await client.backups.list()).backups.map((b) => b.name)).toContain(seed.name);
    expect((await toArray(client.backups.all({ collection: uid }))).map((b) => b.name)).toEqual([seed.name]);
  });

  it("without a backupId, the backup gets Memorystore's default name and latestOf finds it", async () => {
    const op = await client.instances.backup(source.id);
    expect(op.metadata).toMatchObject({ verb: "backup", target: `${LOC}/instances/${source.id}` });
    // One backup or update at a time.
    expect(await caught(client.instances.backup(source.id, { backupId: "racing" }))).toMatchObject({ status: "FAILED_PRECONDITION" });
    const done = await client.operations.wait(op, { timeoutMs: 30_000 });
    expect((done.response as { name?: string }).name).toBe(`${LOC}/instances/${source.id}`);
    const latest = await client.backups.latestOf(`${LOC}/instances/${source.id}`);
    expect(latest.name.split("/").pop()).toMatch(/^\d{14}_[0-9a-f]{8}$/);
    expect(latest.state).toBe("ACTIVE");
    const all = await toArray(client.backups.all({ pageSize: 1 }));
    expect(all.map((b) => b.name).sort()).toEqual([seed.name, latest.name].sort());
    // Not needed any more.
    await client.operations.wait(await client.backups.delete(latest.name), { timeoutMs: 30_000 });
  });

  it("maps errors: a bare backup id (refused locally), unknown backup, a ttl under a day", async () => {
    const bare = await caught(client.backups.get("seed"));
    expect(bare.status).toBe("INVALID_ARGUMENT");
    expect(bare.message).toMatch(/not a backup name/);
    expect(await caught(client.backups.get(seed.instanceUid!, "nope"))).toMatchObject({ status: "NOT_FOUND", code: 404 });
    const ttl = await caught(client.instances.backup(source.id, { ttl: "3600s" }));
    expect(ttl.status).toBe("INVALID_ARGUMENT");
    expect(ttl.fieldViolations.map((v) => v.field)).toContain("ttl");
  });
});

describe("useTestCache with from", () => {
  const cache = useTestCache({ beforeAll, afterAll }, () => ({ ...options(), idPrefix: "sdk-from", from: seed.name }));

  it("gets a READY cache that already holds the backup's keys", async () => {
    expect(cache.instance.state).toBe("READY");
    await withRedis(cache.url, expectDataset);
    const events = await toArray(cache.client.instances.allEvents(cache.id));
    expect(events.map((e) => e.type)).toContain("IMPORT_REQUESTED");
  });
});

describe("provisionTestCache and provisionTestCluster with from; export and import; delete", () => {
  it("provisionTestCache from a backup; a backup that is not there fails setup and leaves nothing behind", async () => {
    const cache = await provisionTestCache({ ...options(), idPrefix: "sdk-prov", from: seed.name });
    try {
      await withRedis(cache.url, expectDataset);
      // Export the source, then import that file over this cache's data.
      await withRedis(cache.url, (r) => r.set("only-here", "1"));
      const exported = await client.operations.wait(await client.instances.export(source.id, "gs://sdk-bucket/dumps/src.rdb"), { timeoutMs: 30_000 });
      expect(exported.error).toBeUndefined();
      expect((await readFile(join(cp.bucketsRoot, "sdk-bucket", "dumps", "src.rdb"))).subarray(0, 5).toString()).toBe("REDIS");
      const imported = await client.instances.import(cache.id, { gcsUri: "gs://sdk-bucket/dumps/src.rdb" });
      expect(imported.metadata.verb).toBe("import");
      expect((await client.instances.get(cache.id)).state).toBe("IMPORTING");
      await client.operations.wait(imported, { timeoutMs: 30_000 });
      await withRedis(cache.url, async (r) => {
        expect(await r.get("only-here")).toBeNull();
        await expectDataset(r);
      });
    } finally {
      await cache.dispose();
    }

    const id = "sdk-missing-from";
    const missing = await caught(provisionTestCache({ ...options(), from: `${seed.name}-gone` }, id));
    expect(missing.status).toBe("NOT_FOUND");
    expect(await caught(client.instances.get(id))).toMatchObject({ status: "NOT_FOUND" });
    const verbs = (await toArray(client.operations.all())).filter((o) => o.metadata.target.endsWith(`/${id}`)).map((o) => o.metadata.verb);
    expect(verbs.sort()).toEqual(["create", "delete"]);
  });

  it("provisionTestCluster from an instance's backup spreads its keys over the shards; the cluster's own backup has a file per shard", async () => {
    const cluster = await provisionTestCluster({ ...options(), idPrefix: "sdk-cl", shardCount: 2, nodeType: "REDIS_SHARED_CORE_NANO", from: seed.name });
    try {
      const redis = new Cluster([cluster.url], { redisOptions: { maxRetriesPerRequest: 2 } });
      try {
        const sizes = await expectDataset(redis);
        expect(sizes).toHaveLength(2);
        expect(Math.min(...sizes)).toBeGreaterThan(50);
      } finally {
        redis.disconnect();
      }
      const backup = await client.clusters.backupAndWait(cluster.id, { timeoutMs: 30_000 });
      expect(backup).toMatchObject({ cluster: cluster.cluster.name, clusterUid: cluster.cluster.uid, shardCount: 2, state: "ACTIVE" });
      expect(backup.backupFiles.map((f) => f.fileName)).toEqual(["shard-0001.rdb", "shard-0002.rdb"]);
      await client.operations.wait(await client.backups.delete(backup.name), { timeoutMs: 30_000 });
    } finally {
      await cluster.dispose();
    }
  });

  it("exports a backup as plain RDB to a bucket, then deletes it", async () => {
    const exported = await client.operations.wait(await client.backups.export(seed.name, "sdk-exports"), { timeoutMs: 30_000 });
    expect(exported.response).toMatchObject({ name: seed.name, state: "ACTIVE" });
    const file = await readFile(join(cp.bucketsRoot, "sdk-exports", "seed", "shard-0001.rdb"));
    expect(file.subarray(0, 5).toString()).toBe("REDIS");
    expect(file.includes(Buffer.from("k:199"))).toBe(true);

    const removed = await client.backups.delete(seed.name);
    expect(removed.metadata).toMatchObject({ verb: "delete", target: seed.name });
    await client.operations.wait(removed, { timeoutMs: 30_000 });
    expect(await caught(client.backups.get(seed.name))).toMatchObject({ status: "NOT_FOUND" });
    expect((await client.backups.list()).backups).toEqual([]);
  });
});
