// Monitoring (our additions): the time series the console draws for one instance or cluster,
// computed from the worker's INFO samples, and a data node's own log lines.
import { z } from "zod";
import { InstanceParams, ClusterParams } from "./requests.js";

/** A window or step as a protobuf Duration in whole seconds or minutes or hours: "600s", "15m", "1h". */
const WindowDuration = z
  .string()
  .regex(/^[1-9]\d{0,5}(s|m|h)$/, "must be a duration such as 600s, 15m or 1h")
  .meta({ example: "1h" });

export const MetricsQuery = z.strictObject({
  /** How far back from now (default 1h; at most the retention, 2h by default). */
  window: WindowDuration.optional(),
  /** The spacing of the points (default: the sampling interval, 10s); samples in a step are averaged. */
  step: WindowDuration.optional(),
});

export const MetricName = z.enum([
  /** used_memory / maxmemory, 0..1, per node. */
  "memory_usage_ratio",
  /** Commands processed per second (from total_commands_processed), per node. */
  "ops_per_second",
  /** connected_clients, per node. */
  "connected_clients",
  /** keyspace_hits / (hits + misses) over each step, per node; no point in a step without lookups. */
  "hit_ratio",
  /** evicted_keys per second, per node. */
  "evictions_per_second",
  /** The shard primary's master_repl_offset minus the replica's slave_repl_offset, bytes, per replica. */
  "replication_lag_bytes",
]);

export const MetricPoint = z.object({ time: z.string().datetime(), value: z.number() });

export const MetricSeries = z
  .object({
    metric: MetricName,
    /** The node the series is of (Instance.nodes[].id / a cluster's node id). */
    node: z.string(),
    zone: z.string(),
    /** Its role at the newest point (PRIMARY | REPLICA): follows a failover. */
    role: z.enum(["PRIMARY", "REPLICA"]),
    /** The shard ("0001"), for clusters. */
    shard: z.string().optional(),
    points: z.array(MetricPoint),
  })
  .meta({ id: "MetricSeries" });

export const DeploymentMetrics = z
  .object({
    /** The instance's or cluster's full resource name. */
    name: z.string(),
    window: z.string(),
    step: z.string(),
    series: z.array(MetricSeries),
  })
  .meta({ id: "DeploymentMetrics" });

export const NodeLogsQuery = z.strictObject({
  /** The newest N lines (default 100, at most 10000). */
  tail: z.coerce.number().int().min(1).max(10_000).optional(),
});

/** {node} is the node id that Instance.nodes[].id (or a cluster shard's node) shows. */
const NodeId = z.string().regex(/^[a-z0-9-]{1,80}$/, "must be a node id as the resource's nodes[].id shows it");
export const InstanceNodeParams = InstanceParams.extend({ node: NodeId });
export const ClusterNodeParams = ClusterParams.extend({ node: NodeId });

export const NodeLogs = z
  .object({
    node: z.string(),
    /** The engine's own log lines, oldest first; secrets (AUTH strings, passwords) are redacted. */
    lines: z.array(z.string()),
  })
  .meta({ id: "NodeLogs" });

export type MetricsQuery = z.infer<typeof MetricsQuery>;
export type MetricSeries = z.infer<typeof MetricSeries>;
export type DeploymentMetrics = z.infer<typeof DeploymentMetrics>;
export type NodeLogs = z.infer<typeof NodeLogs>;
