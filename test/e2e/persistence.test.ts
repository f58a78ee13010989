// Persistence end to end, on both drivers: persistenceConfig applied live to the running nodes
// (CONFIG GET, same process/container), a node killed with SIGKILL coming back with its data
// (AOF ALWAYS under writes: no acknowledged write lost; RDB: the keys of its last snapshot), a
// node without persistence coming back empty, and the event that says which it was.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { missingKeys, startClusterTraffic } from "../support/cluster-traffic.js";
import { killNode, runningFor } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";

const INSTANCES = "/v1/projects/default/locations/local1/instances";
const CLUSTERS = "/v1/projects/default/locations/local1/clusters";
const NANO = "REDIS_SHARED_CORE_NANO";

/** One node's live values of `names` (CONFIG GET), straight from the node. */
async function liveConfig(node: { host: string; port: number }, ...names: string[]): Promise<Record<string, string>> {
  const redis = new Redis({ host: node.host, port: node.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    const out: Record<string, string> = {};
    for (const name of names) out[name] = ((await redis.config("GET", name)) as string[])[1]!;
    return out;
  } finally {
    redis.disconnect();
  }
}

/** BGSAVE, then waits until that snapshot is on disk (no writes meanwhile). */
async function snapshot(redis: Redis) {
  const saves = (text: string) => Number(/rdb_saves:(\d+)/.exec(text)?.[1]);
  const before = saves(await redis.info("persistence"));
  await redis.bgsave();
  await waitFor("the BGSAVE to finish", async () => {
    const text = await redis.info("persistence");
    if (text.includes("rdb_last_bgsave_status:err")) throw new Error("BGSAVE failed");
    return saves(text) > before && text.includes("rdb_bgsave_in_progress:0") && text.includes("rdb_changes_since_last_save:0");
  });
}

describe.each(DRIVERS)("persistence with the %s driver", (driver) => {
  let cp: TestControlPlane;
  const getInstance = async (id: string) => (await cp.api("GET", `${INSTANCES}/${id}`)).body;
  const getCluster = async (id: string) => (await cp.api("GET", `${CLUSTERS}/${id}`)).body;
  const waitReady = (id: string) =>
    waitFor(
      `${id} READY`,
      async () => {
        const i = await getInstance(id);
        return i.state === "READY" && i.nodes.every((n: any) => n.state === "READY") ? i : false;
      },
      30_000,
    );
  const waitActive = (id: string) =>
    waitFor(
      `${id} ACTIVE`,
      async () => {
        const c = await getCluster(id);
        return c.state === "ACTIVE" ? c : false;
      },
      30_000,
    );
  const incarnation = async (nodeId: string) => (await runningFor(cp, nodeId))[0]?.incarnation;
  /** Kills the node as a crash would and waits until the worker has started it again. */
  const killAndAwaitRestart = async (nodeId: string) => {
    const before = await incarnation(nodeId);
    expect(before).toBeDefined();
    await killNode(cp, nodeId);
    await waitFor(
      `${nodeId} restarted`,
      async () => {
        const now = await incarnation(nodeId);
        return now !== undefined && now !== before;
      },
      30_000,
    );
  };
  const restartEvents = async (collection: string, id: string) =>
    ((await cp.api("GET", `${collection}/${id}/events`)).body.events as { type: string; message: string }[]).filter((e) => e.type === "NODE_RESTARTED");
  const update = async (path: string, body: unknown) => {
    const res = await cp.api("PATCH", path, body);
    expect(res.status).toBe(200);
    const op = await cp.waitOperation(res.body.name, 60);
    expect(op.error).toBeUndefined();
  };
  const createInstance = async (id: string, persistenceConfig: unknown) => {
    const created = await cp.api("POST", `${INSTANCES}?instanceId=${id}`, { tier: "BASIC", memorySizeGb: 1, persistenceConfig });
    expect(created.status).toBe(200);
    expect((await cp.waitOperation(created.body.name, 60)).error).toBeUndefined();
    return getInstance(id);
  };

  beforeAll(async () => {
    cp = await startTestControlPlane({ driver });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it("turns RDB on live on an instance: CONFIG GET save shows the period, the node is not restarted", async () => {
    const instance = await createInstance("rdb-1", { persistenceMode: "DISABLED" });
    const node = instance.nodes[0];
    expect(await liveConfig(node, "save", "appendonly")).toEqual({ save: "", appendonly: "no" });
    const before = await incarnation(node.id);

    await update(`${INSTANCES}/rdb-1?updateMask=persistence_config`, { persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" } });
    expect(await liveConfig(node, "save")).toEqual({ save: "3600 1" });
    expect((await getInstance("rdb-1")).persistenceConfig).toMatchObject({ persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" });
    await update(`${INSTANCES}/rdb-1?updateMask=persistenceConfig`, { persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "TWELVE_HOURS" } });
    expect(await liveConfig(node, "save")).toEqual({ save: "43200 1" });
    expect(await incarnation(node.id)).toBe(before);
  });

  it("brings an RDB instance killed with SIGKILL back with the keys of its last snapshot, and says so", async () => {
    const instance = await waitReady("rdb-1");
    const node = instance.nodes[0];
    const redis = endpointClient(instance.host, instance.port);
    const snapped = Array.from({ length: 2000 }, (_, i) => `snap:${i}`);
    const later = Array.from({ length: 50 }, (_, i) => `late:${i}`);
    try {
      for (let i = 0; i < snapped.length; i += 500) await Promise.all(snapped.slice(i, i + 500).map((k) => redis.set(k, k)));
      // The `save` schedule is hours away: snapshot now, as a scheduled one would.
      await snapshot(redis);
      for (const k of later) await redis.set(k, k);
    } finally {
      redis.disconnect();
    }
    expect(existsSync(join(cp.nodesRoot, node.id, "dump.rdb"))).toBe(true);

    await killAndAwaitRestart(node.id);
    const back = await waitReady("rdb-1");
    const after = endpointClient(back.host, back.port);
    try {
      const values = await Promise.all(snapped.map((k) => after.get(k)));
      expect(snapped.filter((k, i) => values[i] !== k)).toEqual([]);
      // Writes after the snapshot are gone: the node really came back from its RDB file.
      expect(await after.exists(...later)).toBe(0);
      expect(await after.info("persistence")).toContain(`rdb_last_load_keys_loaded:${snapped.length}`);
    } finally {
      after.disconnect();
    }
    const events = await restartEvents(INSTANCES, "rdb-1");
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toMatch(new RegExp(`^Node ${node.id} .*from its last RDB snapshot`));
  });

  it("brings a BASIC instance without persistence back empty after SIGKILL, and says so", async () => {
    const instance = await createInstance("off-1", { persistenceMode: "DISABLED" });
    const node = instance.nodes[0];
    // Its first start (the create) is no restart.
    expect(await restartEvents(INSTANCES, "off-1")).toEqual([]);
    const redis = endpointClient(instance.host, instance.port);
    try {
      await Promise.all(Array.from({ length: 200 }, (_, i) => redis.set(`k:${i}`, "v")));
      // A snapshot left on disk (as a manual BGSAVE, or a replica's full sync, leaves one) must
      // not bring stale keys back: with persistence off the node comes back empty.
      await snapshot(redis);
      expect(await redis.dbsize()).toBe(200);
    } finally {
      redis.disconnect();
    }

    await killAndAwaitRestart(node.id);
    const back = await waitReady("off-1");
    const after = endpointClient(back.host, back.port);
    try {
      expect(await after.dbsize()).toBe(0);
      await after.set("alive", "yes"); // empty, and serving
      expect(await after.get("alive")).toBe("yes");
    } finally {
      after.disconnect();
    }
    const events = await restartEvents(INSTANCES, "off-1");
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toMatch(new RegExp(`^Node ${node.id} .*empty: persistence is off`));
  });

  it("turns AOF on, to ALWAYS, and off again live on every node of a cluster", async () => {
    const created = await cp.api("POST", `${CLUSTERS}?clusterId=aof-live`, {
      shardCount: 1,
      replicaCount: 1,
      nodeType: NANO,
      persistenceConfig: { mode: "DISABLED" },
    });
    expect(created.status).toBe(200);
    expect((await cp.waitOperation(created.body.name, 60)).error).toBeUndefined();
    const nodes = (await getCluster("aof-live")).shards.flatMap((s: any) => s.nodes);
    expect(nodes).toHaveLength(2);
    const before = await Promise.all(nodes.map((n: any) => incarnation(n.id)));
    const everyNode = async () => Promise.all(nodes.map((n: any) => liveConfig(n, "appendonly", "appendfsync", "save")));
    expect(await everyNode()).toEqual(nodes.map(() => ({ appendonly: "no", appendfsync: "everysec", save: "" })));

    const path = `${CLUSTERS}/aof-live?updateMask=persistence_config`;
    await update(path, { persistenceConfig: { mode: "AOF", aofConfig: { appendFsync: "EVERYSEC" } } });
    expect(await everyNode()).toEqual(nodes.map(() => ({ appendonly: "yes", appendfsync: "everysec", save: "" })));
    await update(path, { persistenceConfig: { mode: "AOF", aofConfig: { appendFsync: "ALWAYS" } } });
    expect(await everyNode()).toEqual(nodes.map(() => ({ appendonly: "yes", appendfsync: "always", save: "" })));
    expect((await getCluster("aof-live")).persistenceConfig).toMatchObject({ mode: "AOF", aofConfig: { appendFsync: "ALWAYS" } });
    await update(path, { persistenceConfig: { mode: "DISABLED" } });
    expect(await everyNode()).toEqual(nodes.map(() => ({ appendonly: "no", appendfsync: "everysec", save: "" })));

    expect(await Promise.all(nodes.map((n: any) => incarnation(n.id)))).toEqual(before);
    const del = await cp.api("DELETE", `${CLUSTERS}/aof-live`);
    expect((await cp.waitOperation(del.body.name, 60)).error).toBeUndefined();
  });

  it("loses no acknowledged write when a shard's only node, with AOF ALWAYS, is killed under writes", async () => {
    const created = await cp.api("POST", `${CLUSTERS}?clusterId=aof-kill`, {
      shardCount: 2,
      replicaCount: 0,
      nodeType: NANO,
      persistenceConfig: { mode: "AOF", aofConfig: { appendFsync: "ALWAYS" } },
    });
    expect(created.status).toBe(200);
    expect((await cp.waitOperation(created.body.name, 60)).error).toBeUndefined();
    const cluster = await getCluster("aof-kill");
    const { address, port } = cluster.discoveryEndpoints[0];
    const victim = cluster.shards[1].nodes.find((n: any) => n.role === "PRIMARY");
    expect(await restartEvents(CLUSTERS, "aof-kill")).toEqual([]);

    const traffic = startClusterTraffic(address, port, "aof", 2);
    let ackedAtKill = 0;
    try {
      // Enough acknowledged writes on the shard to be killed that a lost one would show.
      const direct = endpointClient(victim.host, victim.port);
      try {
        await waitFor("writes on the victim shard", async () => (await direct.dbsize()) >= 300, 30_000);
      } finally {
        direct.disconnect();
      }
      ackedAtKill = traffic.acked.length;
      await killAndAwaitRestart(victim.id);
      await waitActive("aof-kill");
      const since = Date.now();
      await waitFor("writes to flow again", async () => traffic.okSince(since) >= 200, 30_000);
    } finally {
      await traffic.stop();
    }
    // Every write acknowledged before the kill (and after it) is there; reads never saw a gap.
    expect(ackedAtKill).toBeGreaterThan(300);
    expect(await missingKeys(address, port, traffic.acked.slice(0, ackedAtKill))).toEqual([]);
    expect(await missingKeys(address, port, traffic.acked.slice(ackedAtKill))).toEqual([]);
    expect(traffic.wrongReads).toBe(0);
    expect(existsSync(join(cp.nodesRoot, victim.id, "appendonlydir", "appendonly.aof.manifest"))).toBe(true);

    const events = await restartEvents(CLUSTERS, "aof-kill");
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toMatch(new RegExp(`^Node ${victim.id} .*from its AOF`));
  });
});
