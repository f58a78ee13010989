// Crash safety of online resharding: the worker is SIGKILLed in the middle of a slot migration
// (slots left MIGRATING/IMPORTING on the nodes), and again after some batches have moved. A new
// worker finds what the nodes report and finishes it: the cluster ends healthy, no slot stays
// half-moved, and no key is lost. Runs against every driver.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseClusterNodes } from "@cacheplane/runtime";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { clusterClient, missingKeys } from "../support/cluster-traffic.js";
import { waitFor } from "../support/processes.js";
import { spawnWorker, type WorkerProcess } from "../support/worker-process.js";

const BASE = "/v1/projects/default/locations/local1/clusters";
const KEYS = 20_000;

/** Each node's own half-done moves, as CLUSTER NODES shows them. */
async function halfDoneMoves(nodes: { host: string; port: number }[]) {
  let count = 0;
  for (const node of nodes) {
    const redis = new Redis({ host: node.host, port: node.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      const view = parseClusterNodes((await redis.call("CLUSTER", "NODES")) as string);
      count += view.migrating.length + view.importing.length;
    } catch {
      // a node that does not answer has nothing half done to report
    } finally {
      redis.disconnect();
    }
  }
  return count;
}

describe.each(DRIVERS)("a worker killed mid-reshard, with the %s driver", (driver) => {
  let cp: TestControlPlane;
  let worker: WorkerProcess | undefined;
  const keys = Array.from({ length: KEYS }, (_, i) => `crash:${i}`);
  const get = async () => (await cp.api("GET", `${BASE}/crashy`)).body;
  const nodesOf = async () => cp.prisma.node.findMany({ where: { instance: { instanceId: "crashy" } } });

  beforeAll(async () => {
    cp = await startTestControlPlane({ worker: false, driver });
    worker = await spawnWorker(cp);
    const created = await cp.api("POST", `${BASE}?clusterId=crashy`, { shardCount: 2, nodeType: "REDIS_SHARED_CORE_NANO" });
    expect((await cp.waitOperation(created.body.name, 60)).error).toBeUndefined();
    const { address, port } = (await get()).discoveryEndpoints[0];
    const client = clusterClient(address, port);
    try {
      for (let i = 0; i < KEYS; i += 1000) await Promise.all(keys.slice(i, i + 1000).map((k) => client.set(k, k)));
    } finally {
      client.disconnect();
    }
  }, 120_000);
  afterAll(async () => {
    await worker?.kill();
    await cp?.stop();
  });

  it("finishes the slots a killed worker left MIGRATING/IMPORTING, then the reshard, losing no key", async () => {
    const patched = await cp.api("PATCH", `${BASE}/crashy?updateMask=shardCount`, { shardCount: 3 });
    expect(patched.status).toBe(200);
    // Kill it the moment a node reports a slot half moved.
    await waitFor("a slot half moved", async () => (await halfDoneMoves(await nodesOf())) > 0, 60_000, 1);
    await worker!.kill("SIGKILL");
    expect(await halfDoneMoves(await nodesOf())).toBeGreaterThan(0);

    worker = await spawnWorker(cp);
    const op = await cp.waitOperation(patched.body.name, 120);
    expect(op.error).toBeUndefined();
    const cluster = await waitFor(
      "ACTIVE",
      async () => {
        const c = await get();
        return c.state === "ACTIVE" && c.shards.length === 3 ? c : false;
      },
      60_000,
    );
    expect(await halfDoneMoves(await nodesOf())).toBe(0);
    const { address, port } = cluster.discoveryEndpoints[0];
    expect(await missingKeys(address, port, keys)).toEqual([]);
  }, 240_000);

  it("resumes a reshard killed between batches, and again mid-batch, from what the nodes report", async () => {
    const patched = await cp.api("PATCH", `${BASE}/crashy?updateMask=shardCount`, { shardCount: 4 });
    expect(patched.status).toBe(200);
    // First kill: once the new shard serves some of its slots (batches done, more to go).
    await waitFor(
      "some slots moved",
      async () => {
        const c = await get();
        const slots = c.shards[3]?.slots ?? [];
        return slots.length > 0 && c.state !== "ACTIVE";
      },
      60_000,
      5,
    );
    await worker!.kill("SIGKILL");
    // Second kill: the next worker, mid-batch.
    worker = await spawnWorker(cp);
    await waitFor("a slot half moved", async () => (await halfDoneMoves(await nodesOf())) > 0, 60_000, 1);
    await worker.kill("SIGKILL");

    worker = await spawnWorker(cp);
    const op = await cp.waitOperation(patched.body.name, 120);
    expect(op.error).toBeUndefined();
    const cluster = await waitFor(
      "ACTIVE",
      async () => {
        const c = await get();
        return c.state === "ACTIVE" && c.shards.length === 4 ? c : false;
      },
      60_000,
    );
    expect(cluster.shards.map((s: any) => s.slots.length > 0)).toEqual([true, true, true, true]);
    expect(await halfDoneMoves(await nodesOf())).toBe(0);
    const { address, port } = cluster.discoveryEndpoints[0];
    expect(await missingKeys(address, port, keys)).toEqual([]);
  }, 240_000);
});
