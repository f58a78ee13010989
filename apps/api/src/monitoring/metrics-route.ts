// GET /metrics in the Prometheus text format: the process's own registry (request latency, queue
// depth, reconcile durations when the worker shares the process, Node's process series), then
// what the database says, limited to the scraper's projects (scope.ts).
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { PrismaClient } from "@cacheplane/db";
import type { Registry } from "prom-client";
import { controlPlaneSeries, nodeSeries } from "./database-series.js";
import { renderFamilies } from "./exposition.js";
import type { Scope } from "./scope.js";

export interface MetricsRouteOptions {
  prisma: PrismaClient;
  registry: Registry;
  scopeOf: (request: FastifyRequest) => Promise<Scope>;
  sampleIntervalMs: number;
}

export function metricsRoute(app: FastifyInstance, { prisma, registry, scopeOf, sampleIntervalMs }: MetricsRouteOptions) {
  app.get("/metrics", { schema: { hide: true } }, async (request, reply) => {
    const scope = await scopeOf(request);
    const [own, nodes, plane] = await Promise.all([registry.metrics(), nodeSeries(prisma, scope, sampleIntervalMs), controlPlaneSeries(prisma, scope)]);
    return reply.type(registry.contentType).send(own + renderFamilies([...plane, ...nodes]));
  });
}
