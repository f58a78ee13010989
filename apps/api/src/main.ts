// The api as a process of its own (docker-compose).
import { Redis } from "ioredis";
import { loadSettings } from "@cacheplane/config";
import { defaultCatalogue } from "@cacheplane/core";
import { createPooledReads, createPrisma, migrate } from "@cacheplane/db";
import { createReconcileQueue } from "@cacheplane/queue";
import { join } from "node:path";
import { createDockerRuntime, createProcessRuntime, createSecretBox, loadMasterKey } from "@cacheplane/runtime";
import { buildApp, LOG_REDACT } from "./app.js";
import { createProcessRegistry } from "./monitoring/index.js";
import { bootstrap } from "./bootstrap.js";

const settings = loadSettings();
if (!settings.databaseUrl || !settings.redisUrl) {
  console.error("DATABASE_URL and REDIS_URL are required; `cacheplane up` runs everything with embedded defaults");
  process.exit(2);
}
await migrate(settings.databaseUrl);
const prisma = createPrisma(settings.databaseUrl);
const connection = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
const queue = createReconcileQueue({ connection, prefix: settings.queuePrefix });
const reads = createPooledReads(settings.databaseUrl);
const app = await buildApp(
  {
    prisma,
    reads,
    enqueueReconcile: (uid) => queue.enqueue(uid),
    locations: { location: settings.location, zones: settings.zones },
    // The api does not run nodes; it offers what the deployment says the workers can run.
    engines: settings.engines ?? defaultCatalogue(settings.redisVersions ?? ["REDIS_7_0"]),
    // Shared with the workers through CACHEPLANE_MASTER_KEY when they run elsewhere.
    secrets: createSecretBox(await loadMasterKey({ dataDir: settings.dataDir, fromEnv: settings.masterKey })),
    // Node logs, read-only from the nodes the workers run on this machine (compose: the same data
    // dir and host network; services/node-logs-service.ts).
    nodeLogs: {
      process: createProcessRuntime({ nodesRoot: join(settings.dataDir, "nodes") }),
      docker: createDockerRuntime({ nodesRoot: join(settings.dataDir, "nodes"), images: settings.redisImages }),
    },
    // The workers' own series (reconcile durations) are theirs: CACHEPLANE_WORKER_METRICS_PORT.
    monitoring: {
      registry: createProcessRegistry(),
      metricsToken: settings.metricsToken,
      jobCounts: () => queue.queue.getJobCounts(),
      sampleIntervalMs: settings.metrics.intervalMs,
    },
  },
  { logger: { level: settings.logLevel, redact: LOG_REDACT } },
);
const boot = await bootstrap(prisma, { adminKey: settings.adminKey, dataDir: settings.dataDir });
if (boot.generated) console.log(`admin API key (shown once; also in ${boot.keyFile}): ${boot.adminKey}`);
await app.listen({ host: settings.host, port: settings.port });

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    await app.close();
    await queue.close();
    await prisma.$disconnect();
    await reads.close();
    connection.disconnect();
    process.exit(0);
  });
}
