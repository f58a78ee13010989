// The time series of an instance or a cluster (cacheplane addition: GET …/metrics), for
// dashboards and the console: `client.instances.metrics(id, { window: "15m", step: "30s" })`.
import { dataOf, type ApiClient } from "./http.js";
import type { DeploymentMetrics } from "./types.js";

export interface MetricsOptions {
  /** How far back from now: "600s", "15m", "1h" (default 1h; at most the retention, 2h by default). */
  window?: string;
  /** The spacing of the points (default: the sampling interval, 10s). */
  step?: string;
  signal?: AbortSignal;
}

const INSTANCE = "/v1/projects/{project}/locations/{location}/instances/{instance}/metrics" as const;
const CLUSTER = "/v1/projects/{project}/locations/{location}/clusters/{cluster}/metrics" as const;

const queryOf = (opts: MetricsOptions) => ({
  ...(opts.window !== undefined ? { window: opts.window } : {}),
  ...(opts.step !== undefined ? { step: opts.step } : {}),
});

export async function instanceMetrics(
  api: ApiClient,
  path: { project: string; location: string; instance: string },
  opts: MetricsOptions = {},
): Promise<DeploymentMetrics> {
  return dataOf(await api.GET(INSTANCE, { params: { path, query: queryOf(opts) }, signal: opts.signal }));
}

export async function clusterMetrics(
  api: ApiClient,
  path: { project: string; location: string; cluster: string },
  opts: MetricsOptions = {},
): Promise<DeploymentMetrics> {
  return dataOf(await api.GET(CLUSTER, { params: { path, query: queryOf(opts) }, signal: opts.signal }));
}
