// `npm run bench [-- --quick] [-- --only <name>]`: every scenario, one table, one JSON line.
// Baselines are measured in the same run; see bench/README.md for what each row means.
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { mkdtemp, readFile, rm, readdir } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { interleavedThroughput, latency, median, ratioOf, table, type Result } from "./harness.js";

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const REDIS_SERVER = process.env.BENCH_REDIS_SERVER ?? "/usr/bin/redis-server";
const BASE = "/v1/projects/default/locations/local1/instances";
const HOST = "127.0.0.1"; // every server the bench starts or talks to is on loopback

// ---- flags ----
const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const only = argv.flatMap((a, i) => (argv[i - 1] === "--only" ? a.split(",") : [])).map((s) => s.toLowerCase());
const concurrency = Number(argv[argv.indexOf("--concurrency") + 1]) || 16;
const RUNS = quick ? 5 : 20;
const LOAD = quick ? { durationMs: 1_000, rounds: 1, warmupMs: 300 } : { durationMs: 5_000, rounds: 3, warmupMs: 1_000 };

// ---- scenarios: id, display name, baseline id ----
const SCENARIOS = [
  { id: "redis-spawn", name: "redis-server spawn → first PONG" },
  { id: "create-ready", name: "create BASIC → READY", baseline: "redis-spawn" },
  { id: "healthz", name: `GET /healthz (c=${concurrency})` },
  { id: "get-instance", name: `GET instance (c=${concurrency})`, baseline: "healthz" },
  { id: "up:create-ready", name: "[up] create BASIC → READY", baseline: "redis-spawn" },
  { id: "up:healthz", name: `[up] GET /healthz (c=${concurrency})` },
  { id: "up:get-instance", name: `[up] GET instance (c=${concurrency})`, baseline: "up:healthz" },
] as const;
type Id = (typeof SCENARIOS)[number]["id"];
const byId = (id: string) => SCENARIOS.find((s) => s.id === id)!;
const selected = new Set<string>();
const select = (id: string) => {
  selected.add(id);
  const base = (byId(id) as { baseline?: string }).baseline;
  if (base) select(base);
};
for (const s of SCENARIOS) {
  if (only.length === 0 || only.some((o) => s.id.includes(o) || s.name.toLowerCase().includes(o))) select(s.id);
}
if (selected.size === 0) {
  console.error(`no scenario matches --only ${only.join(",")}; ids: ${SCENARIOS.map((s) => s.id).join(", ")}`);
  process.exit(2);
}
const want = (id: Id) => selected.has(id);
/** The display name of a scenario's baseline (results are matched by name). */
const baselineName = (id: Id) => {
  const base = (byId(id) as { baseline?: string }).baseline;
  return base ? byId(base).name : undefined;
};

// ---- cleanup: everything the bench starts is registered here and undone in reverse ----
const cleanups: (() => Promise<unknown>)[] = [];
const onCleanup = (fn: () => Promise<unknown>) => cleanups.push(fn);
let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      await fn().catch((e: unknown) => console.error(`cleanup: ${e instanceof Error ? e.message : String(e)}`));
    }
  })());
// A crash in a background task (a timer in the in-process worker) must still clean up.
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.once(event, (error: unknown) => {
    console.error(`${event}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    void cleanup().finally(() => process.exit(1));
  });
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---- small helpers ----
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: HOST, port: 0 }, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One PING over a fresh connection; true on +PONG (or -NOAUTH: it answers). */
function pingOnce(host: string, port: number, timeoutMs = 200): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (d) => done(d.toString().startsWith("+PONG") || d.toString().startsWith("-NOAUTH")));
  });
}

async function waitPong(host: string, port: number, everyMs: number, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (!(await pingOnce(host, port))) {
    if (performance.now() > deadline) throw new Error(`${host}:${port} did not answer PING within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  if (!(await exited(child, graceMs))) {
    child.kill("SIGKILL");
    await exited(child, 5_000);
  }
}

/** Processes whose command line names `root` (redis-server nodes and the queue's redis). */
async function processesUnder(root: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(root)) pids.push(Number(entry));
  }
  return pids;
}

async function killAllUnder(root: string) {
  for (let i = 0; i < 50; i++) {
    const pids = await processesUnder(root);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    await sleep(20);
  }
  throw new Error(`processes under ${root} would not die`);
}

async function tempDir(prefix: string) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// ---- a control plane as the bench sees it: a URL, a key, and optionally its database ----
interface Plane {
  url: string;
  key: string;
  /** Event type → time (epoch ms) for an instance, when the bench can read the database. */
  events?: (instanceId: string) => Promise<Record<string, number>>;
}

async function call(plane: Plane, method: string, path: string, body?: unknown) {
  const res = await fetch(`${plane.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${plane.key}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function waitOp(plane: Plane, op: any, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!op.done) {
    if (Date.now() > deadline) throw new Error(`operation ${op.name} not done after ${timeoutMs} ms`);
    const res = await call(plane, "POST", `/v1/${op.name}:wait?timeout=30s`);
    if (res.status !== 200) throw new Error(`wait ${op.name}: ${res.status} ${JSON.stringify(res.body)}`);
    op = res.body;
  }
  return op;
}

async function createInstance(plane: Plane, id: string) {
  const res = await call(plane, "POST", `${BASE}?instanceId=${id}`, { tier: "BASIC", memorySizeGb: 1 });
  if (res.status !== 200) throw new Error(`create ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function deleteInstance(plane: Plane, id: string) {
  const res = await call(plane, "DELETE", `${BASE}/${id}`);
  if (res.status === 404) return;
  if (res.status !== 200) throw new Error(`delete ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  await waitOp(plane, res.body);
}

// ---- scenario a: the bare engine ----
async function redisSpawn(): Promise<Result> {
  const dir = await tempDir("cacheplane-bench-redis-");
  return latency(byId("redis-spawn").name, {
    runs: RUNS,
    warmup: 3,
    run: async () => {
      const port = await freePort();
      const t0 = performance.now();
      const child = spawn(REDIS_SERVER, ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", dir], {
        stdio: "ignore",
        cwd: dir,
      });
      try {
        await waitPong(HOST, port, 1, 5_000);
        return performance.now() - t0;
      } finally {
        await stopChild(child, "SIGKILL", 2_000);
      }
    },
  });
}

// ---- scenario b: create → READY through the REST API, with a timeline of where it went ----
const PHASES = ["POST returned", "op createTime", "NODE_CREATED event", "READY event", "op endTime", "client sees done", "PONG"] as const;

async function createReady(plane: Plane, id: Id): Promise<Result> {
  const timelines: Partial<Record<(typeof PHASES)[number], number>>[] = [];
  const tag = Math.random().toString(36).slice(2, 8);
  const result = await latency(byId(id).name, {
    runs: RUNS,
    warmup: 2,
    baseline: baselineName(id),
    run: async (i) => {
      const instanceId = `bench-${tag}-${i < 0 ? `w${-i}` : i}`;
      const wall0 = Date.now();
      const t0 = performance.now();
      const created = await createInstance(plane, instanceId);
      const tPost = performance.now() - t0;
      const op = await waitOp(plane, created);
      const tDone = performance.now() - t0;
      if (op.error || op.response?.state !== "READY") throw new Error(`create ${instanceId}: ${JSON.stringify(op.error ?? op.response)}`);
      const { host, port } = op.response as { host: string; port: number };
      if (host !== HOST) throw new Error(`instance ${instanceId} is on ${host}, not loopback`);
      await waitPong(host, port, 1, 5_000);
      const total = performance.now() - t0;
      // Not timed: where the time went, then the delete.
      const at = (iso?: string) => (iso ? Date.parse(iso) - wall0 : undefined);
      const events = (await plane.events?.(instanceId)) ?? {};
      const relative = (t?: number) => (t === undefined ? undefined : t - wall0);
      if (i >= 0) {
        timelines.push({
          "POST returned": tPost,
          "op createTime": at(op.metadata?.createTime),
          "NODE_CREATED event": relative(events.NODE_CREATED),
          "READY event": relative(events.READY),
          "op endTime": at(op.metadata?.endTime),
          "client sees done": tDone,
          PONG: total,
        });
      }
      await deleteInstance(plane, instanceId);
      return total;
    },
    extra: () => ({
      timeline: Object.fromEntries(
        PHASES.map((p) => [p, median(timelines.map((t) => t[p]).filter((v): v is number => v !== undefined))]).filter(([, v]) => !Number.isNaN(v)),
      ),
    }),
  });
  return result;
}

// ---- scenario c: GET throughput against a trivial route on the same server ----
async function getThroughput(plane: Plane, healthzId: Id, getId: Id): Promise<Result[]> {
  const scenarios = [];
  if (want(healthzId)) scenarios.push({ name: byId(healthzId).name, opts: { url: `${plane.url}/healthz`, concurrency, ...LOAD } });
  if (!want(getId)) return interleavedThroughput(scenarios);
  const instanceId = `bench-get-${Math.random().toString(36).slice(2, 8)}`;
  await waitOp(plane, await createInstance(plane, instanceId));
  try {
    scenarios.push({
      name: byId(getId).name,
      opts: { url: `${plane.url}${BASE}/${instanceId}`, headers: { authorization: `Bearer ${plane.key}` }, concurrency, baseline: baselineName(getId), ...LOAD },
    });
    return await interleavedThroughput(scenarios);
  } finally {
    await deleteInstance(plane, instanceId);
  }
}

// ---- the control planes ----
async function inProcessPlane(): Promise<Plane> {
  // The e2e harness: api + worker in this process on the real Postgres and Redis.
  const { startTestControlPlane, ADMIN_KEY } = await import("../test/support/control-plane.js");
  const cp = await startTestControlPlane();
  onCleanup(() => cp.stop());
  return {
    url: cp.url,
    key: ADMIN_KEY,
    async events(instanceId) {
      const rows = await cp.prisma.event.findMany({ where: { instance: { instanceId } }, orderBy: { time: "asc" } });
      return Object.fromEntries(rows.map((e) => [e.type, e.time.getTime()]));
    },
  };
}

/** The log of the running `cacheplane up`, quoted when its group fails. */
let upLog: string | undefined;

async function embeddedPlane(): Promise<Plane> {
  const dataDir = await tempDir("cacheplane-bench-up-");
  upLog = join(dataDir, "up.log");
  // Registered after the temp dir, so it runs before the dir is removed.
  let child: ChildProcess | undefined;
  onCleanup(async () => {
    if (child) await stopChild(child, "SIGTERM", 10_000);
    await killAllUnder(dataDir); // data nodes and the queue's redis-server outlive `up` by design
  });
  const port = await freePort();
  const firstNodePort = 25_000 + Math.floor(Math.random() * 9) * 100; // below the ephemeral range
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CACHEPLANE_DATA_DIR: dataDir,
    CACHEPLANE_HOST: HOST,
    CACHEPLANE_PORT: String(port),
    CACHEPLANE_NODE_HOST: HOST,
    CACHEPLANE_NODE_PORTS: `${firstNodePort}-${firstNodePort + 99}`,
    CACHEPLANE_RUNTIME: "process", // what "auto" picks when redis-server is installed; pinned so the baseline compares
  };
  for (const name of ["DATABASE_URL", "REDIS_URL", "CACHEPLANE_ADMIN_KEY"]) delete env[name];
  const logFd = openSync(join(dataDir, "up.log"), "a");
  try {
    child = spawn(process.execPath, [join(REPO, "apps/cli/bin/cacheplane.js"), "up"], { cwd: REPO, env, stdio: ["ignore", logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const url = `http://${HOST}:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`cacheplane up exited (${child.exitCode}): ${await readFile(join(dataDir, "up.log"), "utf8")}`);
    if (Date.now() > deadline) throw new Error(`cacheplane up did not answer on ${url} within 120 s`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await sleep(100);
  }
  const key = (await readFile(join(dataDir, "admin-key"), "utf8")).trim();
  return { url, key };
}

// ---- main ----
async function main() {
  const results: Result[] = [];
  const failures: string[] = [];
  const group = async (label: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      const log = label.startsWith("cacheplane up") && upLog ? await readFile(upLog, "utf8").catch(() => "") : "";
      const tail = log ? `\n  last lines of up.log:\n${log.trim().split("\n").slice(-15).join("\n")}` : "";
      failures.push(`${label}: ${error instanceof Error ? error.stack ?? error.message : String(error)}${tail}`);
    }
  };
  const progress = (r: Result) => {
    results.push(r);
    console.error(`  ${r.name}: median ${r.stats.median.toFixed(r.unit === "ms" ? 2 : 0)} ${r.unit}`);
  };

  console.error(`cacheplane bench${quick ? " (quick)" : ""}: ${[...selected].join(", ")}`);
  if (want("redis-spawn")) await group("redis-spawn", async () => progress(await redisSpawn()));

  if (want("create-ready") || want("healthz") || want("get-instance")) {
    await group("in-process control plane", async () => {
      const plane = await inProcessPlane();
      if (want("create-ready")) await group("create-ready", async () => progress(await createReady(plane, "create-ready")));
      await group("GET throughput", async () => (await getThroughput(plane, "healthz", "get-instance")).forEach(progress));
    });
  }

  if (want("up:create-ready") || want("up:healthz") || want("up:get-instance")) {
    await group("cacheplane up (embedded)", async () => {
      const plane = await embeddedPlane();
      if (want("up:create-ready")) await group("cacheplane up: create-ready", async () => progress(await createReady(plane, "up:create-ready")));
      await group("cacheplane up: GET throughput", async () => (await getThroughput(plane, "up:healthz", "up:get-instance")).forEach(progress));
    });
  }

  console.log(`\ncacheplane bench — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} cpus${quick ? " — QUICK (smoke only)" : ""}`);
  console.log(table(results));
  const timelines = results.filter((r) => r.extra?.timeline);
  if (timelines.length) {
    console.log(`\nwhere create → READY goes: median ms after the POST was sent (events only in-process)`);
    const rows = PHASES.map((p) => [p, ...timelines.map((r) => (r.extra!.timeline as Record<string, number>)[p])]);
    console.log(`| phase | ${timelines.map((r) => r.name).join(" | ")} |`);
    console.log(`| --- | ${timelines.map(() => "---").join(" | ")} |`);
    for (const [p, ...v] of rows) console.log(`| ${p} | ${v.map((x) => (x === undefined ? "—" : (x as number).toFixed(1))).join(" | ")} |`);
  }
  for (const r of results) {
    const errors = r.extra?.errors as number | undefined;
    if (!errors) continue;
    if (r.kind === "throughput") console.log(`! ${r.name}: ${errors} failed requests ${JSON.stringify(r.extra?.statuses)}`);
    else console.log(`! ${r.name}: ${errors} failed runs (not in the samples): ${(r.extra?.errorMessages as string[]).map((m) => m.slice(0, 160)).join(" // ")}`);
  }
  for (const f of failures) console.log(`! FAILED ${f}`);
  console.log(
    JSON.stringify({
      bench: "cacheplane",
      time: new Date().toISOString(),
      quick,
      node: process.version,
      cpus: cpus().length,
      results: results.map((r) => ({ name: r.name, kind: r.kind, unit: r.unit, runs: r.samples.length, ...r.stats, ratio: ratioOf(r, results), baseline: r.baseline, samples: r.samples.map((s) => Math.round(s * 100) / 100), ...r.extra })),
      failures,
    }),
  );
  return failures.length || results.some((r) => r.extra?.errors) ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} finally {
  await cleanup();
}
process.exit(code);
