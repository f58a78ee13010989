// `cacheplane up`: api + worker in one process with embedded defaults — an embedded Postgres
// (PGlite) and a private redis-server for the queue unless DATABASE_URL / REDIS_URL say
// otherwise. Data nodes outlive this process and are adopted again on the next start; the
// embedded Postgres and queue redis-server stop with it.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { pino } from "pino";
import type { Settings } from "@cacheplane/config";
import { defaultCatalogue, redisVersionsOf } from "@cacheplane/core";
import { buildApp, bootstrap, createProcessRegistry, LOG_REDACT } from "@cacheplane/api";
import { createRuntimes, openBackupStorage, startWorker } from "@cacheplane/worker";
import { createPooledReads, createPrisma, createSingleConnectionClients, migrate, startEmbeddedPostgres } from "@cacheplane/db";
import { createReconcileQueue } from "@cacheplane/queue";
import { createSecretBox, findRedisServer } from "@cacheplane/runtime";
import { removeRunFiles, writeRunFiles } from "./config-file.js";
import { startEmbeddedRedis } from "./embedded-redis.js";

export interface RunningControlPlane {
  url: string;
  adminKey?: string | undefined;
  stop(): Promise<void>;
}

export async function up(settings: Settings, print: (line: string) => void): Promise<RunningControlPlane> {
  const nodesRoot = join(settings.dataDir, "nodes");
  const log = pino({ level: settings.logLevel, name: "cacheplane" });
  const runtimes = await createRuntimes({
    runtime: settings.runtime,
    nodesRoot,
    redisServerPath: settings.redisServerPath,
    searchPath: settings.searchPath,
    redisImages: settings.redisImages,
    redisImageOverride: settings.redisImageOverride,
    logger: log,
  });
  // The builds nodes may run: configured, or one per version the runtime can run.
  const engines = settings.engines ?? defaultCatalogue(settings.redisVersions ?? runtimes.redisVersions);
  await mkdir(settings.dataDir, { recursive: true, mode: 0o700 });

  const embeddedPg = settings.databaseUrl ? undefined : await startEmbeddedPostgres({ dataDir: join(settings.dataDir, "postgres") });
  const databaseUrl = settings.databaseUrl ?? embeddedPg!.url;
  await migrate(databaseUrl);
  // PGlite serves one session for all its socket connections and mixes up interleaved
  // extended-protocol messages under concurrency: the embedded database gets one connection,
  // which Prisma and the hot reads share.
  const { prisma, reads } = embeddedPg
    ? createSingleConnectionClients(databaseUrl)
    : { prisma: createPrisma(databaseUrl), reads: createPooledReads(databaseUrl) };

  // The queue's private redis-server needs the binary even when nodes run in Docker.
  const embeddedRedis = settings.redisUrl
    ? undefined
    : await startEmbeddedRedis({
        dataDir: settings.dataDir,
        redisServerPath: findRedisServer({ redisServerPath: settings.redisServerPath, searchPath: settings.searchPath }),
      });
  const redisUrl = settings.redisUrl ?? embeddedRedis!.url;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = createReconcileQueue({ connection, prefix: settings.queuePrefix });

  // One registry for the process: a scrape of the api shows the worker's reconcile durations too.
  const registry = createProcessRegistry();
  const backups = await openBackupStorage({ dataDir: settings.dataDir, bucketsRoot: settings.bucketsDir, masterKey: settings.masterKey });
  const worker = await startWorker(
    {
      prisma,
      runtimes,
      queue,
      zones: settings.zones,
      nodesRoot,
      nodeHost: settings.nodeHost,
      portRange: settings.nodePorts,
      log,
      backups,
      engines,
    },
    { connection, prefix: settings.queuePrefix, registry },
  );

  const app = await buildApp(
    {
      prisma,
      reads,
      enqueueReconcile: (uid) => queue.enqueue(uid),
      locations: { location: settings.location, zones: settings.zones },
      engines,
      secrets: createSecretBox(backups.masterKey),
      // The worker's own drivers, read-only, for the nodes' logs.
      nodeLogs: runtimes.byDriver,
      monitoring: { registry, metricsToken: settings.metricsToken, jobCounts: () => queue.queue.getJobCounts(), sampleIntervalMs: settings.metrics.intervalMs },
    },
    { logger: { level: settings.logLevel === "info" ? "warn" : settings.logLevel, redact: LOG_REDACT } },
  );
  const boot = await bootstrap(prisma, { adminKey: settings.adminKey, dataDir: settings.dataDir });
  await app.listen({ host: settings.host, port: settings.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : settings.port;
  const url = `http://${settings.host}:${port}`;
  // For the other commands: where the API is, which file holds the key, which pid `down` stops.
  await writeRunFiles(settings.dataDir, { url, apiKeyFile: boot.keyFile });

  print(`cacheplane is up at ${url} (API reference: ${url}/docs)`);
  print(`  data dir: ${settings.dataDir}`);
  print(`  data nodes: ${runtimes.default.driver} driver; versions ${redisVersionsOf(engines).join(", ")}`);
  print(`  database: ${embeddedPg ? "embedded Postgres (PGlite)" : "DATABASE_URL"}; queue: ${settings.redisUrl ? "REDIS_URL" : "embedded redis-server"}`);
  if (boot.generated) print(`  admin API key (shown once, also saved in ${boot.keyFile}): ${boot.adminKey}`);
  else if (boot.keyFile) print(`  admin API key: in ${boot.keyFile}`);

  return {
    url,
    adminKey: boot.adminKey,
    async stop() {
      await removeRunFiles(settings.dataDir);
      await app.close();
      await worker.stop();
      await queue.close();
      await prisma.$disconnect();
      await reads.close();
      connection.disconnect();
      // Started for this process only; its AOF keeps what was queued for the next `up`.
      await embeddedRedis?.stop();
      await embeddedPg?.stop();
    },
  };
}
