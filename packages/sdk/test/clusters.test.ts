// client.clusters against a real control plane: clusters made of real redis-server nodes in
// cluster mode, reached by ioredis's Cluster client through the URL the SDK hands out.
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { CacheplaneError, clusterRedisUrl, createCacheplaneClient, toArray, type CacheplaneClient } from "../src/index.js";

let cp: TestControlPlane;
let client: CacheplaneClient;

beforeAll(async () => {
  cp = await startTestControlPlane();
  client = createCacheplaneClient({ url: cp.url, apiKey: ADMIN_KEY });
});
afterAll(async () => {
  await cp?.stop();
});

async function caught(promise: Promise<unknown>): Promise<CacheplaneError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CacheplaneError);
  return error as CacheplaneError;
}

/** Writes keys with many hash tags through a cluster client and reads them back; resolves with
 *  each primary's key count, so a caller can check that every shard got some. */
async function writeAcrossSlots(url: string, keys = 24): Promise<number[]> {
  const redis = new Cluster([url], { redisOptions: { maxRetriesPerRequest: 2 } });
  try {
    const names = Array.from({ length: keys }, (_, i) => `{${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26)}}x`);
    for (const key of names) expect(await redis.set(key, `v-${key}`)).toBe("OK");
    for (const key of names) expect(await redis.get(key)).toBe(`v-${key}`);
    return await Promise.all(redis.nodes("master").map((node) => node.dbsize()));
  } finally {
    redis.disconnect();
  }
}

describe("clusters on a real control plane", () => {
  it("creates a 1-shard cluster with createAndWait: ACTIVE, every slot on shard 0001, a URL a cluster client uses", async () => {
    const progress: string[] = [];
    const cluster = await client.clusters.createAndWait(
      "sdk-one",
      { shardCount: 1, replicaCount: 0, deletionProtectionEnabled: true, labels: { suite: "sdk" } },
      { timeoutMs: 60_000, onProgress: (op) => progress.push(op.metadata.statusDetail) },
    );
    expect(cluster).toMatchObject({
      name: "projects/default/locations/local1/clusters/sdk-one",
      state: "ACTIVE",
      shardCount: 1,
      replicaCount: 0,
      deletionProtectionEnabled: true,
      labels: { suite: "sdk" },
    });
    expect(progress.length).toBeGreaterThan(0);
    expect(cluster.shards).toHaveLength(1);
    expect(cluster.shards![0]).toMatchObject({ id: "0001", slots: ["0-16383"] });
    expect(cluster.shards![0]!.nodes).toHaveLength(1);
    expect(cluster.sizeGb).toBeGreaterThan(0);

    const url = await client.clusters.redisUrl("sdk-one");
    const endpoint = cluster.discoveryEndpoints![0]!;
    expect(url).toBe(`redis://${endpoint.address}:${endpoint.port}`);
    expect(url).toBe(clusterRedisUrl(cluster));
    expect(await writeAcrossSlots(url)).toEqual([24]);
  });

  it("creates a 3-shard cluster whose keys land on every shard's primary", async () => {
    const cluster = await client.clusters.createAndWait("sdk-three", { shardCount: 3 }, { timeoutMs: 60_000 });
    expect(cluster.state).toBe("ACTIVE");
    expect(cluster.shards!.map((s) => [s.id, s.slots])).toEqual([
      ["0001", ["0-5461"]],
      ["0002", ["5462-10922"]],
      ["0003", ["10923-16383"]],
    ]);
    const perPrimary = await writeAcrossSlots(await client.clusters.redisUrl(cluster));
    expect(perPrimary).toHaveLength(3);
    for (const count of perPrimary) expect(count).toBeGreaterThan(0);
    expect(perPrimary.reduce((a, b) => a + b, 0)).toBe(24);
  });

  it("gets, lists every page, and reads the event log", async () => {
    const page = await client.clusters.list({ pageSize: 1 });
    expect(page.clusters).toHaveLength(1);
    expect(page.nextPageToken).toBeTruthy();
    const all = await toArray(client.clusters.all({ pageSize: 1 }));
    expect(all.map((c) => c.name)).toEqual(["projects/default/locations/local1/clusters/sdk-one", "projects/default/locations/local1/clusters/sdk-three"]);
    // A full name works wherever an id does.
    expect((await client.clusters.get("projects/default/locations/local1/clusters/sdk-three")).shardCount).toBe(3);

    const events = await toArray(client.clusters.allEvents("sdk-one", { pageSize: 2 }));
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.map((e) => e.type)).toContain("CREATE_REQUESTED");
    expect(events.at(-1)!.type).toBe("CREATE_REQUESTED"); // newest first
  });

  it("maps cluster errors: not found, duplicate, invalid shape, failover without replicas or of a missing shard", async () => {
    expect(await caught(client.clusters.get("no-such-cluster"))).toMatchObject({ status: "NOT_FOUND", code: 404 });
    expect(await caught(client.clusters.create("sdk-one", { shardCount: 1 }))).toMatchObject({ status: "ALREADY_EXISTS" });
    const invalid = await caught(client.clusters.create("sdk-bad", { shardCount: 65 }));
    expect(invalid.status).toBe("INVALID_ARGUMENT");
    expect(invalid.fieldViolations.map((v) => v.field)).toContain("shardCount");
    expect(await caught(client.clusters.failoverShard("sdk-one", { shard: "0001" }))).toMatchObject({ status: "FAILED_PRECONDITION" });
    const missingShard = await caught(client.clusters.failoverShard("sdk-three", { shard: "0009" }));
    expect(missingShard.status).toBe("INVALID_ARGUMENT");
    expect(missingShard.message).toMatch(/0009/);
  });

  it("refuses to delete a protected cluster until an update turns protection off; then deletes both", async () => {
    expect(await caught(client.clusters.delete("sdk-one"))).toMatchObject({ status: "FAILED_PRECONDITION" });
    const unprotect = await client.clusters.update("sdk-one", { deletionProtectionEnabled: false, labels: { suite: "sdk", step: "delete" } });
    expect(unprotect.metadata.verb).toBe("update");
    const updated = await client.operations.wait(unprotect, { timeoutMs: 30_000 });
    expect(updated.response).toMatchObject({ deletionProtectionEnabled: false, labels: { step: "delete" } });

    const ops = await Promise.all(["sdk-one", "sdk-three"].map((id) => client.clusters.delete(id)));
    for (const op of ops) expect((await client.operations.wait(op, { timeoutMs: 30_000 })).done).toBe(true);
    for (const id of ["sdk-one", "sdk-three"]) expect((await caught(client.clusters.get(id))).status).toBe("NOT_FOUND");
    expect((await client.clusters.list()).clusters).toEqual([]);
  });
});
