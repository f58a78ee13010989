// GET /metrics with 200 BASIC instances' samples, beside GET /healthz on the same server, runs
// interleaved. A plane of its own without a worker: the instances, nodes and samples are rows
// seeded straight into its database (no redis-server runs), which is all a scrape reads.
import { recordSamples } from "@cacheplane/db";
import type { LatencyScenario, Spec } from "../harness.js";
import { HOST, onCleanup } from "../lib.js";

const INSTANCES = 200;

/** One node's INFO numbers, as the sampler stores them (apps/worker/src/metrics/info-sample.ts). */
const VALUES: Record<string, number> = {
  uptime_in_seconds: 3600,
  connected_clients: 5,
  blocked_clients: 0,
  maxclients: 10000,
  used_memory: 1_200_000,
  used_memory_rss: 8_000_000,
  used_memory_peak: 1_500_000,
  used_memory_dataset: 400_000,
  used_memory_lua: 31_744,
  maxmemory: 1_073_741_824,
  mem_fragmentation_ratio: 6.5,
  total_connections_received: 120,
  rejected_connections: 0,
  total_commands_processed: 90_000,
  instantaneous_ops_per_sec: 30,
  total_net_input_bytes: 4_000_000,
  total_net_output_bytes: 9_000_000,
  keyspace_hits: 40_000,
  keyspace_misses: 2_000,
  evicted_keys: 0,
  expired_keys: 10,
  pubsub_channels: 0,
  pubsub_patterns: 0,
  connected_slaves: 0,
  master_repl_offset: 123_456,
  loading: 0,
  rdb_changes_since_last_save: 50,
  rdb_bgsave_in_progress: 0,
  rdb_last_save_time: 1_700_000_000,
  rdb_last_bgsave_status: 1,
  aof_enabled: 0,
  aof_rewrite_in_progress: 0,
  used_cpu_sys: 12.5,
  used_cpu_user: 20.25,
  used_cpu_sys_children: 0.5,
  used_cpu_user_children: 0.25,
  db0_keys: 1_000,
  db0_expires: 10,
};

export async function metricsExposition(healthz: Spec, metrics: Spec, runs: number): Promise<LatencyScenario[]> {
  const { startTestControlPlane, ADMIN_KEY } = await import("../../test/support/control-plane.js");
  const cp = await startTestControlPlane({ worker: false });
  onCleanup(() => cp.stop());
  const uids = Array.from({ length: INSTANCES }, (_, i) => `benchmetrics${String(i).padStart(4, "0")}`);
  await cp.prisma.instance.createMany({
    data: uids.map((uid, i) => ({
      uid,
      kind: "INSTANCE",
      projectId: "default",
      locationId: "local1",
      instanceId: `scraped-${i}`,
      state: "READY",
      spec: { tier: "BASIC", memorySizeGb: 1, redisVersion: "REDIS_7_0" },
      host: `127.0.9.${(i % 250) + 1}`,
      port: 26_000 + i,
      primaryNodeId: `${uid}-0`,
    })),
  });
  await cp.prisma.node.createMany({
    data: uids.map((uid, i) => ({
      id: `${uid}-0`,
      instanceUid: uid,
      ordinal: 0,
      zone: `local1-${"abc"[i % 3]}`,
      role: "PRIMARY",
      state: "READY",
      driver: "process",
      host: `127.0.9.${(i % 250) + 1}`,
      port: 26_000 + i,
      dataDir: `/nonexistent/${uid}-0`,
    })),
  });
  // One fresh sample per node, re-recorded before each run so none grows stale over a long run.
  const sample = () =>
    recordSamples(
      cp.prisma,
      uids.map((uid) => ({ instanceUid: uid, nodeId: `${uid}-0`, time: new Date(), role: "PRIMARY" as const, values: VALUES })),
    );
  await sample();
  const url = cp.url.replace("127.0.0.1", HOST);
  const timed = async (path: string, headers: Record<string, string>, check: (body: string) => void) => {
    const start = performance.now();
    const res = await fetch(`${url}${path}`, { headers });
    const body = await res.text();
    const ms = performance.now() - start;
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${body.slice(0, 200)}`);
    check(body);
    return ms;
  };
  let bytes = 0;
  return [
    { name: healthz.name, opts: { runs, warmup: 3, run: () => timed("/healthz", {}, () => undefined) } },
    {
      name: metrics.name,
      opts: {
        runs,
        warmup: 3,
        baseline: metrics.baseline,
        target: metrics.target,
        run: async () => {
          await sample();
          return timed("/metrics", { authorization: `Bearer ${ADMIN_KEY}` }, (body) => {
            const up = body.match(/^redis_up\{.*\} 1$/gm)?.length ?? 0;
            if (up !== INSTANCES) throw new Error(`expected ${INSTANCES} nodes up in the exposition, saw ${up}`);
            bytes = body.length;
          });
        },
        extra: () => ({ notes: [`${INSTANCES} BASIC instances, one sample each: ${(bytes / 1024).toFixed(0)} KiB of exposition per scrape`] }),
      },
    },
  ];
}
