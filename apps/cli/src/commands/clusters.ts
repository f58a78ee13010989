// cacheplane clusters create|list|get|update|delete|failover-shard|events|upgrade|
// reschedule-maintenance|logs (Memorystore for Redis Cluster). Every command's flags and --help come
// from its table below. Backups of a cluster are `cacheplane backups create --cluster`; a restore
// is `create --from-backup`.
import { clusterRedisUrl, type CacheplaneClient, type Cluster, type ClusterInput, type InstanceEvent, type NodeType } from "@cacheplane/sdk";
import { durationMs, keyValues, noPositionals, onePositional, oneOf, outputFormat, positiveInt, toggle, type Flags, type OutputFormat } from "../args.js";
import { command, commandGroup } from "../command.js";
import { connect, type Io } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { clusterDetails, clusterEnv, clusterTable, envLines, envVarFor, eventTable, json } from "../output.js";
import { backupName } from "./backups.js";
import {
  MAINTENANCE_VERSION_FLAG,
  MAINTENANCE_WINDOW_FLAG,
  REDIS_VERSION_FLAG,
  RESCHEDULE_FLAGS,
  maintenancePolicy,
  maintenanceVersion,
  printRescheduled,
  redisVersion,
  rescheduleRequest,
} from "./maintenance.js";
import { clusterLogs } from "./node-logs.js";
import { DEFAULT_WAIT_MS, REQUEST_ID, WAIT_FLAGS, printStarted, waitWithProgress } from "./wait.js";

const NODE_TYPES = ["REDIS_SHARED_CORE_NANO", "REDIS_STANDARD_SMALL", "REDIS_HIGHMEM_MEDIUM", "REDIS_HIGHMEM_XLARGE"] as const satisfies readonly NodeType[];
const ZONE_MODES = ["MULTI_ZONE", "SINGLE_ZONE"] as const;
const PERSISTENCE = ["DISABLED", "RDB", "AOF"] as const;
const RDB_PERIODS = ["ONE_HOUR", "SIX_HOURS", "TWELVE_HOURS", "TWENTY_FOUR_HOURS"] as const;
const AOF_FSYNC = ["NO", "EVERYSEC", "ALWAYS"] as const;
const PROTECTION = ["LIMITED_DATA_LOSS", "FORCE_DATA_LOSS"] as const;

/** What `create` and `update` both set; update names exactly the fields given in updateMask. */
const SPEC_FLAGS = {
  "shard-count": { type: "string", arg: "N", help: "shards, 1-64 (required on create; changing it reshards live)" },
  "replica-count": { type: "string", arg: "N", help: "replicas per shard, 0-5 (default 0)" },
  "node-type": {
    type: "string",
    arg: "TYPE",
    help: `memory per node: ${NODE_TYPES.map((t) => (t === "REDIS_HIGHMEM_MEDIUM" ? `${t} (default)` : t)).join(", ")}`,
  },
  persistence: { type: "string", arg: "MODE", help: "DISABLED (default), RDB or AOF" },
  "rdb-period": { type: "string", arg: "PERIOD", help: `RDB snapshot period: ${RDB_PERIODS.join(", ")} (implies RDB)` },
  "aof-fsync": { type: "string", arg: "MODE", help: `AOF fsync: ${AOF_FSYNC.join(", ")} (implies AOF)` },
  "deletion-protection": { type: "boolean", negatable: true, help: "refuse deletes while on (default off)" },
  label: { type: "string", multiple: true, arg: "KEY=VALUE", help: "(repeatable; on update, replaces every label)" },
  "redis-config": { type: "string", multiple: true, arg: "KEY=VALUE", help: "(repeatable; on update, replaces them all), e.g. maxmemory-policy=allkeys-lru" },
  ...MAINTENANCE_WINDOW_FLAG,
} as const satisfies Flags;

type SpecValues = {
  [K in keyof typeof SPEC_FLAGS]?: (typeof SPEC_FLAGS)[K] extends { multiple: true }
    ? string[]
    : (typeof SPEC_FLAGS)[K] extends { type: "boolean" }
      ? boolean
      : string;
};

/** The Cluster fields the flags set, keyed as the API names them (so the keys are the updateMask). */
function specFields(v: SpecValues & Record<string, unknown>): ClusterInput {
  const spec: ClusterInput = {};
  const shards = positiveInt(v["shard-count"], "--shard-count");
  if (shards !== undefined) spec.shardCount = shards;
  const replicas = positiveInt(v["replica-count"], "--replica-count");
  if (replicas !== undefined) spec.replicaCount = replicas;
  const nodeType = oneOf(v["node-type"], NODE_TYPES, "--node-type");
  if (nodeType) spec.nodeType = nodeType;
  const period = oneOf(v["rdb-period"], RDB_PERIODS, "--rdb-period");
  const fsync = oneOf(v["aof-fsync"], AOF_FSYNC, "--aof-fsync");
  const mode = oneOf(v.persistence, PERSISTENCE, "--persistence") ?? (period ? "RDB" : fsync ? "AOF" : undefined);
  if ((period && mode !== "RDB") || (fsync && mode !== "AOF"))
    throw new UsageError(`--${period ? "rdb-period" : "aof-fsync"} does not go with --persistence ${mode}`);
  if (mode) {
    spec.persistenceConfig = { mode, ...(period ? { rdbConfig: { rdbSnapshotPeriod: period } } : {}), ...(fsync ? { aofConfig: { appendFsync: fsync } } : {}) };
  }
  const protection = toggle(v, "deletion-protection");
  if (protection !== undefined) spec.deletionProtectionEnabled = protection;
  const labels = keyValues(v.label, "--label");
  if (labels) spec.labels = labels;
  const configs = keyValues(v["redis-config"], "--redis-config");
  if (configs) spec.redisConfigs = configs as ClusterInput["redisConfigs"];
  const policy = maintenancePolicy(v["maintenance-window"]);
  if (policy) spec.maintenancePolicy = policy;
  return spec;
}

function printCluster(io: Io, cluster: Cluster, format: OutputFormat) {
  if (format === "json") io.out(json(cluster));
  else if (format === "env") io.out(envLines(clusterEnv(cluster)));
  else io.out(clusterDetails(cluster));
}

/** After --wait, the cluster as it is now. */
const printNow = async (client: CacheplaneClient, io: Io, id: string, format: OutputFormat) => printCluster(io, await client.clusters.get(id), format);

const ENV_NOTE = `-o env prints REDIS_URL=redis://host:port (the discovery endpoint, for redis-cli -c -u,
ioredis new Cluster([url]) or node-redis createCluster({rootNodes: [{url}]})), REDIS_CLUSTER=1
and CACHEPLANE_CLUSTER=<name>.`;

const create = command(
  {
    args: "<id> --shard-count N [flags]",
    summary: "Create a cluster (--wait to wait until ACTIVE)",
    flags: {
      ...SPEC_FLAGS,
      ...REDIS_VERSION_FLAG,
      "zone-distribution": { type: "string", arg: "MODE", help: "MULTI_ZONE (default: nodes spread over the zones) or SINGLE_ZONE" },
      zone: { type: "string", arg: "ZONE", help: "the zone of a SINGLE_ZONE cluster (implies SINGLE_ZONE)" },
      "from-backup": {
        type: "string",
        arg: "NAME",
        help: "start with this backup's data, of an instance or a cluster of any shape: its full name or <collection>/<backup id>",
      },
      ...REQUEST_ID,
      ...WAIT_FLAGS,
    },
    notes: `--from-backup restores a backup (of an instance, or a cluster of any shape: each key goes to
the shard owning its slot); the cluster is ACTIVE once every key is loaded.
With --wait, prints the ACTIVE cluster. -o env needs --wait; it prints
${ENV_NOTE.replace(/^-o env prints /, "")}
Example: eval "$(cacheplane clusters create ci-cluster --shard-count 3 --wait -o env)"`,
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const format = outputFormat(v.output);
    if (format === "env" && !v.wait) throw new UsageError("-o env prints the ACTIVE cluster's URL, so it needs --wait");
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const spec = specFields(v);
    if (spec.shardCount === undefined) throw new UsageError(`--shard-count is required. Run 'cacheplane ${name} --help'.`);
    const zoneMode = oneOf(v["zone-distribution"], ZONE_MODES, "--zone-distribution") ?? (v.zone ? "SINGLE_ZONE" : undefined);
    const version = redisVersion(v["redis-version"]);
    const body: ClusterInput = {
      ...spec,
      ...(version ? { redisVersion: version } : {}),
      ...(zoneMode ? { zoneDistributionConfig: { mode: zoneMode, ...(v.zone ? { zone: v.zone } : {}) } } : {}),
    };
    const client = await connect(v, io);
    if (v["from-backup"] !== undefined) body.managedBackupSource = { backup: backupName(v["from-backup"], client, "--from-backup") };
    const op = await client.clusters.create(id, body, { requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    await waitWithProgress(client, io, op, `creating ${id}`, timeoutMs);
    await printNow(client, io, id, format);
  },
);

const list = command(
  {
    args: "[-o table|json|env]",
    summary: "List clusters",
    flags: {},
    notes: "-o env prints REDIS_URL_<ID>=… and REDIS_CLUSTER_<ID>=1 for each cluster that has an endpoint.",
  },
  async ({ values: v, positionals }, io, name) => {
    noPositionals(positionals, name);
    const format = outputFormat(v.output);
    const client = await connect(v, io);
    const all: Cluster[] = [];
    for await (const cluster of client.clusters.all()) all.push(cluster);
    if (format === "json") return io.out(json(all));
    if (format === "table") return io.out(all.length ? clusterTable(all) : "No clusters.\n");
    const lines = all
      .filter((c) => c.discoveryEndpoints?.length)
      .flatMap((c): [string, string][] => [
        [envVarFor(c.name, true), clusterRedisUrl(c)],
        [envVarFor(c.name, true, "REDIS_CLUSTER"), "1"],
      ]);
    io.out(envLines(lines));
  },
);

const get = command(
  { args: "<id> [-o table|json|env]", summary: "Show one cluster, its shards, slots and nodes (-o env prints REDIS_URL)", flags: {}, notes: ENV_NOTE },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const format = outputFormat(v.output);
    const client = await connect(v, io);
    await printCluster(io, await client.clusters.get(id), format);
  },
);

const update = command(
  {
    args: "<id> [flags]",
    summary: "Change fields of a cluster: reshard, scale replicas, node type, persistence, protection, labels, maintenance",
    flags: { ...SPEC_FLAGS, ...MAINTENANCE_VERSION_FLAG, ...REQUEST_ID, ...WAIT_FLAGS },
    notes: `The updateMask names exactly the fields whose flags are given. One resharding or replica change
at a time: another is refused (FAILED_PRECONDITION) until the cluster is ACTIVE again. The zone
distribution is fixed at create; a new engine version is 'cacheplane clusters upgrade'. -o env
needs --wait.`,
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const format = outputFormat(v.output);
    const version = maintenanceVersion(v["maintenance-version"]);
    const patch: ClusterInput = { ...specFields(v), ...(version ? { maintenanceVersion: version } : {}) };
    if (!Object.keys(patch).length) throw new UsageError(`nothing to update. Run 'cacheplane ${name} --help' for the fields.`);
    if (format === "env" && !v.wait) throw new UsageError("-o env needs --wait");
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const client = await connect(v, io);
    const op = await client.clusters.update(id, patch, { requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    await waitWithProgress(client, io, op, `updating ${id}`, timeoutMs);
    await printNow(client, io, id, format);
  },
);

const remove = command(
  {
    args: "<id> [--wait] [--request-id ID]",
    summary: "Delete a cluster and its data (refused while deletion protection is on)",
    flags: { ...REQUEST_ID, ...WAIT_FLAGS },
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const format = outputFormat(v.output, ["table", "json"]);
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const client = await connect(v, io);
    const op = await client.clusters.delete(id, { requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    const done = await waitWithProgress(client, io, op, `deleting ${id}`, timeoutMs);
    io.out(format === "json" ? json(done) : `Deleted cluster ${id}.\n`);
  },
);

const failoverShard = command(
  {
    args: "<id> --shard ID [--data-protection-mode MODE] [--wait]",
    summary: "Promote the best replica of one shard (needs replicas)",
    flags: {
      shard: { type: "string", arg: "ID", help: "the shard, e.g. 0001 (or 1) for the first" },
      "data-protection-mode": { type: "string", arg: "MODE", help: "LIMITED_DATA_LOSS (default: refused when the replica lags) or FORCE_DATA_LOSS" },
      ...REQUEST_ID,
      ...WAIT_FLAGS,
    },
    notes: "With --wait, prints the cluster once the shard has its new primary.",
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const format = outputFormat(v.output);
    if (v.shard === undefined) throw new UsageError(`--shard is required, e.g. --shard 0001. Run 'cacheplane ${name} --help'.`);
    if (!/^\d{1,4}$/.test(v.shard)) throw new UsageError(`--shard must be a shard id such as 0001 (got '${v.shard}')`);
    const shard = v.shard.padStart(4, "0");
    const mode = oneOf(v["data-protection-mode"], PROTECTION, "--data-protection-mode") ?? "LIMITED_DATA_LOSS";
    if (format === "env" && !v.wait) throw new UsageError("-o env needs --wait");
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const client = await connect(v, io);
    const op = await client.clusters.failoverShard(id, { shard, dataProtectionMode: mode, requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    await waitWithProgress(client, io, op, `failing over ${id} shard ${shard}`, timeoutMs);
    await printNow(client, io, id, format);
  },
);

const events = command(
  {
    args: "<id> [--limit N] [-o table|json]",
    summary: "What happened to a cluster, newest first",
    flags: { limit: { type: "string", arg: "N", help: "show at most N events (default 50)" } },
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const format = outputFormat(v.output, ["table", "json"]);
    const limit = v.limit === undefined ? 50 : positiveInt(v.limit, "--limit")!;
    if (limit < 1) throw new UsageError(`--limit must be a positive whole number (got '${v.limit}')`);
    const client = await connect(v, io);
    const shown: InstanceEvent[] = [];
    for await (const event of client.clusters.allEvents(id, { pageSize: Math.min(limit, 100) })) {
      shown.push(event);
      if (shown.length >= limit) break;
    }
    if (format === "json") return io.out(json(shown));
    io.out(shown.length ? eventTable(shown) : "No events.\n");
  },
);

const upgrade = command(
  {
    args: "<id> --redis-version VERSION [--wait]",
    summary: "Upgrade to a newer engine version, shard by shard (an update of redisVersion)",
    flags: { ...REDIS_VERSION_FLAG, ...REQUEST_ID, ...WAIT_FLAGS },
    notes: `Memorystore for Redis Cluster upgrades with a PATCH of redisVersion: this sends exactly that,
so the operation's verb is update. Each shard's replicas are upgraded first, then its primary after a
switchover. Downgrades are refused (FAILED_PRECONDITION). With --wait, prints the ACTIVE cluster, its
nodes' versions in the VERSION column; -o env needs --wait.`,
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const version = redisVersion(v["redis-version"]);
    if (!version) throw new UsageError(`--redis-version is required, e.g. --redis-version REDIS_7_2. Run 'cacheplane ${name} --help'.`);
    const format = outputFormat(v.output);
    if (format === "env" && !v.wait) throw new UsageError("-o env needs --wait");
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const client = await connect(v, io);
    const op = await client.clusters.upgrade(id, version, { requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    await waitWithProgress(client, io, op, `upgrading ${id}`, timeoutMs);
    await printNow(client, io, id, format);
  },
);

const rescheduleMaintenance = command(
  {
    args: "<id> --type TYPE [--time ISO]",
    summary: "Move the cluster's scheduled maintenance (now, to the next window, or to a time)",
    flags: { ...RESCHEDULE_FLAGS, ...REQUEST_ID },
    notes: `A maintenance is scheduled once a newer maintenance version is released (see
'cacheplane maintenance-versions list'); 'cacheplane clusters get' shows it. It cannot be moved past
its deadline. IMMEDIATE starts it now; NEXT_AVAILABLE_WINDOW needs a maintenance window.`,
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const request = rescheduleRequest(v, name);
    const format = outputFormat(v.output, ["table", "json"]);
    const client = await connect(v, io);
    printRescheduled(io, await client.clusters.rescheduleMaintenance(id, request, { requestId: v["request-id"] }), format, id);
  },
);

export const clusters = commandGroup("clusters", {
  create,
  list,
  get,
  update,
  delete: remove,
  "failover-shard": failoverShard,
  events,
  upgrade,
  logs: clusterLogs,
  "reschedule-maintenance": rescheduleMaintenance,
});
