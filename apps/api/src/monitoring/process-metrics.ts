// What this process measures itself, in prom-client: request latency, the queue's depth at scrape
// time, and (through the registry the worker is given in the same process) reconcile durations.
// One Registry per process, never prom-client's global one: tests build many apps in one process,
// and a library that registers globally would leak into our scrape.
import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The registry a process entry point makes once: the process's own series (CPU, memory, event
 *  loop, GC) included. buildApp without one keeps a private registry without them. */
export function createProcessRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function installRequestMetrics(app: FastifyInstance, registry: Registry) {
  const duration = new Histogram({
    name: "cacheplane_http_request_duration_seconds",
    help: "API request latency, by method, route pattern (never the raw URL) and status code.",
    labelNames: ["method", "route", "code"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  app.addHook("onResponse", async (request, reply) => {
    // An unmatched URL has no pattern; its path is the client's to choose, so it is not a label.
    const route = request.routeOptions.url ?? "unmatched";
    duration.observe({ method: request.method, route, code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}

/** BullMQ's counts by state; the caller bounds how long it may take. */
export type JobCounts = () => Promise<Record<string, number>>;

/** With the queue's Redis down BullMQ waits for it to return, so a scrape waits this long at most
 *  and then shows no queue series rather than hanging Prometheus's scrape. */
const QUEUE_COUNT_TIMEOUT_MS = 1_000;

export function installQueueMetrics(registry: Registry, jobCounts: JobCounts) {
  new Gauge({
    name: "cacheplane_queue_jobs",
    help: "Reconcile jobs in the queue by state, counted at scrape time.",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await new Promise<Record<string, number> | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), QUEUE_COUNT_TIMEOUT_MS);
        const settle = (c: Record<string, number> | undefined) => {
          clearTimeout(timer);
          resolve(c);
        };
        jobCounts().then(settle, () => settle(undefined));
      });
      for (const [state, n] of Object.entries(counts ?? {})) this.set({ state }, n);
    },
  });
}
