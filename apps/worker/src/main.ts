// The worker as a process of its own (docker-compose, or a second worker beside `up`).
import { join } from "node:path";
import { Redis } from "ioredis";
import { pino } from "pino";
import { loadSettings } from "@cacheplane/config";
import { defaultCatalogue } from "@cacheplane/core";
import { createPrisma, migrate } from "@cacheplane/db";
import { createReconcileQueue } from "@cacheplane/queue";
import { createRuntimes } from "./runtimes.js";
import { startWorker } from "./worker.js";
import { openBackupStorage } from "./backups/storage.js";
import { createWorkerRegistry, serveMetrics } from "./metrics-endpoint.js";

const settings = loadSettings();
const log = pino({ level: settings.logLevel, name: "worker" });
if (!settings.databaseUrl || !settings.redisUrl) {
  log.fatal("DATABASE_URL and REDIS_URL are required; `cacheplane up` runs everything with embedded defaults");
  process.exit(2);
}
await migrate(settings.databaseUrl);
const prisma = createPrisma(settings.databaseUrl);
const connection = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
const queue = createReconcileQueue({ connection, prefix: settings.queuePrefix });
const runtimes = await createRuntimes({
  runtime: settings.runtime,
  nodesRoot: join(settings.dataDir, "nodes"),
  redisServerPath: settings.redisServerPath,
  searchPath: settings.searchPath,
  redisImages: settings.redisImages,
  redisImageOverride: settings.redisImageOverride,
  logger: log,
});
const registry = createWorkerRegistry();
const worker = await startWorker(
  {
    prisma,
    runtimes,
    queue,
    zones: settings.zones,
    nodesRoot: join(settings.dataDir, "nodes"),
    nodeHost: settings.nodeHost,
    portRange: settings.nodePorts,
    log,
    backups: await openBackupStorage({ dataDir: settings.dataDir, bucketsRoot: settings.bucketsDir, masterKey: settings.masterKey }),
    engines: settings.engines ?? defaultCatalogue(settings.redisVersions ?? runtimes.redisVersions),
  },
  { connection, prefix: settings.queuePrefix, registry },
);
// The api's GET /metrics shows what the database knows; this process's own series are here.
const metricsServer = settings.workerMetricsPort ? await serveMetrics(registry, settings.workerMetricsPort, settings.metricsToken) : undefined;
if (metricsServer) log.info({ port: settings.workerMetricsPort }, "worker metrics on 127.0.0.1");
log.info(
  { zones: settings.zones, driver: runtimes.default.driver, readEndpoint: worker.readEndpoint.kind, readEndpointReason: worker.readEndpoint.reason },
  "worker started",
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    metricsServer?.close();
    await worker.stop();
    await queue.close();
    await prisma.$disconnect();
    connection.disconnect();
    process.exit(0);
  });
}
