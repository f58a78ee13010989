// GET …/instances/{i}/metrics and …/clusters/{c}/metrics (our addition): the deployment's time
// series, for the console's charts. Handlers only map HTTP to the service; a GET, so a viewer reads.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { ClusterParams, DeploymentMetrics, InstanceParams, MetricsQuery } from "@cacheplane/contracts";
import type { MetricsSeriesService } from "../services/metrics-series-service.js";
import { errorResponses, security } from "./common.js";

const LOC = "/v1/projects/:project/locations/:location";
const description =
  "cacheplane addition. Per node: memory_usage_ratio, ops_per_second, connected_clients, hit_ratio, evictions_per_second, and " +
  "replication_lag_bytes per replica, from the INFO the worker samples every CACHEPLANE_METRICS_INTERVAL (10s) and keeps for " +
  "CACHEPLANE_METRICS_RETENTION (2h). `window` (default 1h, at most the retention) and `step` (default the sampling interval; " +
  "samples in a step are averaged, counters become rates over it) are durations such as 600s, 15m, 1h. Points fall on multiples " +
  "of the step; each series' `role` is the node's at its newest sample, so it follows a failover.";

export function metricsSeriesRoutes(app: FastifyInstance, metrics: MetricsSeriesService) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(`${LOC}/instances/:instance/metrics`, {
    schema: {
      operationId: "getInstanceMetrics",
      summary: "Get the instance's time series",
      description,
      tags: ["Instances"],
      security,
      params: InstanceParams,
      querystring: MetricsQuery,
      response: { 200: DeploymentMetrics, ...errorResponses },
    },
    config: { access: "read" },
    handler: (req) => metrics.get("INSTANCE", { project: req.params.project, location: req.params.location, id: req.params.instance }, req.query),
  });

  r.get(`${LOC}/clusters/:cluster/metrics`, {
    schema: {
      operationId: "getClusterMetrics",
      summary: "Get the cluster's time series",
      description,
      tags: ["Clusters"],
      security,
      params: ClusterParams,
      querystring: MetricsQuery,
      response: { 200: DeploymentMetrics, ...errorResponses },
    },
    config: { access: "read" },
    handler: (req) => metrics.get("CLUSTER", { project: req.params.project, location: req.params.location, id: req.params.cluster }, req.query),
  });
}
