// The time series of one deployment, read with the SDK's `instances.metrics` / `clusters.metrics`
// (GET …/{id}/metrics: the worker's INFO samples, per node). The shape is the contract's
// DeploymentMetrics (packages/contracts/src/monitoring.ts), written out here because the console
// imports the SDK only.
import type { CacheplaneClient } from "@cacheplane/sdk";
import type { Kind } from "./router.js";

export type MetricName =
  | "memory_usage_ratio"
  | "ops_per_second"
  | "connected_clients"
  | "hit_ratio"
  | "evictions_per_second"
  | "replication_lag_bytes";

export interface MetricSeries {
  metric: MetricName;
  node: string;
  zone: string;
  role: "PRIMARY" | "REPLICA";
  shard?: string;
  points: { time: string; value: number }[];
}

export interface DeploymentMetrics {
  name: string;
  window: string;
  step: string;
  series: MetricSeries[];
}

type MetricsCall = (idOrName: string, query?: { window?: string; step?: string }) => Promise<DeploymentMetrics>;

/** The charts the detail view draws, in order, with how to print a value. */
export const CHARTS: { metric: MetricName; title: string; format: (v: number) => string }[] = [
  { metric: "memory_usage_ratio", title: "Memory usage", format: (v) => `${(v * 100).toFixed(1)}%` },
  { metric: "ops_per_second", title: "Operations / s", format: (v) => v.toFixed(v < 10 ? 1 : 0) },
  { metric: "connected_clients", title: "Connected clients", format: (v) => v.toFixed(0) },
  { metric: "hit_ratio", title: "Hit ratio", format: (v) => `${(v * 100).toFixed(1)}%` },
  { metric: "evictions_per_second", title: "Evictions / s", format: (v) => v.toFixed(v < 10 ? 1 : 0) },
  { metric: "replication_lag_bytes", title: "Replication lag (bytes, per replica)", format: (v) => formatBytes(v) },
];

export function formatBytes(v: number): string {
  if (v < 1024) return `${v.toFixed(0)} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KiB`;
  return `${(v / 1024 / 1024).toFixed(1)} MiB`;
}

export async function loadMetrics(client: CacheplaneClient, kind: Kind, id: string, window = "15m"): Promise<DeploymentMetrics> {
  // Looked up by name: the call is part of the SDK's monitoring additions.
  const api = (kind === "instance" ? client.instances : client.clusters) as unknown as { metrics?: MetricsCall };
  if (!api.metrics) throw new Error("this SDK build has no metrics call yet");
  return api.metrics(id, { window });
}

/** The newest value of a node's series, e.g. a replica's lag for the topology. */
export function latest(metrics: DeploymentMetrics | undefined, metric: MetricName, node: string): number | undefined {
  const series = metrics?.series.find((s) => s.metric === metric && s.node === node);
  return series?.points.at(-1)?.value;
}
