// `npx tsx --conditions=source bench/profile-create.ts [--runs N] [--ha]`: where the time of create
// BASIC (or, with --ha, STANDARD_HA with 2 replicas) → READY goes.
// The same wiring as test/support/control-plane.ts (api + worker in this process on the real
// Postgres and Redis), with every Prisma query, the enqueue and the node runtime's calls
// timed. Prints the median of each category over the runs, and the timeline of the median run.
import { defaultCatalogue } from "@cacheplane/core";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { buildApp, bootstrap } from "@cacheplane/api";
import { createRuntimes, openBackupStorage, startWorker, silentLogger, type RunningWorker, type Runtimes } from "@cacheplane/worker";
import { createPrisma, type PrismaClient, createPrismaReads } from "@cacheplane/db";
import { createTestDatabase } from "@cacheplane/db/testing";
import { createReconcileQueue } from "@cacheplane/queue";
import { createSecretBox, type NodeRuntime } from "@cacheplane/runtime";
import { DEFAULT_REDIS_IMAGES } from "@cacheplane/config";
import { killNodesUnder } from "../test/support/processes.js";
import { median } from "./harness.js";

const argv = process.argv.slice(2);
const RUNS = Number(argv[argv.indexOf("--runs") + 1]) || 10;
const HA = argv.includes("--ha");
const BODY = HA ? { tier: "STANDARD_HA", memorySizeGb: 1, replicaCount: 2 } : { tier: "BASIC", memorySizeGb: 1 };
const WHAT = HA ? "create STANDARD_HA (2 replicas)" : "create BASIC";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const KEY = `cp_bench_admin_${randomBytes(8).toString("hex")}`;
const BASE = "/v1/projects/default/locations/local1/instances";
const ZONES = ["local1-a", "local1-b", "local1-c"];

interface Span {
  side: "api" | "worker" | "client";
  what: string;
  start: number;
  end: number;
}
let spans: Span[] = [];
async function timed<T>(side: Span["side"], what: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    spans.push({ side, what, start, end: performance.now() });
  }
}

/** A view of the client that times every model query (inside transactions too) and $transaction. */
function instrument(prisma: PrismaClient, side: Span["side"]): PrismaClient {
  const extended = prisma.$extends({
    query: {
      $allModels: {
        $allOperations: ({ model, operation, args, query }) => timed(side, `db ${model}.${operation}`, () => query(args)),
      },
    },
  }) as unknown as PrismaClient;
  return new Proxy(extended, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== "$transaction" || typeof value !== "function") return value;
      return (...args: unknown[]) => timed(side, "db $transaction (whole)", () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}

function instrumentRuntime(runtime: NodeRuntime): NodeRuntime {
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || !["start", "observe", "configure"].includes(String(prop))) return value;
      return (...args: unknown[]) => timed("worker", `runtime.${String(prop)}`, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}

/** Milliseconds covered by at least one span (overlaps counted once). */
function covered(list: Span[]): number {
  const sorted = [...list].sort((a, b) => a.start - b.start);
  let total = 0;
  let end = -Infinity;
  for (const s of sorted) {
    if (s.end <= end) continue;
    total += s.end - Math.max(s.start, end);
    end = s.end;
  }
  return total;
}

const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e: unknown) => console.error(`cleanup: ${String(e)}`));
  })());
// A crash in a background task (a timer in the worker) or ^C must still clean up.
for (const event of ["uncaughtException", "unhandledRejection", "SIGINT", "SIGTERM"] as const) {
  process.once(event, (error: unknown) => {
    console.error(`${event}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void cleanup().finally(() => process.exit(1));
  });
}

async function main() {
  try {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const base = createPrisma(db.url);
    cleanups.push(() => base.$disconnect());
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    cleanups.push(async () => connection.disconnect());
    const prefix = `cpbench-${randomBytes(4).toString("hex")}`;
    const queue = createReconcileQueue({ connection, prefix });
    cleanups.push(() => queue.queue.obliterate({ force: true }).then(() => queue.close()));
    const dataDir = await mkdtemp(join(tmpdir(), "cacheplane-bench-profile-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const nodesRoot = join(dataDir, "nodes");
    cleanups.push(() => killNodesUnder(nodesRoot));
    const first = 25_000 + Math.floor(Math.random() * 9) * 100;
    // The drivers as the test harness makes them, with the process driver's calls timed.
    const made = await createRuntimes({ runtime: "process", nodesRoot, redisImages: DEFAULT_REDIS_IMAGES });
    const runtime = instrumentRuntime(made.default);
    const runtimes: Runtimes = { ...made, default: runtime, byDriver: { ...made.byDriver, process: runtime } };

    const reads = createPrismaReads(base);
    const app = await buildApp({
      prisma: instrument(base, "api"),
      reads,
      enqueueReconcile: (uid) => timed("api", "queue.enqueue", () => queue.enqueue(uid)),
      locations: { location: "local1", zones: ZONES },
      engines: defaultCatalogue(["REDIS_7_0"]),
      secrets: createSecretBox(randomBytes(32)),
    });
    cleanups.push(() => app.close());
    await bootstrap(base, { adminKey: KEY, dataDir });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const worker: RunningWorker = await startWorker(
      {
        prisma: instrument(base, "worker"),
        runtimes,
        queue,
        zones: ZONES,
        nodesRoot,
        nodeHost: "127.0.0.1",
        portRange: { first, last: first + 99 },
        log: silentLogger,
        backups: await openBackupStorage({ dataDir, bucketsRoot: join(dataDir, "buckets") }),
        engines: defaultCatalogue(["REDIS_7_0"]),
      },
      // The test harness's intervals.
      { connection, prefix, supervisorIntervalMs: 200, resyncIntervalMs: 1000 },
    );
    cleanups.push(() => worker.stop());

    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${KEY}`, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const waitDone = async (op: any) => {
      for (let i = 0; i < 20 && !op.done; i++) op = (await call("POST", `/v1/${op.name}:wait?timeout=30s`)).body;
      if (!op.done) throw new Error(`operation ${op.name} never finished`);
      return op;
    };

    const runs: { total: number; spans: Span[]; t0: number; marks: Record<string, number> }[] = [];
    for (let i = -2; i < RUNS; i++) {
      const id = `profile-${i < 0 ? `w${-i}` : i}`;
      spans = [];
      const t0 = performance.now();
      const created = await timed("client", "POST create", () => call("POST", `${BASE}?instanceId=${id}`, BODY));
      if (created.status !== 200) throw new Error(JSON.stringify(created.body));
      const op = await timed("client", "long-poll :wait until done", () => waitDone(created.body));
      if (op.response?.state !== "READY") throw new Error(JSON.stringify(op));
      const total = performance.now() - t0;
      const runSpans = spans.filter((s) => s.start >= t0);
      if (i >= 0) runs.push({ total, spans: runSpans, t0, marks: {} });
      spans = [];
      await waitDone((await call("DELETE", `${BASE}/${id}`)).body);
    }

    // ---- per-run categories ----
    const rows = runs.map(({ total, spans: s, t0 }) => {
      const api = s.filter((x) => x.side === "api");
      const worker = s.filter((x) => x.side === "worker");
      const enqueue = api.find((x) => x.what === "queue.enqueue");
      const post = s.find((x) => x.what === "POST create")!;
      // The reconcile ends with markConverged's transaction; later worker calls are the lease
      // release and the supervisor/resync passes, not part of this create.
      const converged = worker.filter((x) => x.what === "db $transaction (whole)").at(-1);
      const lastWorker = converged ? converged.end : NaN;
      const firstWorker = worker.length ? Math.min(...worker.map((x) => x.start)) : NaN;
      worker.splice(0, worker.length, ...worker.filter((x) => x.start < lastWorker));
      const start = worker.filter((x) => x.what === "runtime.start");
      const observe = worker.filter((x) => x.what === "runtime.observe");
      const workerDb = worker.filter((x) => x.what.startsWith("db ") && !x.what.includes("$transaction"));
      const postApiDb = api.filter((x) => x.what.startsWith("db ") && x.end <= post.end && !x.what.includes("$transaction"));
      return {
        "total (POST sent → client sees done)": total,
        "POST round-trip": post.end - post.start,
        "  api db queries in POST (sum)": postApiDb.reduce((a, x) => a + x.end - x.start, 0),
        "  api db queries in POST (count)": postApiDb.length,
        "  enqueue (BullMQ add)": enqueue ? enqueue.end - enqueue.start : NaN,
        "queue pickup (enqueue done → first worker query)": enqueue ? firstWorker - enqueue.end : NaN,
        "reconcile window (first worker query → converged tx end)": lastWorker - firstWorker,
        "  worker db queries (sum)": workerDb.reduce((a, x) => a + x.end - x.start, 0),
        "  worker db queries (count)": workerDb.length,
        "  runtime.start (spawn → listening)": start.reduce((a, x) => a + x.end - x.start, 0),
        "  runtime.observe (sum)": observe.reduce((a, x) => a + x.end - x.start, 0),
        "  worker idle inside window (sleeps/queue hops)": lastWorker - firstWorker - covered(worker),
        "long-poll lag (converged → client sees done)": t0 + total - lastWorker,
      };
    });
    const keys = Object.keys(rows[0]!) as (keyof (typeof rows)[number])[];
    console.log(`\n${WHAT} → READY, in-process on real Postgres/Redis: medians over ${runs.length} runs (ms)`);
    console.log(`| category | median | min | max |\n| --- | ---: | ---: | ---: |`);
    for (const k of keys) {
      const v = rows.map((r) => r[k]);
      const f = (x: number) => (k.includes("count") ? x.toFixed(0) : x.toFixed(1));
      console.log(`| ${k} | ${f(median(v))} | ${f(Math.min(...v))} | ${f(Math.max(...v))} |`);
    }

    // ---- the median run's timeline ----
    const sorted = [...runs].sort((a, b) => a.total - b.total);
    const mid = sorted[Math.floor(sorted.length / 2)]!;
    console.log(`\ntimeline of the median run (${mid.total.toFixed(1)} ms): start +duration  side  what`);
    for (const s of [...mid.spans].sort((a, b) => a.start - b.start)) {
      console.log(`${(s.start - mid.t0).toFixed(1).padStart(7)} +${(s.end - s.start).toFixed(1).padStart(6)}  ${s.side.padEnd(6)}  ${s.what}`);
    }
  } finally {
    await cleanup();
  }
}

await main();
process.exit(0);
