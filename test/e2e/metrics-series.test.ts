// The metrics history end to end: the worker samples every node's INFO on its interval into
// Postgres, and GET …/metrics turns the samples into series that move with what the nodes do,
// follow a failover, survive a worker restart, and refuse a bad window or step in Google's
// envelope. One shared STANDARD_HA instance (auth on: the sampler connects as the control plane),
// one small cluster, and a BASIC instance per driver.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestSamples, samplesOf } from "@cacheplane/db";
import { createCacheplaneClient } from "@cacheplane/sdk";
import { ADMIN_KEY, DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { waitFor } from "../support/processes.js";

const LOC = "/v1/projects/default/locations/local1";
/** Short, so a series moves within a second or two; the product default is 10 s. */
const INTERVAL_MS = 250;

function client(host: string, port: number, password?: string) {
  const redis = new Redis({ host, port, password, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on("error", () => undefined);
  return redis;
}

type Series = { metric: string; node: string; zone: string; role: string; shard?: string; points: { time: string; value: number }[] };
const seriesOf = (body: { series: Series[] }, metric: string) => body.series.filter((s) => s.metric === metric);
const last = (s: Series | undefined) => s?.points.at(-1)?.value;

async function newestSample(cp: TestControlPlane, nodeId: string, after = new Date(0)) {
  let found: Awaited<ReturnType<typeof latestSamples>>[number] | undefined;
  await waitFor(
    `a sample of ${nodeId} after ${after.toISOString()}`,
    async () => {
      found = (await latestSamples(cp.prisma, after)).find((s) => s.nodeId === nodeId && s.time > after);
      return found !== undefined;
    },
    10_000,
  );
  return found!;
}

describe("metrics series of a STANDARD_HA instance (process driver)", () => {
  let cp: TestControlPlane;
  let instance: any;
  let password: string;
  const path = `${LOC}/instances/m-ha`;
  const metrics = (query = "window=600s&step=1s") => cp.api("GET", `${path}/metrics?${query}`);

  beforeAll(async () => {
    cp = await startTestControlPlane({ driver: "process", metricsIntervalMs: INTERVAL_MS });
    const created = await cp.api("POST", `${LOC}/instances?instanceId=m-ha`, { tier: "STANDARD_HA", replicaCount: 2, memorySizeGb: 1, authEnabled: true });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect((await cp.waitOperation(created.body.name)).response.state).toBe("READY");
    instance = (await cp.api("GET", path)).body;
    password = (await cp.api("GET", `${path}/authString`)).body.authString;
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it("writes to a node move its samples (used_memory, total_commands_processed) and ops_per_second", async () => {
    const primary = instance.nodes.find((n: any) => n.role === "PRIMARY");
    const before = await newestSample(cp, primary.id);
    expect(before.role).toBe("PRIMARY");
    for (const name of [
      "used_memory",
      "used_memory_rss",
      "maxmemory",
      "connected_clients",
      "total_commands_processed",
      "master_repl_offset",
      "uptime_in_seconds",
      "rdb_last_bgsave_status",
      "used_cpu_sys",
    ]) {
      expect(before.values[name], name).toBeTypeOf("number");
    }
    expect(before.values.maxmemory).toBe(1024 ** 3);

    const redis = client(instance.host, instance.port, password);
    await redis.connect();
    const value = "x".repeat(1024);
    for (let i = 0; i < 5; i++) {
      const p = redis.pipeline();
      for (let k = 0; k < 1000; k++) p.set(`key:${i}:${k}`, value);
      await p.exec();
    }
    redis.disconnect();

    const after = await newestSample(cp, primary.id, new Date());
    expect(after.values.used_memory).toBeGreaterThan(before.values.used_memory! + 4_000_000);
    expect(after.values.total_commands_processed).toBeGreaterThan(before.values.total_commands_processed! + 5000);
    expect(after.values.db0_keys).toBe(5000);

    const res = await metrics();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ name: "projects/default/locations/local1/instances/m-ha", window: "600s", step: "1s" });
    const ops = seriesOf(res.body, "ops_per_second").find((s) => s.node === primary.id);
    expect(Math.max(...(ops?.points ?? []).map((p) => p.value))).toBeGreaterThan(1000);
    const memory = seriesOf(res.body, "memory_usage_ratio").find((s) => s.node === primary.id);
    expect(last(memory)).toBeGreaterThan(0);
    expect(last(memory)).toBeLessThan(1);
    expect(ops).toMatchObject({ zone: primary.zone, role: "PRIMARY" });
    expect(ops).not.toHaveProperty("shard");
  });

  it("connected_clients counts a client the test opens", async () => {
    const primary = instance.nodes.find((n: any) => n.role === "PRIMARY");
    const base = (await newestSample(cp, primary.id, new Date())).values.connected_clients!;
    const extra = [client(instance.host, instance.port, password), client(instance.host, instance.port, password)];
    await Promise.all(extra.map((r) => r.connect()));
    const opened = new Date();
    expect((await newestSample(cp, primary.id, opened)).values.connected_clients).toBe(base + 2);
    // The series' newest whole step holds only samples with both clients open.
    await waitFor(
      "the series to count both",
      async () => {
        const res = await metrics("window=60s&step=1s");
        const points = seriesOf(res.body, "connected_clients").find((s) => s.node === primary.id)?.points ?? [];
        return points.some((p) => new Date(p.time) > opened && p.value === base + 2);
      },
      10_000,
    );
    for (const r of extra) r.disconnect();
    await waitFor("connected_clients back down", async () => (await newestSample(cp, primary.id, new Date())).values.connected_clients === base, 10_000);
  });

  it("has a replication_lag_bytes series for each replica, and hit_ratio from lookups", async () => {
    const redis = client(instance.host, instance.port, password);
    await redis.connect();
    await redis.get("key:0:0"); // a hit
    await redis.get("missing"); // a miss
    redis.disconnect();
    const replicas = instance.nodes
      .filter((n: any) => n.role === "REPLICA")
      .map((n: any) => n.id)
      .sort();
    expect(replicas).toHaveLength(2);
    let body: any;
    await waitFor(
      "a lag point for each replica and a hit ratio",
      async () => {
        body = (await metrics()).body;
        return seriesOf(body, "replication_lag_bytes").every((s) => s.points.length > 0) && seriesOf(body, "hit_ratio").some((s) => s.points.length > 0);
      },
      10_000,
    );
    const lag = seriesOf(body, "replication_lag_bytes");
    expect(lag.map((s) => s.node).sort()).toEqual(replicas);
    for (const s of lag) {
      expect(s.role).toBe("REPLICA");
      expect(s.points.every((p) => p.value >= 0)).toBe(true);
    }
    const primary = instance.nodes.find((n: any) => n.role === "PRIMARY");
    const hits = seriesOf(body, "hit_ratio").find((s) => s.node === primary.id);
    expect(hits?.points.some((p) => p.value > 0 && p.value < 1)).toBe(true);
    expect(seriesOf(body, "evictions_per_second")).toHaveLength(3);
  });

  it("answers a viewer, NOT_FOUND for a missing instance, INVALID_ARGUMENT naming a bad window or step", async () => {
    const key = await cp.api("POST", "/v1/apiKeys", { displayName: "metrics viewer", projects: ["default"], role: "viewer" });
    expect(key.status, JSON.stringify(key.body)).toBe(200);
    const viewed = await cp.api("GET", `${path}/metrics`, undefined, key.body.keyString);
    expect(viewed.status).toBe(200);
    // The default window, and the api's own CACHEPLANE_METRICS_INTERVAL (10s) as the step.
    expect(viewed.body).toMatchObject({ window: "3600s", step: "10s" });

    const missing = await cp.api("GET", `${LOC}/instances/nope/metrics`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 404, status: "NOT_FOUND" });

    const cases: [string, string][] = [
      ["window=3h", "window"],
      ["window=abc", "window"],
      ["window=0s", "window"],
      ["step=10x", "step"],
      ["window=10m&step=1h", "step"],
      ["window=2h&step=1s", "step"],
      ["extra=1", "extra"],
    ];
    for (const [query, field] of cases) {
      const res = await metrics(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.status, query).toBe("INVALID_ARGUMENT");
      expect(JSON.stringify(res.body.error), query).toContain(field);
      expect(JSON.stringify(res.body), query).not.toMatch(/at .*\.ts:|stack/);
    }
    expect((await metrics("window=2h&step=2s")).status).toBe(200);
  });

  it("the SDK's instances.metrics answers the same series", async () => {
    const sdk = createCacheplaneClient({ url: cp.url, apiKey: ADMIN_KEY });
    const got = await sdk.instances.metrics("m-ha", { window: "60s", step: "5s" });
    expect(got).toMatchObject({ name: "projects/default/locations/local1/instances/m-ha", window: "60s", step: "5s" });
    expect(got.series.map((s) => s.metric)).toContain("replication_lag_bytes");
  });

  it("after a failover the new primary's samples say PRIMARY and the series' role follows", async () => {
    const oldPrimary = instance.nodes.find((n: any) => n.role === "PRIMARY");
    const res = await cp.api("POST", `${path}:failover`, { dataProtectionMode: "LIMITED_DATA_LOSS" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await cp.waitOperation(res.body.name)).error).toBeUndefined();
    const now = (await cp.api("GET", path)).body;
    const newPrimary = now.nodes.find((n: any) => n.role === "PRIMARY");
    expect(newPrimary.id).not.toBe(oldPrimary.id);
    const done = new Date();
    expect((await newestSample(cp, newPrimary.id, done)).role).toBe("PRIMARY");
    expect((await newestSample(cp, oldPrimary.id, done)).role).toBe("REPLICA");

    const body = (await metrics("window=60s&step=1s")).body;
    const clients = seriesOf(body, "connected_clients");
    expect(clients.find((s) => s.node === newPrimary.id)?.role).toBe("PRIMARY");
    expect(clients.find((s) => s.node === oldPrimary.id)?.role).toBe("REPLICA");
    // Lag is now drawn for the old primary (a replica), and its history for the new one stays.
    const lag = seriesOf(body, "replication_lag_bytes");
    expect(lag.find((s) => s.node === oldPrimary.id)?.role).toBe("REPLICA");
    expect(lag.find((s) => s.node === newPrimary.id)?.role).toBe("PRIMARY");
    instance = now;
  });

  it("keeps its history across a worker restart (it is in Postgres)", async () => {
    const primary = instance.nodes.find((n: any) => n.role === "PRIMARY");
    const pointsNow = async () => seriesOf((await metrics("window=600s&step=1s")).body, "memory_usage_ratio").find((s) => s.node === primary.id)?.points ?? [];
    const before = await pointsNow();
    await cp.worker?.stop();
    const stopped = Date.now();
    const { uid } = await cp.prisma.instance.findFirstOrThrow({ where: { instanceId: "m-ha" } });
    expect((await samplesOf(cp.prisma, uid, new Date(0))).length).toBeGreaterThan(10);
    await cp.startWorker();
    await newestSample(cp, primary.id, new Date());
    const after = await pointsNow();
    // Every whole step drawn before the stop is drawn the same after the restart, and new ones follow.
    const settled = before.filter((p) => new Date(p.time).getTime() < stopped - 1_000);
    expect(settled.length).toBeGreaterThan(1);
    expect(after.slice(0, settled.length)).toEqual(settled);
    // (a point's time is the start of its step)
    expect(after.some((p) => new Date(p.time).getTime() >= Math.floor(stopped / 1000) * 1000)).toBe(true);
  });

  it("a cluster's series carry their shard", async () => {
    const created = await cp.api("POST", `${LOC}/clusters?clusterId=m-c`, { shardCount: 2, replicaCount: 1, nodeType: "REDIS_SHARED_CORE_NANO" });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect((await cp.waitOperation(created.body.name, 60)).error).toBeUndefined();
    let body: any;
    await waitFor(
      "the cluster's series",
      async () => {
        body = (await cp.api("GET", `${LOC}/clusters/m-c/metrics?window=60s&step=1s`)).body;
        return seriesOf(body, "replication_lag_bytes").length === 2 && seriesOf(body, "connected_clients").every((s) => s.points.length > 0);
      },
      15_000,
    );
    expect(body.name).toBe("projects/default/locations/local1/clusters/m-c");
    expect(new Set(seriesOf(body, "connected_clients").map((s) => s.shard))).toEqual(new Set(["0001", "0002"]));
    expect(
      seriesOf(body, "replication_lag_bytes")
        .map((s) => s.shard)
        .sort(),
    ).toEqual(["0001", "0002"]);
    const sdk = createCacheplaneClient({ url: cp.url, apiKey: ADMIN_KEY });
    expect((await sdk.clusters.metrics("m-c", { window: "60s" })).series.length).toBe(body.series.length);
    expect((await cp.api("GET", `${LOC}/clusters/nope/metrics`)).status).toBe(404);
  });
});

describe.each(DRIVERS)("metrics samples of a BASIC instance with the %s driver", (driver) => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane({ driver, metricsIntervalMs: INTERVAL_MS });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it("samples the node while it lives and stops with it", async () => {
    const created = await cp.api("POST", `${LOC}/instances?instanceId=m-basic`, { tier: "BASIC", memorySizeGb: 1 });
    expect((await cp.waitOperation(created.body.name)).response.state).toBe("READY");
    const instance = (await cp.api("GET", `${LOC}/instances/m-basic`)).body;
    const node = instance.nodes[0];
    const first = await newestSample(cp, node.id);
    const redis = client(instance.host, instance.port);
    await redis.connect();
    for (let i = 0; i < 200; i++) await redis.incr("n");
    redis.disconnect();
    const later = await newestSample(cp, node.id, new Date());
    expect(later.values.total_commands_processed).toBeGreaterThan(first.values.total_commands_processed! + 200);
    const body = (await cp.api("GET", `${LOC}/instances/m-basic/metrics?window=60s&step=1s`)).body;
    expect(seriesOf(body, "ops_per_second")[0]?.points.some((p) => p.value > 0)).toBe(true);
    expect(seriesOf(body, "replication_lag_bytes")).toHaveLength(0);

    const deleted = await cp.api("DELETE", `${LOC}/instances/m-basic`);
    await cp.waitOperation(deleted.body.name);
    const gone = new Date(Date.now() + 1000);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await latestSamples(cp.prisma, gone)).filter((s) => s.nodeId === node.id)).toHaveLength(0);
  });
});
