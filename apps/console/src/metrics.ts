// The time series of one deployment, read with the SDK's `instances.metrics` / `clusters.metrics`
// (GET …/{id}/metrics: the worker's INFO samples, one series per node and metric).
import type { CacheplaneClient, DeploymentMetrics } from "@cacheplane/sdk";
import type { Kind } from "./router.js";

export type { DeploymentMetrics, MetricSeries } from "@cacheplane/sdk";
export type MetricName = DeploymentMetrics["series"][number]["metric"];

/** The charts the detail view draws, in order, with how to print a value. */
export const CHARTS: { metric: MetricName; title: string; format: (v: number) => string; ratio?: boolean }[] = [
  { metric: "memory_usage_ratio", title: "Memory usage", format: (v) => (v === 0 ? "0%" : `${(v * 100).toFixed(v < 0.1 ? 2 : 0)}%`), ratio: true },
  { metric: "ops_per_second", title: "Operations / s", format: (v) => v.toFixed(v < 10 ? 1 : 0) },
  { metric: "connected_clients", title: "Connected clients", format: (v) => v.toFixed(0) },
  { metric: "hit_ratio", title: "Hit ratio", format: (v) => `${(v * 100).toFixed(0)}%`, ratio: true },
  { metric: "evictions_per_second", title: "Evictions / s", format: (v) => v.toFixed(v < 10 ? 1 : 0) },
  { metric: "replication_lag_bytes", title: "Replication lag (bytes, per replica)", format: (v) => formatBytes(v) },
];

export function formatBytes(v: number): string {
  if (v < 1024) return `${v.toFixed(0)} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KiB`;
  return `${(v / 1024 / 1024).toFixed(1)} MiB`;
}

export async function loadMetrics(client: CacheplaneClient, kind: Kind, id: string, window = "15m"): Promise<DeploymentMetrics> {
  return kind === "instance" ? client.instances.metrics(id, { window }) : client.clusters.metrics(id, { window });
}

/** The newest value of a node's series, e.g. a replica's lag for the topology. */
export function latest(metrics: DeploymentMetrics | undefined, metric: MetricName, node: string): number | undefined {
  const series = metrics?.series.find((s) => s.metric === metric && s.node === node);
  return series?.points.at(-1)?.value;
}
