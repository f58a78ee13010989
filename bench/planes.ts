// The control planes the bench talks to: in-process (api + worker in this process on the
// real Postgres and Redis, as the e2e tests run them) and `cacheplane up` (a child process with
// embedded PGlite and a private queue redis).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { Driver, TestControlPlane } from "../test/support/control-plane.js";
import { HOST, REPO, freePort, killAllUnder, onCleanup, sleep, stopChild, tempDir, type Plane } from "./lib.js";

// Node ports of in-process planes: test/support/control-plane.ts picks a 200-port slice per
// vitest fork (VITEST_POOL_ID, slots 0–19 from 20000). Tests run with 2 forks (slots 1–2);
// the bench takes slot 13 (22600–22799) so it can run beside them.
process.env.VITEST_POOL_ID ??= "13";

export async function inProcessPlane(driver: Driver = "process"): Promise<Plane> {
  const { startTestControlPlane, ADMIN_KEY } = await import("../test/support/control-plane.js");
  const cp = await startTestControlPlane({ driver });
  onCleanup(() => cp.stop());
  return {
    url: cp.url,
    key: ADMIN_KEY,
    cp,
    async events(instanceId, since) {
      const rows = await cp.prisma.event.findMany({
        where: { instance: { instanceId }, ...(since !== undefined ? { time: { gte: new Date(since) } } : {}) },
        orderBy: { time: "asc" },
      });
      const first: Record<string, number> = {};
      for (const e of rows) first[e.type] ??= e.time.getTime();
      return first;
    },
  };
}

/** Replaces the in-process worker (which probes every 200 ms and resyncs every 1000 ms, as
 *  the tests want) with one on the product's default intervals, as `cacheplane up` and the
 *  worker binary run it. Same context otherwise; cp.stop() stops it. */
export async function useProductWorker(cp: TestControlPlane) {
  const { createRuntimes, openBackupStorage, startWorker, silentLogger } = await import("@cacheplane/worker");
  const { DEFAULT_REDIS_IMAGES } = await import("@cacheplane/config");
  const { ZONES, LOCAL_IMAGE, TEST_REDIS_URL } = await import("../test/support/control-plane.js");
  await cp.worker?.stop();
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const runtimes = await createRuntimes({ runtime: cp.driver, nodesRoot: cp.nodesRoot, redisImages: DEFAULT_REDIS_IMAGES, redisImageOverride: LOCAL_IMAGE });
  const backups = await openBackupStorage({ dataDir: cp.dataDir, bucketsRoot: cp.bucketsRoot });
  const ctx = {
    prisma: cp.prisma,
    runtimes,
    queue: cp.queue,
    zones: ZONES,
    nodesRoot: cp.nodesRoot,
    nodeHost: HOST,
    portRange: cp.portRange,
    log: silentLogger,
    backups,
    engines: cp.engines,
  };
  const worker = await startWorker(ctx, { connection, prefix: cp.prefix });
  cp.worker = {
    ...worker,
    async stop() {
      await worker.stop();
      connection.disconnect();
    },
  };
}

/** The log of the running `cacheplane up`, quoted when its group fails. */
export let upLog: string | undefined;

export async function embeddedPlane(): Promise<Plane> {
  const dataDir = await tempDir("cacheplane-bench-up-");
  upLog = join(dataDir, "up.log");
  // Registered after the temp dir, so it runs before the dir is removed.
  let child: ChildProcess | undefined;
  onCleanup(async () => {
    if (child) await stopChild(child, "SIGTERM", 10_000);
    await killAllUnder(dataDir); // data nodes outlive `up` by design (and its queue's redis-server, should `up` not stop)
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
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await sleep(100);
  }
  const key = (await readFile(join(dataDir, "admin-key"), "utf8")).trim();
  return { url, key };
}
