// Sharded clusters end to end, on both drivers: create with slots, zones and replicas; a real
// cluster client through the discovery endpoint only; online resharding under traffic with no
// failed command and no key lost; shard failover (killed primary, zone outage, :failoverShard);
// online replica and node type changes; delete leaving nothing behind.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { clusterClient, missingKeys, startClusterTraffic } from "../support/cluster-traffic.js";
import { freezeNode, killNode, leftoversFor, runningFor } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";

const BASE = "/v1/projects/default/locations/local1/clusters";
const NANO = "REDIS_SHARED_CORE_NANO";

/** Sum of the slots in ranges like ["0-5461", "7"]. */
const slotCount = (ranges: string[] = []) =>
  ranges.reduce((sum, r) => {
    const [a, b] = r.split("-").map(Number);
    return sum + (b ?? a!) - a! + 1;
  }, 0);

/** What a node says of itself: ROLE, and for a replica the port/host it follows. */
async function liveRole(host: string, port: number): Promise<string> {
  const redis = new Redis({ host, port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return ((await redis.role()) as unknown[])[0] as string;
  } catch {
    return "down";
  } finally {
    redis.disconnect();
  }
}

describe.each(DRIVERS)("clusters with the %s driver", (driver) => {
  let cp: TestControlPlane;
  const get = async (id: string) => (await cp.api("GET", `${BASE}/${id}`)).body;
  const waitActive = (id: string, check: (c: any) => boolean = () => true, timeoutMs = 60_000) =>
    waitFor(
      `${id} ACTIVE`,
      async () => {
        const c = await get(id);
        return c.state === "ACTIVE" && check(c) ? c : false;
      },
      timeoutMs,
      50,
    );
  const endpoint = (c: any) => c.discoveryEndpoints[0] as { address: string; port: number };
  const primaryOf = (c: any, shard: number) => c.shards[shard].nodes.find((n: any) => n.role === "PRIMARY");

  beforeAll(async () => {
    cp = await startTestControlPlane({ driver });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  let cluster: any;

  it("creates 3 shards x 1 replica: every slot served, primaries spread over zones, replicas elsewhere", async () => {
    const created = await cp.api("POST", `${BASE}?clusterId=c3`, { shardCount: 3, replicaCount: 1, nodeType: NANO });
    expect(created.status).toBe(200);
    const op = await cp.waitOperation(created.body.name, 60);
    expect(op.error).toBeUndefined();
    expect(op.response).toMatchObject({ "@type": "type.googleapis.com/google.cloud.redis.cluster.v1.Cluster", state: "ACTIVE", shardCount: 3 });
    cluster = await get("c3");
    expect(cluster.state).toBe("ACTIVE");
    expect(cluster.shards).toHaveLength(3);
    expect(cluster.shards.reduce((sum: number, s: any) => sum + slotCount(s.slots), 0)).toBe(16384);
    expect(cluster.shards.map((s: any) => slotCount(s.slots))).toEqual([5462, 5461, 5461]);
    const primaryZones = cluster.shards.map((s: any) => primaryOf(cluster, cluster.shards.indexOf(s)).zone);
    expect(new Set(primaryZones).size).toBe(3);
    for (const shard of cluster.shards) {
      const [primary, replica] = [shard.nodes.find((n: any) => n.role === "PRIMARY"), shard.nodes.find((n: any) => n.role === "REPLICA")];
      expect(replica.zone).not.toBe(primary.zone);
      expect(await liveRole(primary.host, primary.port)).toBe("master");
      expect(await liveRole(replica.host, replica.port)).toBe("slave");
    }
  });

  it("serves a cluster client given only the discovery endpoint, with keys on every shard", async () => {
    const { address, port } = endpoint(cluster);
    const client = clusterClient(address, port);
    try {
      for (let i = 0; i < 300; i++) await client.set(`key:${i}`, `v${i}`);
      for (let i = 0; i < 300; i++) expect(await client.get(`key:${i}`)).toBe(`v${i}`);
      const sizes = await Promise.all(client.nodes("master").map((n) => n.dbsize()));
      expect(sizes).toHaveLength(3);
      for (const size of sizes) expect(size).toBeGreaterThan(50);
    } finally {
      client.disconnect();
    }
  });

  it("serves node-redis createCluster and redis-cli -c through the same endpoint", async () => {
    const { address, port } = endpoint(cluster);
    const client = createCluster({ rootNodes: [{ url: `redis://${address}:${port}` }] });
    client.on("error", () => undefined);
    await client.connect();
    try {
      for (let i = 0; i < 50; i++) await client.set(`nr:${i}`, String(i));
      expect(await client.get("nr:17")).toBe("17");
      expect(client.masters).toHaveLength(3);
    } finally {
      await client.close();
    }
    const run = promisify(execFile);
    await run("redis-cli", ["-c", "-h", address, "-p", String(port), "SET", "cli:{x}", "y"]);
    expect((await run("redis-cli", ["-c", "-h", address, "-p", String(port), "GET", "cli:{x}"])).stdout.trim()).toBe("y");
  });

  it("reshards 3 -> 5 -> 2 under a cluster client: no failed command, no key lost", async () => {
    const { address, port } = endpoint(cluster);
    const traffic = startClusterTraffic(address, port, "reshard");
    try {
      for (const shardCount of [5, 2]) {
        await waitFor("traffic", async () => traffic.acked.length > 100);
        const patched = await cp.api("PATCH", `${BASE}/c3?updateMask=shardCount`, { shardCount });
        expect(patched.status).toBe(200);
        // A second reshard while this one runs is refused, not queued behind it.
        const again = await cp.api("PATCH", `${BASE}/c3?updateMask=shardCount`, { shardCount: 4 });
        expect(again.status).toBe(400);
        expect(again.body.error.status).toBe("FAILED_PRECONDITION");
        const op = await cp.waitOperation(patched.body.name, 120);
        expect(op.error).toBeUndefined();
        cluster = await waitActive("c3", (c) => c.shards.length === shardCount);
        expect(cluster.shards.map((s: any) => slotCount(s.slots))).toEqual(shardCount === 5 ? [3277, 3277, 3277, 3277, 3276] : [8192, 8192]);
      }
    } finally {
      await traffic.stop();
    }
    expect(traffic.errorMessages).toEqual([]);
    expect(traffic.errors).toBe(0);
    expect(traffic.wrongReads).toBe(0);
    expect(traffic.acked.length).toBeGreaterThan(200);
    expect(await missingKeys(endpoint(cluster).address, endpoint(cluster).port, traffic.acked)).toEqual([]);
    // The removed shards' nodes are gone, and no node remembers them.
    const nodes = await cp.prisma.node.findMany({ where: { instance: { instanceId: "c3" } } });
    expect(nodes).toHaveLength(4);
    expect(new Set(nodes.map((n) => n.shard))).toEqual(new Set([0, 1]));
    const redis = new Redis({ host: nodes[0]!.host, port: nodes[0]!.port });
    try {
      const view = (await redis.call("CLUSTER", "NODES")) as string;
      expect(view.trim().split("\n")).toHaveLength(4);
    } finally {
      redis.disconnect();
    }
  }, 180_000);

  it("fails a shard over when its primary is killed under writes; the old primary rejoins as a replica", async () => {
    const victim = primaryOf(cluster, 1);
    const { address, port } = endpoint(cluster);
    const traffic = startClusterTraffic(address, port, "kill");
    try {
      await waitFor("traffic", async () => traffic.acked.length > 50);
      const killedAt = Date.now();
      await killNode(cp, victim.id);
      cluster = await waitActive("c3", (c) => primaryOf(c, 1).id !== victim.id, 30_000);
      await waitFor("writes after failover", async () => traffic.okSince(killedAt + 100) > 50);
      await waitFor("old primary rejoins as a replica", async () => (await liveRole(victim.host, victim.port)) === "slave", 20_000);
    } finally {
      await traffic.stop();
    }
    const events = (await cp.api("GET", `${BASE}/c3/events`)).body.events.map((e: any) => e.type);
    expect(events).toContain("FAILOVER");
  }, 90_000);

  it(":failoverShard switches a shard's primary with no acknowledged write lost", async () => {
    cluster = await waitActive("c3");
    const before = primaryOf(cluster, 0);
    const { address, port } = endpoint(cluster);
    const traffic = startClusterTraffic(address, port, "manual");
    let acked: string[] = [];
    try {
      await waitFor("traffic", async () => traffic.acked.length > 50);
      const res = await cp.api("POST", `${BASE}/c3:failoverShard`, { shard: "0001", dataProtectionMode: "LIMITED_DATA_LOSS" });
      expect(res.status).toBe(200);
      const op = await cp.waitOperation(res.body.name, 30);
      expect(op.error).toBeUndefined();
      cluster = await waitActive("c3", (c) => primaryOf(c, 0).id !== before.id);
      await waitFor("writes after switchover", async () => traffic.acked.length > 300);
    } finally {
      await traffic.stop();
      acked = traffic.acked;
    }
    expect(await missingKeys(address, port, acked)).toEqual([]);
    // The discovery endpoint moved with shard 0001's new primary and still answers.
    const client = clusterClient(address, port);
    try {
      expect(await client.set("after-switchover", "1")).toBe("OK");
    } finally {
      client.disconnect();
    }
    expect(await liveRole(before.host, before.port)).toBe("slave");
  }, 90_000);

  it("a zone outage fails over the shards whose primary is there; the cluster keeps serving", async () => {
    cluster = await waitActive("c3");
    const zone = primaryOf(cluster, 0).zone;
    const { address, port } = endpoint(cluster);
    const traffic = startClusterTraffic(address, port, "zone");
    try {
      await waitFor("traffic", async () => traffic.acked.length > 50);
      expect((await cp.api("POST", `/v1/projects/default/locations/local1/zones/${zone}:fail`)).status).toBe(200);
      const failedAt = Date.now();
      await waitFor(
        "shard 0 fails over out of the zone",
        async () => {
          const c = await get("c3");
          return primaryOf(c, 0).zone !== zone ? c : false;
        },
        30_000,
      );
      await waitFor("writes during the outage", async () => traffic.okSince(failedAt + 200) > 100, 20_000);
      expect((await cp.api("POST", `/v1/projects/default/locations/local1/zones/${zone}:recover`)).status).toBe(200);
      cluster = await waitActive("c3", (c) => c.shards.every((s: any) => s.nodes.every((n: any) => n.state === "READY")), 60_000);
    } finally {
      await traffic.stop();
    }
    expect(await missingKeys(address, port, traffic.acked.slice(0, 50))).toEqual([]);
  }, 120_000);

  it("fences a hung shard primary (SIGSTOP / docker pause) and fails the shard over", async () => {
    cluster = await waitActive("c3");
    const victim = primaryOf(cluster, 1);
    await freezeNode(cp, victim.id);
    cluster = await waitActive("c3", (c) => primaryOf(c, 1).id !== victim.id, 30_000);
    await waitFor("the fenced node rejoins as a replica", async () => (await liveRole(victim.host, victim.port)) === "slave", 30_000);
    const client = clusterClient(endpoint(cluster).address, endpoint(cluster).port);
    try {
      for (let i = 0; i < 100; i++) await client.set(`after-hang:${i}`, "1");
    } finally {
      client.disconnect();
    }
  }, 90_000);

  it("changes replicaCount and nodeType online, shard by shard", async () => {
    const res = await cp.api("PATCH", `${BASE}/c3?updateMask=replicaCount,nodeType`, { replicaCount: 2, nodeType: "REDIS_STANDARD_SMALL" });
    expect(res.status).toBe(200);
    expect((await cp.waitOperation(res.body.name, 60)).error).toBeUndefined();
    cluster = await waitActive("c3");
    for (const shard of cluster.shards) {
      expect(shard.nodes).toHaveLength(3);
      for (const node of shard.nodes) {
        const redis = new Redis({ host: node.host, port: node.port });
        try {
          expect(((await redis.config("GET", "maxmemory")) as string[])[1]).toBe(String(Math.floor(6.5 * 1024 ** 3)));
        } finally {
          redis.disconnect();
        }
      }
    }
  }, 90_000);

  it("creates a 1 x 0 cluster with AOF that keeps its data across a node crash, and deletes clusters leaving nothing", async () => {
    const created = await cp.api("POST", `${BASE}?clusterId=c1&requestId=one-by-zero`, {
      shardCount: 1,
      nodeType: NANO,
      persistenceConfig: { mode: "AOF", aofConfig: { appendFsync: "ALWAYS" } },
    });
    const op = await cp.waitOperation(created.body.name, 60);
    expect(op.error).toBeUndefined();
    const one = await get("c1");
    expect(one.shards).toHaveLength(1);
    expect(one.shards[0].slots).toEqual(["0-16383"]);
    const client = clusterClient(endpoint(one).address, endpoint(one).port);
    try {
      for (let i = 0; i < 200; i++) await client.set(`solo:${i}`, String(i));
    } finally {
      client.disconnect();
    }
    // With no replica the shard's node is restarted, with every acknowledged write (AOF always).
    const node = one.shards[0].nodes[0];
    const before = (await runningFor(cp, node.id))[0]!.incarnation;
    await killNode(cp, node.id);
    await waitFor("restarted", async () => ((await runningFor(cp, node.id))[0]?.incarnation ?? before) !== before, 30_000);
    const back = await waitActive("c1");
    const again = clusterClient(endpoint(back).address, endpoint(back).port);
    try {
      for (let i = 0; i < 200; i++) expect(await again.get(`solo:${i}`)).toBe(String(i));
    } finally {
      again.disconnect();
    }
    const protectedRes = await cp.api("PATCH", `${BASE}/c1?updateMask=deletionProtectionEnabled`, { deletionProtectionEnabled: true });
    await cp.waitOperation(protectedRes.body.name);
    const refused = await cp.api("DELETE", `${BASE}/c1`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.status).toBe("FAILED_PRECONDITION");
    await cp.waitOperation((await cp.api("PATCH", `${BASE}/c1?updateMask=deletionProtectionEnabled`, { deletionProtectionEnabled: false })).body.name);

    const uids = (await cp.prisma.instance.findMany({ where: { kind: "CLUSTER" } })).map((r) => r.uid);
    for (const id of ["c1", "c3"]) {
      const del = await cp.api("DELETE", `${BASE}/${id}`);
      expect(del.status).toBe(200);
      expect((await cp.waitOperation(del.body.name, 60)).error).toBeUndefined();
      expect((await cp.api("GET", `${BASE}/${id}`)).status).toBe(404);
    }
    for (const uid of uids) expect(await leftoversFor(cp, uid)).toEqual([]);
    expect(await cp.prisma.node.count()).toBe(0);
  }, 120_000);
});
