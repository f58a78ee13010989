// What the metrics sampler costs the worker: 200 idle BASIC instances (200 real redis-server
// processes), two product worker processes (apps/worker/dist/main.js) on the same control plane
// at the same time, one sampling every 10 s and one with CACHEPLANE_METRICS_INTERVAL=0. Both
// probe every node (the supervisor) and resync as the product does; the only difference is the
// sampler. Their CPU (utime + stime from /proc) is read over the same windows, so both see the
// same background noise. Figures are CPU milliseconds per wall second: 10 ms/s is 1 % of a core.
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Result, Spec } from "../harness.js";
import { stats } from "../harness.js";
import { BASIC, HOST, REPO, onCleanup, sleep, stopChild, waitUntil } from "../lib.js";

const INSTANCES = 200;
const CONCURRENCY = 16;
/** Below the ephemeral range and clear of the tests' (20000–23999) and the other planes' ports. */
const NODE_PORTS = "27000-27399";
const CLK_TCK = 100; // getconf CLK_TCK on Linux

async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command's closing parenthesis: utime is the 14th field, stime the 15th.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
}

export async function metricsSampling(off: Spec, on: Spec, opts: { windows: number; windowMs: number }): Promise<Result[]> {
  const { startTestControlPlane, ADMIN_KEY, TEST_REDIS_URL } = await import("../../test/support/control-plane.js");
  const cp = await startTestControlPlane({ worker: false });
  onCleanup(() => cp.stop());

  const workers: ChildProcess[] = [];
  const startWorkerProcess = (interval: string) => {
    const child = spawn(process.execPath, [join(REPO, "apps/worker/dist/main.js")], {
      env: {
        ...process.env,
        DATABASE_URL: cp.databaseUrl,
        REDIS_URL: TEST_REDIS_URL,
        CACHEPLANE_QUEUE_PREFIX: cp.prefix,
        CACHEPLANE_DATA_DIR: cp.dataDir,
        CACHEPLANE_NODE_HOST: HOST,
        CACHEPLANE_NODE_PORTS: NODE_PORTS,
        CACHEPLANE_RUNTIME: "process",
        CACHEPLANE_ENGINES: JSON.stringify(cp.engines),
        CACHEPLANE_LOG_LEVEL: "warn",
        CACHEPLANE_METRICS_INTERVAL: interval,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    workers.push(child);
    onCleanup(() => stopChild(child, "SIGTERM", 10_000));
    return child;
  };
  const sampling = startWorkerProcess("10s");
  const idle = startWorkerProcess("0");

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${cp.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const ids = Array.from({ length: INSTANCES }, (_, i) => `idle-${i}`);
  for (let i = 0; i < ids.length; i += CONCURRENCY) {
    await Promise.all(
      ids.slice(i, i + CONCURRENCY).map(async (id) => {
        const created = await api("POST", `/v1/projects/default/locations/local1/instances?instanceId=${id}`, BASIC);
        if (created.status !== 200) throw new Error(`create ${id}: ${created.status} ${JSON.stringify(created.body)}`);
        const done = await cp.waitOperation(created.body.name, 120);
        if (done.error) throw new Error(`create ${id}: ${JSON.stringify(done.error)}`);
      }),
    );
  }
  // Settle: every node sampled at least once, then one more interval.
  await waitUntil("a sample of every node", async () => (await cp.prisma.nodeSample.groupBy({ by: ["nodeId"] })).length >= INSTANCES, 60_000, 500);
  await sleep(10_000);

  const samples = { off: [] as number[], on: [] as number[] };
  for (let w = 0; w < opts.windows; w++) {
    const [a0, b0] = await Promise.all([cpuMs(sampling.pid!), cpuMs(idle.pid!)]);
    const t0 = performance.now();
    await sleep(opts.windowMs);
    const [a1, b1] = await Promise.all([cpuMs(sampling.pid!), cpuMs(idle.pid!)]);
    const seconds = (performance.now() - t0) / 1000;
    samples.on.push((a1 - a0) / seconds);
    samples.off.push((b1 - b0) / seconds);
    console.error(`    window ${w + 1}/${opts.windows}: sampling ${samples.on.at(-1)!.toFixed(1)} ms/s, off ${samples.off.at(-1)!.toFixed(1)} ms/s`);
  }

  // What the history costs Postgres: rows and bytes, projected to the default retention.
  const [size] = await cp.prisma.$queryRaw<{ rows: bigint; bytes: bigint }[]>`
    SELECT count(*) AS rows, pg_total_relation_size('"NodeSample"') AS bytes FROM "NodeSample"`;
  const rows = size?.rows ?? 0n;
  const bytes = size?.bytes ?? 0n;
  const perRow = Number(bytes) / Number(rows);
  const twoHours = INSTANCES * (7_200 / 10) * perRow;
  const notes = [
    `${INSTANCES} idle BASIC instances, ${opts.windows} windows of ${opts.windowMs / 1000} s, both workers running side by side; 10 ms/s = 1 % of one core`,
    `history: ${Number(rows).toLocaleString("en-US")} rows, ${(perRow).toFixed(0)} bytes a row with its indexes → ${(twoHours / 1024 ** 2).toFixed(0)} MiB for 2 h of ${INSTANCES} nodes at 10 s`,
  ];
  const result = (spec: Spec, values: number[], extra: Record<string, unknown> = {}): Result => ({
    name: spec.name,
    kind: "latency",
    unit: "ms",
    samples: values,
    stats: stats(values),
    baseline: spec.baseline,
    target: spec.target,
    extra,
  });
  for (const w of workers) await stopChild(w, "SIGTERM", 10_000);
  return [result(off, samples.off), result(on, samples.on, { notes })];
}
