// GET /metrics rendered from seeded rows (no worker, no data node): the exporter's names and
// types, our labels, a role taken from the newest sample, a node without a fresh sample as
// redis_up 0 alone, per-project keys seeing their projects only, and the whole body accepted by
// Prometheus's own parser and linter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordSamples, type NodeSampleRow } from "@cacheplane/db";
import { startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { find, promtoolCheck, samplesOf, typesOf } from "./promtool.js";

const LOC = "/v1/projects/default/locations/local1";
const OTHER = "/v1/projects/other/locations/local1";
let cp: TestControlPlane;
let viewer: string;

const values = (over: Record<string, number> = {}): Record<string, number> => ({
  uptime_in_seconds: 100,
  connected_clients: 3,
  blocked_clients: 0,
  used_memory: 1_000_000,
  used_memory_rss: 2_000_000,
  used_memory_peak: 1_500_000,
  maxmemory: 1_073_741_824,
  mem_fragmentation_ratio: 2,
  total_connections_received: 10,
  rejected_connections: 0,
  total_commands_processed: 500,
  instantaneous_ops_per_sec: 7,
  total_net_input_bytes: 4_000,
  total_net_output_bytes: 9_000,
  keyspace_hits: 40,
  keyspace_misses: 2,
  evicted_keys: 0,
  expired_keys: 1,
  connected_slaves: 0,
  master_repl_offset: 1234,
  rdb_changes_since_last_save: 5,
  rdb_last_bgsave_status: 1,
  aof_enabled: 0,
  used_cpu_sys: 1.5,
  used_cpu_user: 2.25,
  db0_keys: 12,
  db0_expires: 3,
  ...over,
});

async function seedNode(uid: string, ordinal: number, node: { shard?: number; zone: string; role: "PRIMARY" | "REPLICA"; host: string }) {
  const id = `${uid}-${ordinal}`;
  await cp.prisma.node.create({
    data: {
      id,
      instanceUid: uid,
      ordinal,
      shard: node.shard ?? 0,
      zone: node.zone,
      role: node.role,
      state: "READY",
      driver: "process",
      host: node.host,
      port: 17000 + ordinal,
      dataDir: `/tmp/${id}`,
    },
  });
  return id;
}

async function create(base: string, kind: "instances" | "clusters", id: string, body: object) {
  const res = await cp.api("POST", `${base}/${kind}?${kind === "instances" ? "instanceId" : "clusterId"}=${id}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (await cp.prisma.instance.findFirstOrThrow({ where: { instanceId: id } })).uid;
}

const scrape = async (key?: string) => {
  const res = await fetch(`${cp.url}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
};

let ha: { uid: string; primary: string; replica: string; stale: string };
let clusterNodes: string[];

beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false });
  viewer = (await cp.api("POST", "/v1/apiKeys", { displayName: "scraper", projects: ["default"], role: "viewer" })).body.keyString;
  const now = Date.now();
  const sample = (nodeId: string, uid: string, role: "PRIMARY" | "REPLICA", v: Record<string, number>, ageMs = 1_000): NodeSampleRow => ({
    instanceUid: uid,
    nodeId,
    time: new Date(now - ageMs),
    role,
    values: v,
  });

  const basicUid = await create(LOC, "instances", "basic-1", { tier: "BASIC", memorySizeGb: 1 });
  const basic = await seedNode(basicUid, 0, { zone: "local1-a", role: "PRIMARY", host: "127.0.3.1" });

  // The record says node 0 is primary; the newest sample says node 1 is (a failover the record
  // has not caught up with): the sample wins. Node 2's only sample is a minute old.
  const haUid = await create(LOC, "instances", "ha-1", { tier: "STANDARD_HA", memorySizeGb: 1, replicaCount: 2 });
  const n0 = await seedNode(haUid, 0, { zone: "local1-a", role: "PRIMARY", host: "127.0.3.2" });
  const n1 = await seedNode(haUid, 1, { zone: "local1-b", role: "REPLICA", host: "127.0.3.3" });
  const n2 = await seedNode(haUid, 2, { zone: "local1-c", role: "REPLICA", host: "127.0.3.4" });
  ha = { uid: haUid, primary: n1, replica: n0, stale: n2 };

  const clusterUid = await create(LOC, "clusters", "cl-1", { shardCount: 2, replicaCount: 0 });
  clusterNodes = [
    await seedNode(clusterUid, 0, { shard: 0, zone: "local1-a", role: "PRIMARY", host: "127.0.3.5" }),
    await seedNode(clusterUid, 1, { shard: 1, zone: "local1-b", role: "PRIMARY", host: "127.0.3.6" }),
  ];

  const otherUid = await create(OTHER, "instances", "elsewhere", { tier: "BASIC", memorySizeGb: 1 });
  const other = await seedNode(otherUid, 0, { zone: "local1-a", role: "PRIMARY", host: "127.0.3.7" });

  await recordSamples(cp.prisma, [
    sample(basic, basicUid, "PRIMARY", values(), 20_000), // older, superseded by the next
    sample(basic, basicUid, "PRIMARY", values({ total_commands_processed: 900 })),
    sample(n1, haUid, "PRIMARY", values({ connected_slaves: 1, master_repl_offset: 5000 })),
    sample(n0, haUid, "REPLICA", values({ master_link_status: 1, master_last_io_seconds_ago: 0, slave_repl_offset: 4990, master_repl_offset: 4990 })),
    sample(n2, haUid, "REPLICA", values({ master_link_status: 1, slave_repl_offset: 10 }), 60_000),
    ...clusterNodes.map((n) => sample(n, clusterUid, "PRIMARY", values())),
    sample(other, otherUid, "PRIMARY", values()),
  ]);
});
afterAll(async () => {
  await cp?.stop();
});

describe("GET /metrics", () => {
  it("is the Prometheus text format that promtool accepts without a lint warning", async () => {
    const res = await scrape("cp_test_admin_key_0123456789abcdef");
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const checked = await promtoolCheck(res.text);
    expect(checked.output).toBe("");
    expect(checked.code).toBe(0);
  });

  it("names and types the node series as redis_exporter does", async () => {
    const { text } = await scrape("cp_test_admin_key_0123456789abcdef");
    const types = typesOf(text);
    for (const name of [
      "redis_connections_received_total",
      "redis_rejected_connections_total",
      "redis_commands_processed_total",
      "redis_net_input_bytes_total",
      "redis_net_output_bytes_total",
      "redis_keyspace_hits_total",
      "redis_keyspace_misses_total",
      "redis_evicted_keys_total",
      "redis_expired_keys_total",
      "redis_cpu_sys_seconds_total",
      "redis_cpu_user_seconds_total",
    ]) {
      expect(types[name], name).toBe("counter");
    }
    for (const name of [
      "redis_up",
      "redis_uptime_in_seconds",
      "redis_memory_used_bytes",
      "redis_memory_used_rss_bytes",
      "redis_memory_used_peak_bytes",
      "redis_memory_max_bytes",
      "redis_mem_fragmentation_ratio",
      "redis_connected_clients",
      "redis_blocked_clients",
      "redis_connected_slaves",
      "redis_master_repl_offset",
      "redis_slave_repl_offset",
      "redis_master_link_up",
      "redis_master_last_io_seconds_ago",
      "redis_connected_slave_offset_bytes",
      "redis_connected_slave_lag_seconds",
      "redis_db_keys",
      "redis_db_keys_expiring",
      "redis_rdb_changes_since_last_save",
      "redis_instance_info",
    ]) {
      expect(types[name], name).toBe("gauge");
    }
    expect(text).toMatch(/^# HELP redis_memory_used_bytes \S.+$/m);
    const lines = samplesOf(text);
    const basic = { project: "default", location: "local1", instance: "basic-1", zone: "local1-a", role: "primary" };
    expect(find(lines, "redis_up", basic)).toEqual([{ name: "redis_up", labels: { ...basic, node: expect.stringMatching(/-0$/) }, value: 1 }]);
    // The newest sample of the node, not the one before it.
    expect(find(lines, "redis_commands_processed_total", basic).map((l) => l.value)).toEqual([900]);
    expect(find(lines, "redis_memory_max_bytes", basic)[0]!.value).toBe(1_073_741_824);
    expect(find(lines, "redis_cpu_user_seconds_total", basic)[0]!.value).toBe(2.25);
    expect(find(lines, "redis_db_keys", { ...basic, db: "db0" })[0]!.value).toBe(12);
    expect(find(lines, "redis_db_keys_expiring", { ...basic, db: "db0" })[0]!.value).toBe(3);
    expect(find(lines, "redis_instance_info", basic)[0]!.labels.redis_version).toMatch(/^REDIS_/);
  });

  it("labels a node with the role of its newest sample, and the primary's view of its replica", async () => {
    const lines = samplesOf((await scrape("cp_test_admin_key_0123456789abcdef")).text);
    const at = (node: string) => ({ instance: "ha-1", node });
    expect(find(lines, "redis_up", at(ha.primary))[0]!.labels).toMatchObject({ role: "primary", zone: "local1-b" });
    expect(find(lines, "redis_up", at(ha.replica))[0]!.labels).toMatchObject({ role: "replica", zone: "local1-a" });
    expect(find(lines, "redis_master_link_up", at(ha.replica))[0]).toMatchObject({ value: 1, labels: { master_host: "127.0.3.3", master_port: "17001" } });
    expect(find(lines, "redis_slave_repl_offset", at(ha.replica))[0]!.value).toBe(4990);
    expect(find(lines, "redis_slave_repl_offset", at(ha.primary))).toEqual([]);
    expect(find(lines, "redis_connected_slave_offset_bytes", at(ha.primary))).toEqual([
      {
        name: "redis_connected_slave_offset_bytes",
        labels: expect.objectContaining({ role: "primary", slave_ip: "127.0.3.2", slave_port: "17000", slave_state: "online" }),
        value: 4990,
      },
    ]);
    expect(find(lines, "redis_connected_slave_lag_seconds", at(ha.primary)).map((l) => l.value)).toEqual([0]);
  });

  it("shows a node without a sample in the last three intervals as redis_up 0 and nothing else", async () => {
    const lines = samplesOf((await scrape("cp_test_admin_key_0123456789abcdef")).text);
    const stale = lines.filter((l) => l.labels.node === ha.stale);
    expect(stale).toEqual([{ name: "redis_up", labels: expect.objectContaining({ instance: "ha-1", role: "replica", zone: "local1-c" }), value: 0 }]);
  });

  it("labels cluster nodes with cluster and shard instead of instance", async () => {
    const lines = samplesOf((await scrape("cp_test_admin_key_0123456789abcdef")).text);
    const up = find(lines, "redis_up", { cluster: "cl-1" });
    expect(up.map((l) => [l.labels.shard, l.labels.node, l.labels.instance])).toEqual([
      ["0", clusterNodes[0], undefined],
      ["1", clusterNodes[1], undefined],
    ]);
  });

  it("shows a per-project key its projects only; an admin key every project", async () => {
    const admin = samplesOf((await scrape("cp_test_admin_key_0123456789abcdef")).text);
    expect(new Set(find(admin, "redis_up").map((l) => l.labels.project))).toEqual(new Set(["default", "other"]));
    const mine = await scrape(viewer);
    expect(mine.status).toBe(200);
    const lines = samplesOf(mine.text);
    expect(new Set(find(lines, "redis_up").map((l) => l.labels.project))).toEqual(new Set(["default"]));
    expect(find(lines, "cacheplane_instances").reduce((n, l) => n + l.value, 0)).toBe(3);
    expect(find(admin, "cacheplane_instances").reduce((n, l) => n + l.value, 0)).toBe(4);
  });

  it("counts operations by verb and outcome and instances by kind and state, and times requests by route pattern", async () => {
    const text = (await scrape("cp_test_admin_key_0123456789abcdef")).text;
    const lines = samplesOf(text);
    // No worker: every create is still running.
    expect(find(lines, "cacheplane_operations_running", { verb: "create" })[0]!.value).toBe(4);
    expect(find(lines, "cacheplane_instances", { kind: "instance", state: "CREATING" })[0]!.value).toBe(3);
    expect(find(lines, "cacheplane_instances", { kind: "cluster", state: "CREATING" })[0]!.value).toBe(1);
    expect(typesOf(text).cacheplane_failovers_total).toBe("counter");
    const routes = new Set(find(lines, "cacheplane_http_request_duration_seconds_count").map((l) => l.labels.route));
    expect(routes).toContain("/metrics");
    expect([...routes].some((r) => r?.includes("basic-1"))).toBe(false);
  });

  it("refuses a scrape without a key or with a wrong one, in Google's error envelope", async () => {
    for (const key of [undefined, "cp_000000000000_wrong"]) {
      const res = await scrape(key);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 401, status: "UNAUTHENTICATED" } });
    }
  });
});
