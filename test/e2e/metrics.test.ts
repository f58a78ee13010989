// GET /metrics against a real control plane and real nodes: the node series move when a client
// writes (at the worker's next sample), their role labels follow a failover, a scrape needs a key
// or the metrics token, and Prometheus's own parser accepts the whole body. Then `cacheplane up`
// in-process: one registry, so one scrape shows the worker's reconcile durations beside the api's.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings } from "@cacheplane/config";
import { createTestDatabase } from "@cacheplane/db/testing";
import { up, type RunningControlPlane } from "../../apps/cli/src/up.js";
import { find, promtoolCheck, samplesOf } from "../../apps/api/test/promtool.js";
import { ADMIN_KEY, DRIVERS, TEST_REDIS_URL, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { killNodesUnder, waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";

const BASE = "/v1/projects/default/locations/local1/instances";

async function scrape(url: string, key?: string) {
  const res = await fetch(`${url}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: res.status, text: await res.text() };
}

describe.each(DRIVERS)("GET /metrics with the %s driver", (driver) => {
  let cp: TestControlPlane;
  let viewer: string;
  let instance: any;
  const lines = async () => samplesOf((await scrape(cp.url, viewer)).text);

  beforeAll(async () => {
    // Sampled every 500 ms, so "the next sample" is a moment away.
    cp = await startTestControlPlane({ driver, metricsIntervalMs: 500 });
    viewer = (await cp.api("POST", "/v1/apiKeys", { displayName: "prometheus", projects: ["default"], role: "viewer" })).body.keyString;
    const created = await cp.api("POST", `${BASE}?instanceId=scraped`, { tier: "STANDARD_HA", memorySizeGb: 1, replicaCount: 1 });
    expect(created.status).toBe(200);
    expect((await cp.waitOperation(created.body.name)).error).toBeUndefined();
    instance = (await cp.api("GET", `${BASE}/scraped`)).body;
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it("refuses a scrape with no key or a wrong one; a viewer key is enough", async () => {
    for (const key of [undefined, "not-a-key", `${ADMIN_KEY}x`]) {
      const res = await scrape(cp.url, key);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text).error).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });
    }
    expect((await scrape(cp.url, viewer)).status).toBe(200);
  });

  it("moves a node's values when a client writes to it, at the next sample", async () => {
    const primary = instance.nodes.find((n: any) => n.role === "PRIMARY");
    const replica = instance.nodes.find((n: any) => n.role === "REPLICA");
    const before = await waitFor(
      "both nodes sampled",
      async () => {
        const l = await lines();
        const up = (node: string) => find(l, "redis_up", { instance: "scraped", node })[0]?.value === 1;
        return up(primary.id) && up(replica.id) ? l : false;
      },
      15_000,
    );
    const commandsBefore = find(before, "redis_commands_processed_total", { node: primary.id })[0]!.value;
    const redis = endpointClient(instance.host, instance.port);
    for (let i = 0; i < 100; i++) await redis.set(`k${i}`, "v".repeat(100));
    redis.disconnect();
    const after = await waitFor(
      "the writes in the series",
      async () => {
        const l = await lines();
        return find(l, "redis_db_keys", { node: primary.id, db: "db0", role: "primary" })[0]?.value === 100 &&
          find(l, "redis_db_keys", { node: replica.id })[0]?.value === 100
          ? l
          : false;
      },
      15_000,
    );
    expect(find(after, "redis_commands_processed_total", { node: primary.id })[0]!.value).toBeGreaterThanOrEqual(commandsBefore + 100);
    expect(find(after, "redis_memory_used_bytes", { node: primary.id })[0]!.value).toBeGreaterThan(0);
    expect(find(after, "redis_master_link_up", { node: replica.id, role: "replica" })[0]!.value).toBe(1);
    expect(find(after, "redis_connected_slave_offset_bytes", { node: primary.id })[0]!.labels.slave_ip).toBe(replica.host);
  });

  it('labels the new primary role="primary" after a failover, and counts it', async () => {
    const oldPrimary = instance.nodes.find((n: any) => n.role === "PRIMARY");
    const newPrimary = instance.nodes.find((n: any) => n.role === "REPLICA");
    const res = await cp.api("POST", `${BASE}/scraped:failover`, { dataProtectionMode: "LIMITED_DATA_LOSS" });
    expect(res.status).toBe(200);
    expect((await cp.waitOperation(res.body.name)).error).toBeUndefined();
    const l = await waitFor(
      "the roles swapped in the series",
      async () => {
        const l = await lines();
        return find(l, "redis_up", { node: newPrimary.id, role: "primary" })[0]?.value === 1 &&
          find(l, "redis_up", { node: oldPrimary.id, role: "replica" })[0]?.value === 1
          ? l
          : false;
      },
      15_000,
    );
    expect(find(l, "redis_up", { instance: "scraped" })).toHaveLength(2);
    expect(find(l, "cacheplane_failovers_total", { kind: "manual" })[0]!.value).toBe(1);
    expect(find(l, "cacheplane_operations_total", { verb: "failover", outcome: "done" })[0]!.value).toBe(1);
  });

  it("is accepted whole by promtool check metrics", async () => {
    const checked = await promtoolCheck((await scrape(cp.url, ADMIN_KEY)).text);
    expect(checked.output).toBe("");
    expect(checked.code).toBe(0);
  });
});

describe("cacheplane up: api and worker in one process, one scrape", () => {
  const TOKEN = "metrics-token-0123456789abcdef";
  let running: RunningControlPlane;
  let dataDir: string;
  let drop: () => Promise<void>;
  const prefix = `cpmetrics-${Date.now().toString(36)}`;

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    dataDir = await mkdtemp(join(tmpdir(), "cacheplane-metrics-up-"));
    const first = 24_000 + Math.floor(Math.random() * 9) * 100;
    const settings = loadSettings({
      PATH: process.env.PATH,
      CACHEPLANE_DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      CACHEPLANE_QUEUE_PREFIX: prefix,
      CACHEPLANE_PORT: "0",
      CACHEPLANE_NODE_PORTS: `${first}-${first + 99}`,
      CACHEPLANE_RUNTIME: "process",
      CACHEPLANE_ADMIN_KEY: ADMIN_KEY,
      CACHEPLANE_METRICS_TOKEN: TOKEN,
      CACHEPLANE_LOG_LEVEL: "silent",
    });
    running = await up(settings, () => undefined);
  });
  afterAll(async () => {
    await running?.stop();
    // up's queue is on the shared test Redis: its keys go with the test.
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await killNodesUnder(join(dataDir, "nodes"));
    await rm(dataDir, { recursive: true, force: true });
    await drop?.();
  });

  it("shows reconcile durations, queue depth and the process beside the api's series, to the metrics token", async () => {
    const res = await fetch(`${running.url}${BASE}?instanceId=in-up`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ tier: "BASIC", memorySizeGb: 1 }),
    });
    expect(res.status).toBe(200);
    const l = await waitFor(
      "a reconcile that converged",
      async () => {
        const l = samplesOf((await scrape(running.url, TOKEN)).text);
        return (find(l, "cacheplane_reconcile_duration_seconds_count", { outcome: "done" })[0]?.value ?? 0) > 0 ? l : false;
      },
      20_000,
    );
    expect(find(l, "cacheplane_queue_jobs", { state: "active" })).toHaveLength(1);
    expect(find(l, "process_cpu_seconds_total")).toHaveLength(1);
    expect(
      find(l, "cacheplane_http_request_duration_seconds_count", { route: "/v1/projects/:project/locations/:location/instances", code: "200" }),
    ).toHaveLength(1);
    expect(find(l, "cacheplane_instances", { kind: "instance" }).length).toBeGreaterThan(0);
    expect((await scrape(running.url, `${TOKEN}x`)).status).toBe(401);
    // The body parses; the linter's only words are about three of prom-client's default process
    // series, gauges whose names end in _total. They keep prom-client's names, which Node.js
    // dashboards query; every series of ours is lint-clean (checked above without them).
    const checked = await promtoolCheck((await scrape(running.url, TOKEN)).text);
    expect(checked.output.trim().split("\n").sort()).toEqual(
      ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"].map(
        (n) => `${n} non-counter metrics should not have "_total" suffix`,
      ),
    );
    expect(checked.code).toBe(3); // promtool's exit code for lint findings only (1 would be a parse error)
    const ours = (await scrape(running.url, TOKEN)).text
      .split("\n")
      .filter((line) => !/^(# (HELP|TYPE) )?nodejs_active_(handles|requests|resources)_total/.test(line))
      .join("\n");
    const clean = await promtoolCheck(ours);
    expect(clean.output).toBe("");
    expect(clean.code).toBe(0);
  });
});
