// The data nodes' series, named as oliver006/redis_exporter names them, so dashboards and alerts
// written for it (Grafana's Redis dashboards, the redis-mixin) work unchanged; the labels are ours
// (project, location, instance | cluster + shard, node, zone, role), since one scrape here covers
// every node, where the exporter runs one process per Redis. Pure: rows in, families out.
import type { NodeSampleRow } from "@cacheplane/db";
import type { Family, Labels, MetricType, Sample } from "./exposition.js";

export interface ObservedNode {
  id: string;
  shard: number;
  zone: string;
  /** The control plane's record, used only while the node has no fresh sample. */
  role: string;
  host: string;
  port: number;
  redisVersion: string | null;
}

export interface Deployment {
  kind: "INSTANCE" | "CLUSTER";
  project: string;
  location: string;
  /** instanceId or clusterId, as the API names it. */
  id: string;
  redisVersion: string;
  nodes: ObservedNode[];
}

/** INFO field → exporter name. Counters are INFO's monotonic totals; everything else is a gauge.
 *  Not instantaneous_ops_per_sec: the exporter does not export it either (promtool flags "sec" as
 *  an abbreviated unit), and rate(redis_commands_processed_total[1m]) is the exact figure. */
const FIELDS: [field: string, name: string, type: MetricType, help: string][] = [
  ["uptime_in_seconds", "redis_uptime_in_seconds", "gauge", "Seconds since the node's redis-server started."],
  ["used_memory", "redis_memory_used_bytes", "gauge", "Bytes allocated by Redis (INFO used_memory)."],
  ["used_memory_rss", "redis_memory_used_rss_bytes", "gauge", "Resident set size of the redis-server process in bytes."],
  ["used_memory_peak", "redis_memory_used_peak_bytes", "gauge", "Peak of used_memory in bytes."],
  ["used_memory_dataset", "redis_memory_used_dataset_bytes", "gauge", "Bytes used by the data set (used_memory less overhead)."],
  ["used_memory_lua", "redis_memory_used_lua_bytes", "gauge", "Bytes used by the Lua engine."],
  ["maxmemory", "redis_memory_max_bytes", "gauge", "The maxmemory limit in bytes (0: none)."],
  ["mem_fragmentation_ratio", "redis_mem_fragmentation_ratio", "gauge", "used_memory_rss divided by used_memory."],
  ["connected_clients", "redis_connected_clients", "gauge", "Client connections, replicas excluded."],
  ["blocked_clients", "redis_blocked_clients", "gauge", "Clients waiting in a blocking call."],
  ["maxclients", "redis_max_clients", "gauge", "The maxclients limit."],
  ["total_connections_received", "redis_connections_received_total", "counter", "Connections accepted since start."],
  ["rejected_connections", "redis_rejected_connections_total", "counter", "Connections refused for maxclients since start."],
  ["total_commands_processed", "redis_commands_processed_total", "counter", "Commands processed since start."],
  ["total_net_input_bytes", "redis_net_input_bytes_total", "counter", "Bytes read from the network since start."],
  ["total_net_output_bytes", "redis_net_output_bytes_total", "counter", "Bytes written to the network since start."],
  ["keyspace_hits", "redis_keyspace_hits_total", "counter", "Key lookups that found the key."],
  ["keyspace_misses", "redis_keyspace_misses_total", "counter", "Key lookups that did not find the key."],
  ["evicted_keys", "redis_evicted_keys_total", "counter", "Keys evicted for maxmemory."],
  ["expired_keys", "redis_expired_keys_total", "counter", "Keys removed on expiry."],
  ["pubsub_channels", "redis_pubsub_channels", "gauge", "Channels with subscribers."],
  ["pubsub_patterns", "redis_pubsub_patterns", "gauge", "Patterns with subscribers."],
  ["connected_slaves", "redis_connected_slaves", "gauge", "Replicas connected to this node."],
  ["master_repl_offset", "redis_master_repl_offset", "gauge", "The node's replication offset in bytes."],
  ["rdb_changes_since_last_save", "redis_rdb_changes_since_last_save", "gauge", "Writes since the last RDB save."],
  ["rdb_bgsave_in_progress", "redis_rdb_bgsave_in_progress", "gauge", "1 while a background save runs."],
  ["rdb_last_save_time", "redis_rdb_last_save_timestamp_seconds", "gauge", "Unix time of the last successful RDB save."],
  ["loading", "redis_loading_dump_file", "gauge", "1 while the node loads its data file."],
  ["rdb_last_bgsave_status", "redis_rdb_last_bgsave_status", "gauge", "1 when the last background save succeeded."],
  ["aof_enabled", "redis_aof_enabled", "gauge", "1 when the append-only file is on."],
  ["aof_rewrite_in_progress", "redis_aof_rewrite_in_progress", "gauge", "1 while an append-only file rewrite runs."],
  ["used_cpu_sys", "redis_cpu_sys_seconds_total", "counter", "System CPU seconds used by redis-server."],
  ["used_cpu_user", "redis_cpu_user_seconds_total", "counter", "User CPU seconds used by redis-server."],
  ["used_cpu_sys_children", "redis_cpu_sys_children_seconds_total", "counter", "System CPU seconds used by its child processes (saves, rewrites)."],
  ["used_cpu_user_children", "redis_cpu_user_children_seconds_total", "counter", "User CPU seconds used by its child processes (saves, rewrites)."],
];

/** Only replicas report these; the exporter labels them with the primary's address. */
const REPLICA_FIELDS: [field: string, name: string, help: string][] = [
  ["master_link_status", "redis_master_link_up", "1 when the replica's link to its primary is up."],
  ["master_last_io_seconds_ago", "redis_master_last_io_seconds_ago", "Seconds since the replica last heard from its primary."],
  ["slave_repl_offset", "redis_slave_repl_offset", "The replica's processed replication offset in bytes."],
  ["master_sync_in_progress", "redis_master_sync_in_progress", "1 while the replica takes a full copy from its primary."],
];

const role = (r: string) => (r === "REPLICA" ? "replica" : "primary");

interface NodeView {
  labels: Labels;
  deployment: Deployment;
  node: ObservedNode;
  sample: NodeSampleRow | undefined;
  role: "primary" | "replica";
}

function viewsOf(deployments: Deployment[], samples: NodeSampleRow[]): NodeView[] {
  const byNode = new Map(samples.map((s) => [s.nodeId, s]));
  const views: NodeView[] = [];
  for (const d of deployments) {
    for (const node of d.nodes) {
      const sample = byNode.get(node.id);
      // A failover moves the role before the control plane's record may: the newest sample wins.
      const r = role(sample?.role ?? node.role);
      const where: Labels = d.kind === "CLUSTER" ? { cluster: d.id, shard: String(node.shard) } : { instance: d.id };
      views.push({
        labels: { project: d.project, location: d.location, ...where, node: node.id, zone: node.zone, role: r },
        deployment: d,
        node,
        sample,
        role: r,
      });
    }
  }
  return views;
}

/** Each shard's primary: by its fresh sample, else by the control plane's record. */
function primaries(views: NodeView[]): (of: NodeView) => NodeView | undefined {
  const shards = new Map<Deployment, Map<number, NodeView[]>>();
  for (const v of views) {
    const byShard = shards.get(v.deployment) ?? shards.set(v.deployment, new Map()).get(v.deployment)!;
    byShard.set(v.node.shard, [...(byShard.get(v.node.shard) ?? []), v]);
  }
  return (of) => {
    const shard = shards.get(of.deployment)?.get(of.node.shard) ?? [];
    return shard.find((v) => v.sample && v.role === "primary") ?? shard.find((v) => v.node.role === "PRIMARY");
  };
}

/**
 * Every node of the deployments given: `redis_up` 1 with its series when it has a fresh sample,
 * `redis_up` 0 alone when it has none (a node that is down, hung or not sampled yet). A node that
 * is gone is not in `deployments`, so its series disappear with it.
 */
export function nodeFamilies(deployments: Deployment[], freshSamples: NodeSampleRow[]): Family[] {
  const views = viewsOf(deployments, freshSamples);
  const sampled = views.filter((v) => v.sample);
  const primaryOf = primaries(views);
  const family = (name: string, type: MetricType, help: string, samples: Sample[]): Family => ({ name, type, help, samples });
  const families: Family[] = [
    family(
      "redis_up",
      "gauge",
      "1 when the node was sampled within the last three sampling intervals.",
      views.map((v) => ({ labels: v.labels, value: v.sample ? 1 : 0 })),
    ),
    family(
      "redis_instance_info",
      "gauge",
      "Always 1; the node's engine version and role as labels.",
      sampled.map((v) => ({
        labels: { ...v.labels, redis_version: v.node.redisVersion ?? v.deployment.redisVersion },
        value: 1,
      })),
    ),
  ];
  for (const [field, name, type, help] of FIELDS) {
    families.push(
      family(
        name,
        type,
        help,
        sampled.flatMap((v) => (field in v.sample!.values ? [{ labels: v.labels, value: v.sample!.values[field]! }] : [])),
      ),
    );
  }
  const replicas = sampled.filter((v) => v.role === "replica");
  const withPrimary = replicas.map((v) => {
    const primary = primaryOf(v)?.node;
    return { v, labels: { ...v.labels, master_host: primary?.host ?? "", master_port: primary ? String(primary.port) : "" } };
  });
  for (const [field, name, help] of REPLICA_FIELDS) {
    families.push(
      family(
        name,
        "gauge",
        help,
        withPrimary.flatMap(({ v, labels }) => (field in v.sample!.values ? [{ labels, value: v.sample!.values[field]! }] : [])),
      ),
    );
  }
  // The primary's view of each linked replica, as INFO's slaveN lines give it to the exporter;
  // here from the replica's own sample (the offset it processed, the seconds since it heard from
  // the primary), which is what those lines report, one tick apart at most.
  const linked = replicas.filter((v) => v.sample!.values.master_link_status === 1);
  const onPrimary = (value: (v: NodeView) => number | undefined): Sample[] =>
    linked.flatMap((v) => {
      const primary = primaryOf(v);
      const x = value(v);
      if (!primary?.sample || x === undefined) return [];
      return [{ labels: { ...primary.labels, slave_ip: v.node.host, slave_port: String(v.node.port), slave_state: "online" }, value: x }];
    });
  families.push(
    family(
      "redis_connected_slave_offset_bytes",
      "gauge",
      "Replication offset of each linked replica, on its primary's series.",
      onPrimary((v) => v.sample!.values.slave_repl_offset),
    ),
    family(
      "redis_connected_slave_lag_seconds",
      "gauge",
      "Seconds since each linked replica last heard from its primary, on the primary's series.",
      onPrimary((v) => v.sample!.values.master_last_io_seconds_ago),
    ),
    family(
      "redis_db_keys",
      "gauge",
      "Keys in the database.",
      sampled.map((v) => ({ labels: { ...v.labels, db: "db0" }, value: v.sample!.values.db0_keys ?? 0 })),
    ),
    family(
      "redis_db_keys_expiring",
      "gauge",
      "Keys with an expiry in the database.",
      sampled.map((v) => ({ labels: { ...v.labels, db: "db0" }, value: v.sample!.values.db0_expires ?? 0 })),
    ),
  );
  return families;
}
