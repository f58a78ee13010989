// GET …/instances/{i}/metrics and …/clusters/{c}/metrics (our addition): the deployment's time
// series from the worker's INFO samples (core's metricsSeries), over a window and step checked
// against the sampling settings: the step defaults to the sampling interval, the window may
// reach back as far as samples are kept.
import { loadMetricsSettings } from "@cacheplane/config";
import { formatDuration, lookbackMs, metricsSeries, resolveMetricsWindow } from "@cacheplane/core";
import type { DeploymentMetrics, MetricsQuery } from "@cacheplane/contracts";
import { samplesOf } from "@cacheplane/db";
import type { ServiceContext } from "../context.js";
import { invalidArgument } from "../errors.js";
import { deploymentName, findDeployment, type DeploymentKey, type DeploymentKind } from "./deployments.js";

export interface MetricsSeriesSettings {
  /** CACHEPLANE_METRICS_INTERVAL: the default step (0: sampling off, 10 s steps). */
  intervalMs: number;
  /** CACHEPLANE_METRICS_RETENTION: the longest window. */
  retentionMs: number;
}

/** `settings` default to the process's CACHEPLANE_METRICS_* (the worker samples by the same
 *  settings: one environment in compose and in `cacheplane up`). */
export function createMetricsSeriesService(ctx: ServiceContext, settings: MetricsSeriesSettings = loadMetricsSettings()) {
  return {
    async get(kind: DeploymentKind, key: DeploymentKey, query: MetricsQuery): Promise<DeploymentMetrics> {
      const resolved = resolveMetricsWindow(query, settings);
      if (!resolved.ok) throw invalidArgument(resolved.field, resolved.message);
      const row = await findDeployment(ctx.prisma, ctx.locations, kind, key);
      const now = Date.now();
      const request = { windowMs: resolved.windowMs, stepMs: resolved.stepMs, now, cluster: kind === "CLUSTER" };
      const samples = await samplesOf(ctx.prisma, row.uid, new Date(now - lookbackMs(request, settings.intervalMs)));
      const nodes = [...row.nodes]
        .sort((a, b) => a.shard - b.shard || a.ordinal - b.ordinal)
        .map((n) => ({ id: n.id, zone: n.zone, shard: n.shard, role: n.role === "REPLICA" ? ("REPLICA" as const) : ("PRIMARY" as const) }));
      return {
        name: deploymentName(kind, key),
        window: formatDuration(resolved.windowMs),
        step: formatDuration(resolved.stepMs),
        series: metricsSeries(samples, nodes, request),
      };
    },
  };
}

export type MetricsSeriesService = ReturnType<typeof createMetricsSeriesService>;
