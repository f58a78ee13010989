// A real control plane for end-to-end tests: its own Postgres database, its own queue prefix
// on the real Redis, its own data dir and node port range, the api listening on a loopback
// port and (unless asked otherwise) a worker in the same process.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { buildApp, bootstrap, LOG_REDACT } from "@cacheplane/api";
import {
  createRuntimes,
  removeOrphanReadEndpoints,
  startWorker,
  openBackupStorage,
  silentLogger,
  type Logger,
  type RunningWorker,
  type WorkerContext,
} from "@cacheplane/worker";
import { createDockerRuntime, createProcessRuntime, createSecretBox, loadMasterKey } from "@cacheplane/runtime";
import { DEFAULT_REDIS_IMAGES } from "@cacheplane/config";
import { BASE_MAINTENANCE_VERSION, type EngineEntry } from "@cacheplane/core";
import { createPooledReads, createPrisma, type PrismaClient } from "@cacheplane/db";
import { createTestDatabase } from "@cacheplane/db/testing";
import { createReconcileQueue, type ReconcileQueue } from "@cacheplane/queue";
import { killNodesUnder } from "./processes.js";
import { removeContainersUnder } from "./containers.js";

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const ADMIN_KEY = "cp_test_admin_key_0123456789abcdef";
export const ZONES = ["local1-a", "local1-b", "local1-c"];
/** Built from the host's redis-server by scripts/build-local-image.sh (no registry here). */
export const LOCAL_IMAGE = process.env.TEST_REDIS_IMAGE ?? "cacheplane/redis-local:7.0";
export type Driver = "process" | "docker";
/** CACHEPLANE_TEST_LOG=1 prints the worker's log lines to stderr, to see what a failing test's worker did. */
const testLogger: Logger = process.env.CACHEPLANE_TEST_LOG
  ? {
      info: (o, m) => console.error(new Date().toISOString(), "INFO", m ?? "", JSON.stringify(o)),
      warn: (o, m) => console.error(new Date().toISOString(), "WARN", m ?? "", JSON.stringify(o)),
      error: (o, m) => console.error(new Date().toISOString(), "ERROR", m ?? "", JSON.stringify(o)),
    }
  : silentLogger;
/** Every end-to-end suite runs against both drivers. */
export const DRIVERS: Driver[] = ["process", "docker"];

export interface TestControlPlane {
  url: string;
  databaseUrl: string;
  prefix: string;
  dataDir: string;
  nodesRoot: string;
  portRange: { first: number; last: number };
  prisma: PrismaClient;
  queue: ReconcileQueue;
  driver: Driver;
  worker?: RunningWorker;
  /** The worker's scheduler clock runs this far ahead of the wall clock (backup expiry, schedules). */
  clockOffsetMs: number;
  /** gs://b/o is {bucketsRoot}/b/o for this control plane. */
  bucketsRoot: string;
  /** The engine catalogue the api and the worker share (CACHEPLANE_ENGINES for a worker process). */
  engines: EngineEntry[];
  /** Starts the in-process worker (again). */
  startWorker(): Promise<RunningWorker>;
  api<T = any>(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: T }>;
  /** Creates (or updates) and waits for the Operation to finish; returns the finished Operation. */
  waitOperation(opName: string, timeoutS?: number): Promise<any>;
  stop(): Promise<void>;
}

/** Each vitest fork gets its own 200-port slice so parallel files rarely race for a port. */
function portRangeForThisFork() {
  const slot = Number(process.env.VITEST_POOL_ID ?? "1") % 20;
  const first = 20000 + slot * 200 + Math.floor(Math.random() * 100);
  return { first, last: first + 99 };
}

export interface TestControlPlaneOptions {
  worker?: boolean;
  driver?: Driver;
  /** The image every version runs with the docker driver (default: the local image). */
  redisImage?: string;
  /** The Docker engine connection (default: the local socket). */
  docker?: import("dockerode");
  /** The engine catalogue (default: REDIS_7_0 at the built-in maintenance version, the driver's default build). */
  engines?: EngineEntry[];
  /** Every log line of the api (pino at trace, with the product's redaction), the worker and the
   *  drivers (every level), for a test that reads what the control plane logs. */
  logSink?: (line: string) => void;
  /** The URL the api and the worker reach the test database by (default: the database's own), e.g.
   *  through a fault-injecting proxy. The database itself is made and dropped directly. */
  databaseUrl?: (direct: string) => string;
  /** The URL the api and the worker reach the queue's Redis by (default: TEST_REDIS_URL). */
  queueUrl?: (direct: string) => string;
  /** The worker's metrics sampling interval, to see series move in seconds (default: the product's,
   *  CACHEPLANE_METRICS_INTERVAL or 10 s); the retention is the default 2 h. */
  metricsIntervalMs?: number;
  /** The worker's bound on a node's redis.log before it rotates it (default: the product's, 16 MiB). */
  nodeLogMaxBytes?: number;
}

/** The worker's and the drivers' log lines, at every level, as one line of JSON each. */
function sinkLogger(sink: (line: string) => void) {
  const at = (level: string) => (fields: object | string, message?: string) =>
    sink(JSON.stringify({ level, msg: message ?? "", ...(typeof fields === "string" ? { text: fields } : fields) }));
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export async function startTestControlPlane(options: TestControlPlaneOptions = {}): Promise<TestControlPlane> {
  const driver = options.driver ?? "process";
  const db = await createTestDatabase();
  const reachBy = options.databaseUrl?.(db.url) ?? db.url;
  const prisma = createPrisma(reachBy);
  const prefix = `cptest-${randomBytes(4).toString("hex")}`;
  const connection = new Redis(options.queueUrl?.(TEST_REDIS_URL) ?? TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = createReconcileQueue({ connection, prefix });
  const dataDir = await mkdtemp(join(tmpdir(), "cacheplane-test-"));
  const nodesRoot = join(dataDir, "nodes");
  const portRange = portRangeForThisFork();
  const engines = options.engines ?? [{ redisVersion: "REDIS_7_0", maintenanceVersion: BASE_MAINTENANCE_VERSION }];

  const reads = createPooledReads(reachBy);
  const sink = options.logSink;
  const app = await buildApp(
    {
      prisma,
      reads,
      enqueueReconcile: (uid) => queue.enqueue(uid),
      locations: { location: "local1", zones: ZONES },
      engines,
      // The master key the worker's backup storage loads from the same data dir.
      secrets: createSecretBox(await loadMasterKey({ dataDir })),
      // Node logs, read-only, as the api main builds them: drivers over the same nodesRoot.
      nodeLogs: {
        process: createProcessRuntime({ nodesRoot }),
        docker: createDockerRuntime({ nodesRoot, images: DEFAULT_REDIS_IMAGES, imageOverride: options.redisImage ?? LOCAL_IMAGE, docker: options.docker }),
      },
    },
    sink ? { logger: { level: "trace", redact: LOG_REDACT, stream: { write: (line: string) => sink(line) } } } : {},
  );
  await bootstrap(prisma, { adminKey: ADMIN_KEY, dataDir });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;

  const cp: TestControlPlane = {
    url,
    databaseUrl: db.url,
    prefix,
    dataDir,
    nodesRoot,
    portRange,
    prisma,
    queue,
    driver,
    clockOffsetMs: 0,
    bucketsRoot: join(dataDir, "buckets"),
    engines,
    async startWorker() {
      const ctx: WorkerContext = {
        prisma,
        runtimes: await createRuntimes({
          runtime: driver,
          nodesRoot,
          redisImages: DEFAULT_REDIS_IMAGES,
          redisImageOverride: options.redisImage ?? LOCAL_IMAGE,
          docker: options.docker,
          ...(sink ? { logger: sinkLogger(sink) } : {}),
        }),
        queue,
        zones: ZONES,
        nodesRoot,
        nodeHost: "127.0.0.1",
        portRange,
        log: sink ? sinkLogger(sink) : testLogger,
        backups: await openBackupStorage({ dataDir, bucketsRoot: join(dataDir, "buckets") }),
        engines,
        now: () => new Date(Date.now() + cp.clockOffsetMs),
      };
      cp.worker = await startWorker(ctx, {
        connection,
        prefix,
        supervisorIntervalMs: 200,
        resyncIntervalMs: 1000,
        ...(options.metricsIntervalMs === undefined ? {} : { metrics: { intervalMs: options.metricsIntervalMs, retentionMs: 2 * 3_600_000 } }),
        ...(options.nodeLogMaxBytes === undefined ? {} : { nodeLogMaxBytes: options.nodeLogMaxBytes }),
      });
      return cp.worker;
    },
    async api(method, path, body, key = ADMIN_KEY) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async waitOperation(opName, timeoutS = 30) {
      const deadline = Date.now() + timeoutS * 1000;
      for (;;) {
        const res = await cp.api("POST", `/v1/${opName}:wait?timeout=${Math.min(timeoutS, 60)}s`);
        if (res.status !== 200) throw new Error(`wait ${opName}: ${res.status} ${JSON.stringify(res.body)}`);
        if (res.body.done || Date.now() > deadline) return res.body;
      }
    },
    async stop() {
      await cp.worker?.stop();
      await app.close();
      await queue.queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      connection.disconnect();
      await prisma.$disconnect();
      await reads.close();
      await killNodesUnder(nodesRoot);
      await removeContainersUnder(nodesRoot);
      // Every instance is gone with the database: any read route on our ports is ours to remove.
      await removeOrphanReadEndpoints(() => false, portRange);
      await rm(dataDir, { recursive: true, force: true });
      await db.drop();
    },
  };
  if (options.worker !== false) await cp.startWorker();
  return cp;
}
