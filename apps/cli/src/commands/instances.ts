// cacheplane instances create|list|get|update|delete|failover|import|export|upgrade|
// reschedule-maintenance|logs. Every command's flags and --help come from its table below.
import type { CacheplaneClient, Instance, InstanceInput } from "@cacheplane/sdk";
import { durationMs, keyValues, noPositionals, onePositional, oneOf, outputFormat, positiveInt, toggle, type Flags, type OutputFormat } from "../args.js";
import { command, commandGroup } from "../command.js";
import { connect, type Io } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { envLines, envVarFor, instanceDetails, instanceTable, json } from "../output.js";
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
import { instanceLogs } from "./node-logs.js";
import { DEFAULT_WAIT_MS, REQUEST_ID, WAIT_FLAGS, printStarted, waitWithProgress } from "./wait.js";

const TIERS = ["BASIC", "STANDARD_HA"] as const;
const PERSISTENCE = ["DISABLED", "RDB"] as const;
const RDB_PERIODS = ["ONE_HOUR", "SIX_HOURS", "TWELVE_HOURS", "TWENTY_FOUR_HOURS"] as const;
const PROTECTION = ["LIMITED_DATA_LOSS", "FORCE_DATA_LOSS"] as const;

/** What `create` and `update` both set; update names exactly the fields given in updateMask. */
const SPEC_FLAGS = {
  "memory-size-gb": { type: "string", arg: "N", help: "memory in GB (maxmemory; default 1 on create)" },
  "display-name": { type: "string", arg: "TEXT", help: "a name for people" },
  label: { type: "string", multiple: true, arg: "KEY=VALUE", help: "(repeatable; on update, replaces every label)" },
  "redis-config": { type: "string", multiple: true, arg: "KEY=VALUE", help: "(repeatable; on update, replaces them all), e.g. maxmemory-policy=allkeys-lru" },
  persistence: { type: "string", arg: "MODE", help: "DISABLED or RDB" },
  "rdb-period": { type: "string", arg: "PERIOD", help: RDB_PERIODS.join(", ") },
  ...MAINTENANCE_WINDOW_FLAG,
} as const satisfies Flags;

type SpecValues = { [K in keyof typeof SPEC_FLAGS]?: (typeof SPEC_FLAGS)[K] extends { multiple: true } ? string[] : string };

function specFields(v: SpecValues): InstanceInput {
  const spec: InstanceInput = {};
  const memory = positiveInt(v["memory-size-gb"], "--memory-size-gb");
  if (memory !== undefined) spec.memorySizeGb = memory;
  if (v["display-name"] !== undefined) spec.displayName = v["display-name"];
  const labels = keyValues(v.label, "--label");
  if (labels) spec.labels = labels;
  const configs = keyValues(v["redis-config"], "--redis-config");
  if (configs) spec.redisConfigs = configs as InstanceInput["redisConfigs"];
  const mode = oneOf(v.persistence, PERSISTENCE, "--persistence");
  const period = oneOf(v["rdb-period"], RDB_PERIODS, "--rdb-period");
  if (mode || period) spec.persistenceConfig = { ...(mode ? { persistenceMode: mode } : {}), ...(period ? { rdbSnapshotPeriod: period } : {}) };
  const policy = maintenancePolicy(v["maintenance-window"]);
  if (policy) spec.maintenancePolicy = policy;
  return spec;
}

async function printInstance(client: CacheplaneClient, io: Io, instance: Instance, format: OutputFormat) {
  if (format === "json") io.out(json(instance));
  else if (format === "env") io.out(envLines([[envVarFor(instance.name, false), await client.instances.redisUrl(instance)]]));
  else io.out(instanceDetails(instance));
}

const create = command(
  {
    args: "<id> [flags]",
    summary: "Create an instance (--wait to wait until READY)",
    flags: {
      tier: { type: "string", arg: "TIER", help: "BASIC (default) or STANDARD_HA" },
      ...REDIS_VERSION_FLAG,
      auth: { type: "boolean", help: "require AUTH (the URL printed with -o env carries the password)" },
      zone: { type: "string", arg: "ZONE", help: "zone of the primary (locationId)" },
      "replica-count": { type: "string", arg: "N", help: "replicas (STANDARD_HA)" },
      ttl: { type: "string", arg: "DURATION", help: "delete the instance this long after creation, e.g. 1800s" },
      ...SPEC_FLAGS,
      ...REQUEST_ID,
      ...WAIT_FLAGS,
    },
    notes: `With --wait, prints the READY instance; -o env prints REDIS_URL=… (needs --wait).
Example: eval "$(cacheplane instances create ci-cache --auth --wait -o env)"`,
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const format = outputFormat(v.output);
    if (format === "env" && !v.wait) throw new UsageError("-o env prints the READY instance's URL, so it needs --wait");
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    if (v.ttl !== undefined && !/^\d+s$/.test(v.ttl)) throw new UsageError(`--ttl must be a duration in seconds such as 1800s (got '${v.ttl}')`);
    const body: InstanceInput = {
      tier: oneOf(v.tier, TIERS, "--tier") ?? "BASIC",
      memorySizeGb: 1,
      ...specFields(v),
      ...(v["redis-version"] ? { redisVersion: redisVersion(v["redis-version"])! } : {}),
      ...(v.auth ? { authEnabled: true } : {}),
      ...(v.zone ? { locationId: v.zone } : {}),
      ...(v["replica-count"] !== undefined ? { replicaCount: positiveInt(v["replica-count"], "--replica-count")! } : {}),
      ...(v.ttl ? { ttl: v.ttl } : {}),
    };
    const client = await connect(v, io);
    const op = await client.instances.create(id, body, { requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    await waitWithProgress(client, io, op, `creating ${id}`, timeoutMs);
    await printInstance(client, io, await client.instances.get(id), format);
  },
);

const list = command(
  { args: "[-o table|json|env]", summary: "List instances", flags: {}, notes: "-o env prints REDIS_URL_<ID>=… for each instance that has an endpoint." },
  async ({ values: v, positionals }, io, name) => {
    noPositionals(positionals, name);
    const format = outputFormat(v.output);
    const client = await connect(v, io);
    const all: Instance[] = [];
    for await (const instance of client.instances.all()) all.push(instance);
    if (format === "json") return io.out(json(all));
    if (format === "table") return io.out(all.length ? instanceTable(all) : "No instances.\n");
    const lines: [string, string][] = [];
    for (const instance of all) {
      if (instance.host && instance.port) lines.push([envVarFor(instance.name, true), await client.instances.redisUrl(instance)]);
    }
    io.out(envLines(lines));
  },
);

const get = command(
  { args: "<id> [-o table|json|env]", summary: "Show one instance (-o env prints REDIS_URL)", flags: {} },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const format = outputFormat(v.output);
    const client = await connect(v, io);
    await printInstance(client, io, await client.instances.get(id), format);
  },
);

const update = command(
  {
    args: "<id> [flags]",
    summary: "Change fields of an instance",
    flags: {
      ...SPEC_FLAGS,
      auth: { type: "boolean", negatable: true, help: "turn AUTH on or off" },
      ...MAINTENANCE_VERSION_FLAG,
      ...REQUEST_ID,
      ...WAIT_FLAGS,
    },
    notes: `The updateMask names exactly the fields whose flags are given. -o env needs --wait.
A new engine version is 'cacheplane instances upgrade'.`,
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const format = outputFormat(v.output);
    const auth = toggle(v, "auth");
    const version = maintenanceVersion(v["maintenance-version"]);
    const patch: InstanceInput = {
      ...specFields(v),
      ...(auth !== undefined ? { authEnabled: auth } : {}),
      ...(version ? { maintenanceVersion: version } : {}),
    };
    if (!Object.keys(patch).length) throw new UsageError(`nothing to update. Run 'cacheplane ${name} --help' for the fields.`);
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    if (format === "env" && !v.wait) throw new UsageError("-o env needs --wait");
    const client = await connect(v, io);
    const op = await client.instances.update(id, patch, { requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    await waitWithProgress(client, io, op, `updating ${id}`, timeoutMs);
    await printInstance(client, io, await client.instances.get(id), format);
  },
);

const remove = command(
  { args: "<id> [--wait] [--request-id ID]", summary: "Delete an instance and its data", flags: { ...REQUEST_ID, ...WAIT_FLAGS } },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const format = outputFormat(v.output, ["table", "json"]);
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const client = await connect(v, io);
    const op = await client.instances.delete(id, { requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    const done = await waitWithProgress(client, io, op, `deleting ${id}`, timeoutMs);
    io.out(format === "json" ? json(done) : `Deleted instance ${id}.\n`);
  },
);

const failover = command(
  {
    args: "<id> [--data-protection-mode MODE] [--wait]",
    summary: "Promote a replica of a STANDARD_HA instance",
    flags: {
      "data-protection-mode": { type: "string", arg: "MODE", help: "LIMITED_DATA_LOSS (default) or FORCE_DATA_LOSS" },
      ...REQUEST_ID,
      ...WAIT_FLAGS,
    },
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const format = outputFormat(v.output, ["table", "json"]);
    const mode = oneOf(v["data-protection-mode"], PROTECTION, "--data-protection-mode") ?? "LIMITED_DATA_LOSS";
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const client = await connect(v, io);
    const op = await client.instances.failover(id, { dataProtectionMode: mode, requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    await waitWithProgress(client, io, op, `failing over ${id}`, timeoutMs);
    const instance = await client.instances.get(id);
    io.out(format === "json" ? json(instance) : instanceDetails(instance));
  },
);

const importData = command(
  {
    args: "<id> (--uri gs://BUCKET/OBJECT | --backup NAME) [--wait]",
    summary: "Replace an instance's data with an RDB file in a bucket, or a backup of any instance or cluster",
    flags: {
      uri: { type: "string", arg: "URI", help: "an RDB file, gs://bucket/object (under the control plane's buckets root)" },
      backup: { type: "string", arg: "NAME", help: "a backup: its full name or <collection>/<backup id> (see 'cacheplane backups list')" },
      ...REQUEST_ID,
      ...WAIT_FLAGS,
    },
    notes: `The state is IMPORTING until the operation ends. A source that cannot be loaded (missing,
not an RDB, a backup failing its integrity check) fails it and leaves the data as it was.
With --wait, prints the READY instance; -o env prints REDIS_URL=… (needs --wait).`,
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    if ((v.uri === undefined) === (v.backup === undefined)) throw new UsageError(`give exactly one of --uri or --backup. Run 'cacheplane ${name} --help'.`);
    const format = outputFormat(v.output);
    if (format === "env" && !v.wait) throw new UsageError("-o env needs --wait");
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const client = await connect(v, io);
    const source = v.uri !== undefined ? { gcsUri: v.uri } : { backup: backupName(v.backup!, client, "--backup") };
    const op = await client.instances.import(id, source, { requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    await waitWithProgress(client, io, op, `importing into ${id}`, timeoutMs);
    await printInstance(client, io, await client.instances.get(id), format);
  },
);

const exportData = command(
  {
    args: "<id> --uri gs://BUCKET/OBJECT [--wait]",
    summary: "Write an instance's data as one RDB file to a bucket",
    flags: {
      uri: { type: "string", arg: "URI", help: "where: gs://bucket/object (under the control plane's buckets root)" },
      ...REQUEST_ID,
      ...WAIT_FLAGS,
    },
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    if (v.uri === undefined) throw new UsageError(`--uri is required, e.g. --uri gs://my-bucket/${id}.rdb. Run 'cacheplane ${name} --help'.`);
    const format = outputFormat(v.output, ["table", "json"]);
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const client = await connect(v, io);
    const op = await client.instances.export(id, v.uri, { requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    const done = await waitWithProgress(client, io, op, `exporting ${id}`, timeoutMs);
    io.out(format === "json" ? json(done) : `Exported instance ${id} to ${v.uri}.\n`);
  },
);

const upgrade = command(
  {
    args: "<id> --redis-version VERSION [--wait]",
    summary: "Upgrade to a newer engine version, node by node (replicas first, then a switchover)",
    flags: { ...REDIS_VERSION_FLAG, ...REQUEST_ID, ...WAIT_FLAGS },
    notes: `The instance moves to the newest released maintenance version of that engine, and a scheduled
maintenance is dropped. Downgrades are refused (FAILED_PRECONDITION). With --wait, the progress
names each node as it is upgraded, then prints the READY instance; -o env needs --wait.`,
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const version = redisVersion(v["redis-version"]);
    if (!version) throw new UsageError(`--redis-version is required, e.g. --redis-version REDIS_7_2. Run 'cacheplane ${name} --help'.`);
    const format = outputFormat(v.output);
    if (format === "env" && !v.wait) throw new UsageError("-o env needs --wait");
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const client = await connect(v, io);
    const op = await client.instances.upgrade(id, version, { requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    await waitWithProgress(client, io, op, `upgrading ${id}`, timeoutMs);
    await printInstance(client, io, await client.instances.get(id), format);
  },
);

const rescheduleMaintenance = command(
  {
    args: "<id> --type TYPE [--time ISO]",
    summary: "Move the instance's scheduled maintenance (now, to the next window, or to a time)",
    flags: { ...RESCHEDULE_FLAGS, ...REQUEST_ID },
    notes: `A maintenance is scheduled once a newer maintenance version is released (see
'cacheplane maintenance-versions list'); 'cacheplane instances get' shows it. It cannot be moved past
its deadline. IMMEDIATE starts it now; NEXT_AVAILABLE_WINDOW needs a maintenance window.`,
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const request = rescheduleRequest(v, name);
    const format = outputFormat(v.output, ["table", "json"]);
    const client = await connect(v, io);
    printRescheduled(io, await client.instances.rescheduleMaintenance(id, request, { requestId: v["request-id"] }), format, id);
  },
);

export const instances = commandGroup("instances", {
  create,
  list,
  get,
  update,
  delete: remove,
  failover,
  import: importData,
  export: exportData,
  upgrade,
  logs: instanceLogs,
  "reschedule-maintenance": rescheduleMaintenance,
});
