// GET /metrics and the request-latency hook, wired from the api's context (see metrics-route.ts).
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import type { KeyCache } from "../api-keys.js";
import type { ApiContext } from "../context.js";
import { metricsRoute } from "./metrics-route.js";
import { installQueueMetrics, installRequestMetrics } from "./process-metrics.js";
import { scrapeScope } from "./scope.js";

export { createProcessRegistry } from "./process-metrics.js";

/** The worker's default (CACHEPLANE_METRICS_INTERVAL), for a context that does not say. */
export const DEFAULT_SAMPLE_INTERVAL_MS = 10_000;

export function installMonitoring(app: FastifyInstance, ctx: ApiContext, keys: KeyCache) {
  const monitoring = ctx.monitoring ?? {};
  const registry = monitoring.registry ?? new Registry();
  installRequestMetrics(app, registry);
  if (monitoring.jobCounts) installQueueMetrics(registry, monitoring.jobCounts);
  metricsRoute(app, {
    prisma: ctx.prisma,
    registry,
    scopeOf: scrapeScope({ prisma: ctx.prisma, keys, metricsToken: monitoring.metricsToken }),
    sampleIntervalMs: monitoring.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS,
  });
}
