// cacheplane instances create|list|get|update|delete|failover
import type { CacheplaneClient, Instance, InstanceInput } from "@cacheplane/sdk";
import { GLOBAL_HELP, durationMs, keyValues, noPositionals, onePositional, oneOf, outputFormat, parse, positiveInt, type OutputFormat } from "../args.js";
import { connect, type Io } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { envLines, envVarFor, instanceDetails, instanceTable, json } from "../output.js";
import { WAIT_HELP, WAIT_OPTIONS, printStarted, waitWithProgress } from "./wait.js";

const DEFAULT_WAIT_MS = 600_000;
const TIERS = ["BASIC", "STANDARD_HA"] as const;
const VERSIONS = ["REDIS_6_X", "REDIS_7_0", "REDIS_7_2"] as const;
const PERSISTENCE = ["DISABLED", "RDB"] as const;
const RDB_PERIODS = ["ONE_HOUR", "SIX_HOURS", "TWELVE_HOURS", "TWENTY_FOUR_HOURS"] as const;
const PROTECTION = ["LIMITED_DATA_LOSS", "FORCE_DATA_LOSS"] as const;

const SPEC_HELP = `  --memory-size-gb N       memory in GB (maxmemory)
  --display-name TEXT
  --label KEY=VALUE        (repeatable)
  --redis-config KEY=VALUE (repeatable), e.g. maxmemory-policy=allkeys-lru
  --persistence MODE       DISABLED or RDB
  --rdb-period PERIOD      ONE_HOUR, SIX_HOURS, TWELVE_HOURS, TWENTY_FOUR_HOURS`;

const HELP: Record<string, string> = {
  "": `Usage: cacheplane instances <command>

Commands:
  create <id>     Create an instance (--wait to wait until READY)
  list            List instances
  get <id>        Show one instance (-o env prints REDIS_URL)
  update <id>     Change fields of an instance
  delete <id>     Delete an instance and its data
  failover <id>   Promote a replica of a STANDARD_HA instance

Run 'cacheplane instances <command> --help' for its flags.`,
  create: `Usage: cacheplane instances create <id> [flags]

  --tier TIER              BASIC (default) or STANDARD_HA
  --memory-size-gb N       memory in GB (default 1)
  --redis-version VERSION  ${VERSIONS.join(", ")}
  --auth                   require AUTH (the URL printed with -o env carries the password)
  --zone ZONE              zone of the primary (locationId)
  --replica-count N        replicas (STANDARD_HA)
  --ttl DURATION           delete the instance this long after creation, e.g. 1800s
  --request-id ID          make the create idempotent
${SPEC_HELP.split("\n").slice(1).join("\n")}
${WAIT_HELP}

With --wait, prints the READY instance; -o env prints REDIS_URL=… (needs --wait).
Example: eval "$(cacheplane instances create ci-cache --auth --wait -o env)"

${GLOBAL_HELP}`,
  list: `Usage: cacheplane instances list [-o table|json|env]

-o env prints REDIS_URL_<ID>=… for each instance that has an endpoint.

${GLOBAL_HELP}`,
  get: `Usage: cacheplane instances get <id> [-o table|json|env]

${GLOBAL_HELP}`,
  update: `Usage: cacheplane instances update <id> [flags]

${SPEC_HELP}
  --auth / --no-auth       turn AUTH on or off
${WAIT_HELP}

${GLOBAL_HELP}`,
  delete: `Usage: cacheplane instances delete <id> [--wait] [--request-id ID]

${WAIT_HELP}

${GLOBAL_HELP}`,
  failover: `Usage: cacheplane instances failover <id> [--data-protection-mode MODE] [--wait]

  --data-protection-mode MODE   LIMITED_DATA_LOSS (default) or FORCE_DATA_LOSS
${WAIT_HELP}

${GLOBAL_HELP}`,
};

const SPEC_OPTIONS = {
  "memory-size-gb": { type: "string" },
  "display-name": { type: "string" },
  label: { type: "string", multiple: true },
  "redis-config": { type: "string", multiple: true },
  persistence: { type: "string" },
  "rdb-period": { type: "string" },
} as const;

type SpecValues = { [K in keyof typeof SPEC_OPTIONS]?: (typeof SPEC_OPTIONS)[K] extends { multiple: true } ? string[] : string };

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
  return spec;
}

async function printInstance(client: CacheplaneClient, io: Io, instance: Instance, format: OutputFormat) {
  if (format === "json") io.out(json(instance));
  else if (format === "env") io.out(envLines([[envVarFor(instance.name, false), await client.instances.redisUrl(instance)]]));
  else io.out(instanceDetails(instance));
}

async function create(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, {
    ...SPEC_OPTIONS, ...WAIT_OPTIONS,
    tier: { type: "string" }, "redis-version": { type: "string" }, auth: { type: "boolean" }, zone: { type: "string" },
    "replica-count": { type: "string" }, ttl: { type: "string" }, "request-id": { type: "string" },
  }, "instances create");
  if (v.help) return io.out(`${HELP.create}\n`);
  const id = onePositional(positionals, "id", "instances create");
  const format = outputFormat(v.output);
  if (format === "env" && !v.wait) throw new UsageError("-o env prints the READY instance's URL, so it needs --wait");
  const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
  if (v.ttl !== undefined && !/^\d+s$/.test(v.ttl)) throw new UsageError(`--ttl must be a duration in seconds such as 1800s (got '${v.ttl}')`);
  const body: InstanceInput = {
    tier: oneOf(v.tier, TIERS, "--tier") ?? "BASIC",
    memorySizeGb: 1,
    ...specFields(v),
    ...(v["redis-version"] ? { redisVersion: oneOf(v["redis-version"], VERSIONS, "--redis-version")! } : {}),
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
}

async function list(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, {}, "instances list");
  if (v.help) return io.out(`${HELP.list}\n`);
  noPositionals(positionals, "instances list");
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
}

async function get(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, {}, "instances get");
  if (v.help) return io.out(`${HELP.get}\n`);
  const id = onePositional(positionals, "id", "instances get");
  const format = outputFormat(v.output);
  const client = await connect(v, io);
  await printInstance(client, io, await client.instances.get(id), format);
}

async function update(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, { ...SPEC_OPTIONS, ...WAIT_OPTIONS, auth: { type: "boolean" }, "no-auth": { type: "boolean" }, "request-id": { type: "string" } }, "instances update");
  if (v.help) return io.out(`${HELP.update}\n`);
  const id = onePositional(positionals, "id", "instances update");
  const format = outputFormat(v.output);
  if (v.auth && v["no-auth"]) throw new UsageError("--auth and --no-auth contradict each other");
  const patch: InstanceInput = { ...specFields(v), ...(v.auth ? { authEnabled: true } : {}), ...(v["no-auth"] ? { authEnabled: false } : {}) };
  if (!Object.keys(patch).length) throw new UsageError("nothing to update. Run 'cacheplane instances update --help' for the fields.");
  const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
  const client = await connect(v, io);
  const op = await client.instances.update(id, patch, { requestId: v["request-id"] });
  if (!v.wait) {
    if (format === "env") throw new UsageError("-o env needs --wait");
    return printStarted(io, op, format);
  }
  await waitWithProgress(client, io, op, `updating ${id}`, timeoutMs);
  await printInstance(client, io, await client.instances.get(id), format);
}

async function remove(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, { ...WAIT_OPTIONS, "request-id": { type: "string" } }, "instances delete");
  if (v.help) return io.out(`${HELP.delete}\n`);
  const id = onePositional(positionals, "id", "instances delete");
  const format = outputFormat(v.output, ["table", "json"]);
  const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
  const client = await connect(v, io);
  const op = await client.instances.delete(id, { requestId: v["request-id"] });
  if (!v.wait) return printStarted(io, op, format);
  const done = await waitWithProgress(client, io, op, `deleting ${id}`, timeoutMs);
  io.out(format === "json" ? json(done) : `Deleted instance ${id}.\n`);
}

async function failover(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, { ...WAIT_OPTIONS, "data-protection-mode": { type: "string" }, "request-id": { type: "string" } }, "instances failover");
  if (v.help) return io.out(`${HELP.failover}\n`);
  const id = onePositional(positionals, "id", "instances failover");
  const format = outputFormat(v.output, ["table", "json"]);
  const mode = oneOf(v["data-protection-mode"], PROTECTION, "--data-protection-mode") ?? "LIMITED_DATA_LOSS";
  const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
  const client = await connect(v, io);
  const op = await client.instances.failover(id, { dataProtectionMode: mode, requestId: v["request-id"] });
  if (!v.wait) return printStarted(io, op, format);
  await waitWithProgress(client, io, op, `failing over ${id}`, timeoutMs);
  const instance = await client.instances.get(id);
  io.out(format === "json" ? json(instance) : instanceDetails(instance));
}

const COMMANDS: Record<string, (args: string[], io: Io) => Promise<void>> = { create, list, get, update, delete: remove, failover };

export async function instances(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "help" || sub === "--help" || sub === "-h") return io.out(`${HELP[""]}\n`);
  const command = COMMANDS[sub];
  if (!command) throw new UsageError(`unknown command 'instances ${sub}'. Run 'cacheplane instances --help'.`);
  await command(rest, io);
}
