// The api as a fastify app, built from explicit dependencies: tests inject requests into it,
// main.ts and the all-in-one `cacheplane up` listen with it.
import Fastify, { type FastifyInstance } from "fastify";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { ApiContext, ServiceContext } from "./context.js";
import { createKeyCache } from "./api-keys.js";
import { installAudit } from "./plugins/audit.js";
import { installAuth } from "./plugins/auth.js";
import { installMonitoring } from "./monitoring/index.js";
import { frameworkErrors, installErrorHandler, MAX_PARAM_LENGTH } from "./plugins/error-handler.js";
import { installGoogleCompat } from "./google-compat/index.js";
import { apiKeyRoutes } from "./routes/api-keys.js";
import { auditLogRoutes } from "./routes/audit-logs.js";
import { metricsSeriesRoutes } from "./routes/metrics-series.js";
import { createMetricsSeriesService } from "./services/metrics-series-service.js";
import { consoleRoutes } from "./routes/console.js";
import { backupRoutes } from "./routes/backups.js";
import { clusterRoutes } from "./routes/clusters.js";
import { instanceRoutes } from "./routes/instances.js";
import { locationRoutes } from "./routes/locations.js";
import { maintenanceRoutes } from "./routes/maintenance.js";
import { operationRoutes } from "./routes/operations.js";
import { createApiKeyService } from "./services/api-key-service.js";
import { createAuditService } from "./services/audit-service.js";
import { createAuditWriter } from "./services/audit-writer.js";
import { createBackupService } from "./services/backup-service.js";
import { createCatalogue } from "./services/catalogue.js";
import { createDataJobService } from "./services/data-job-service.js";
import { createClusterService } from "./services/cluster-service.js";
import { createInstanceService } from "./services/instance-service.js";
import { createMaintenanceService } from "./services/maintenance-service.js";
import { createOperationService } from "./services/operation-service.js";
import { createUpgradeService } from "./services/upgrade-service.js";
import { createZoneService } from "./services/zone-service.js";
import { createTlsService } from "./services/tls-service.js";
import { tlsRoutes } from "./routes/tls.js";
import { createUserService } from "./services/users-service.js";
import { createAclService } from "./services/acls-service.js";
import { createAuthStringService } from "./services/auth-string-service.js";
import { userRoutes } from "./routes/users.js";
import { aclRoutes } from "./routes/acls.js";
import { authStringRoutes } from "./routes/auth-string.js";
import { nodeLogRoutes } from "./routes/node-logs.js";
import { createNodeLogsService } from "./services/node-logs-service.js";
import { createAwsCredentialStore } from "./memorydb/credentials.js";
import { memorydbOperations } from "./memorydb/ops/index.js";
import { memorydbRoutes } from "./memorydb/protocol.js";

export const API_VERSION = "0.1.0";

/** How long a mutation waits for the queue to take its reconcile before answering anyway. */
export const ENQUEUE_WAIT_MS = 500;

/** What the api's request logs never show: the API key in the Authorization header. (Bodies and
 *  query strings are not logged at all.) */
export const LOG_REDACT = ["req.headers.authorization"];

export interface BuildAppOptions {
  /** Pino logger options, or false for none (tests). */
  logger?: boolean | object;
}

export async function buildApp(ctx: ApiContext, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger === undefined ? false : options.logger === true ? { redact: LOG_REDACT } : options.logger,
    // Bounded input: an Instance or Cluster is small; anything larger is a mistake or an attack.
    bodyLimit: 64 * 1024,
    // Allows ':' in custom method paths (…/instances/x:failover) without URL-decoding tricks.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  // Google's client library (@google-cloud/redis over REST) on the same routes.
  installGoogleCompat(app);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "cacheplane",
        version: API_VERSION,
        description:
          "A managed Redis control plane in the shape of the Memorystore for Redis v1 API. " +
          "Mutations return long-running Operations; errors use Google's JSON error envelope.",
      },
      components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  app.get("/healthz", { schema: { hide: true } }, async () => ({ ok: true }));
  // The web console's files (it calls /v1 with the key typed into it, like any client).
  consoleRoutes(app);

  // The request already committed its Operation: a queue outage must not turn it into an
  // error, nor keep the client waiting: with the queue's Redis down, BullMQ holds the command
  // until it reconnects, so the request waits at most ENQUEUE_WAIT_MS and is answered; the
  // enqueue lands when the queue is back, and the worker's periodic resync finds the instance anyway.
  const services: ServiceContext = {
    ...ctx,
    enqueueReconcile: (uid) => {
      const enqueued = ctx.enqueueReconcile(uid).catch((err: Error) => app.log.warn({ err: err.message, uid }, "enqueue failed; resync will pick it up"));
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          app.log.warn({ uid }, `queue did not answer within ${ENQUEUE_WAIT_MS} ms; answering now, the reconcile follows when it is back`);
          resolve();
        }, ENQUEUE_WAIT_MS);
      });
      return Promise.race([enqueued, waited]).finally(() => clearTimeout(timer));
    },
    catalogue: createCatalogue(ctx.prisma, ctx.engines),
  };
  const keyCache = createKeyCache();
  installAuth(app, ctx.prisma, keyCache);
  // GET /metrics (Prometheus) and the request-latency hook; keys are checked there, not under /v1.
  installMonitoring(app, ctx, keyCache);
  const auditWriter = createAuditWriter(ctx.prisma, app.log);
  installAudit(app, auditWriter);
  const clusters = createClusterService(services);
  const backups = createBackupService(services);
  const dataJobs = createDataJobService(services);
  const maintenance = createMaintenanceService(services);
  const users = createUserService(services);
  const acls = createAclService(services);
  instanceRoutes(app, createInstanceService(services));
  clusterRoutes(app, clusters);
  backupRoutes(app, backups, dataJobs);
  maintenanceRoutes(app, createUpgradeService(services), maintenance);
  tlsRoutes(app, createTlsService(services));
  authStringRoutes(app, createAuthStringService(services));
  nodeLogRoutes(app, createNodeLogsService(services));
  metricsSeriesRoutes(app, createMetricsSeriesService(services));
  userRoutes(app, users);
  aclRoutes(app, acls);
  operationRoutes(app, createOperationService(services));
  locationRoutes(app, { ...ctx.locations, redisVersions: services.catalogue.offered }, createZoneService(services));
  const awsCredentials = createAwsCredentialStore(ctx.prisma, ctx.secrets, app.log);
  const verifiedKeys = {
    clear: () => {
      keyCache.clear();
      awsCredentials.clear();
    },
  };
  apiKeyRoutes(app, createApiKeyService(ctx.prisma, verifiedKeys, awsCredentials));
  // The MemoryDB API (AWS JSON 1.1 at POST /), over the same services.
  await memorydbRoutes(app, {
    operations: memorydbOperations({ ctx: services, clusters, backups, dataJobs, users, acls, maintenance }),
    credentials: awsCredentials,
    region: ctx.locations.location,
    audit: auditWriter,
  });
  auditLogRoutes(app, createAuditService(ctx.prisma, auditWriter));
  return app;
}
