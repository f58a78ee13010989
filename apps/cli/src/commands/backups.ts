// cacheplane backups create|list|get|delete|export (Memorystore for Redis Cluster's backup
// collections; instances have them too). Every command's flags and --help come from its table
// below. A backup is named by its collection (the source's uid) and its id: commands take the
// full name or the short `<collection>/<backup id>` that `backups list` prints.
import type { Backup, CacheplaneClient, Operation } from "@cacheplane/sdk";
import { durationMs, noPositionals, onePositional, outputFormat, type OutputFormat } from "../args.js";
import { command, commandGroup } from "../command.js";
import { connect, type Io } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { details, envLines, json, shortName, table } from "../output.js";
import { startProgress } from "../progress.js";
import { DEFAULT_WAIT_MS, REQUEST_ID, WAIT_FLAGS, printStarted, waitWithProgress } from "./wait.js";

const FULL_NAME = /^projects\/[^/]+\/locations\/[^/]+\/backupCollections\/([^/]+)\/backups\/([^/]+)$/;
const SHORT_NAME = /^([a-z0-9-]{1,63})\/([a-z0-9][a-z0-9_-]*)$/;

/** A backup's full name from what a user typed: the full name, or `<collection>/<backup id>`. */
export function backupName(arg: string, client: Pick<CacheplaneClient, "project" | "location">, flag = "NAME"): string {
  if (FULL_NAME.test(arg)) return arg;
  const m = SHORT_NAME.exec(arg);
  if (!m) throw new UsageError(`${flag} must be a backup's full name or <collection>/<backup id>, as 'cacheplane backups list' prints it (got '${arg}')`);
  return `projects/${client.project}/locations/${client.location}/backupCollections/${m[1]}/backups/${m[2]}`;
}

/** `<collection>/<backup id>`: enough to name it within the project and location. */
const shortBackup = (name: string) => name.replace(FULL_NAME, "$1/$2");

const source = (b: Backup) => (b.instance ? `instance ${shortName(b.instance)}` : b.cluster ? `cluster ${shortName(b.cluster)}` : "-");

const bytes = (value: string) => {
  const n = Number(value);
  if (n < 1024) return `${n}B`;
  const [unit, scale] = n < 1024 ** 2 ? ["KB", 1024] : n < 1024 ** 3 ? ["MB", 1024 ** 2] : ["GB", 1024 ** 3];
  return `${(n / (scale as number)).toFixed(1)}${unit}`;
};

const backupTable = (backups: Backup[]) =>
  table(
    ["BACKUP", "SOURCE", "SHARDS", "SIZE", "STATE", "CREATED", "EXPIRES"],
    backups.map((b) => [shortBackup(b.name), source(b), String(b.shardCount), bytes(b.totalSizeBytes), b.state, b.createTime, b.expireTime ?? "-"]),
  );

const backupDetails = (b: Backup) =>
  details([
    ["name", b.name],
    ["state", b.state],
    ["source", b.instance ?? b.cluster],
    ["type", b.backupType],
    ["engineVersion", b.engineVersion],
    ["shardCount", b.shardCount],
    ["replicaCount", b.replicaCount],
    ["nodeType", b.nodeType],
    ["totalSize", bytes(b.totalSizeBytes)],
    ["files", b.backupFiles.map((f) => `${f.fileName} ${bytes(f.sizeBytes)}`)],
    ["encryption", b.encryptionInfo.encryptionType],
    ["createTime", b.createTime],
    ["expireTime", b.expireTime],
  ]);

function printBackup(io: Io, backup: Backup, format: OutputFormat) {
  if (format === "json") io.out(json(backup));
  else if (format === "env") io.out(envLines([["CACHEPLANE_BACKUP", backup.name]]));
  else io.out(backupDetails(backup));
}

/** `7d`, `12h`, `90m` or `86400s` as the API's Duration ("604800s"); the API checks 1 day to 100 years. */
export function backupTtl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)(s|m|h|d)$/.exec(value);
  if (!m) throw new UsageError(`--ttl must be a duration such as 7d, 36h or 86400s (got '${value}')`);
  return `${Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as "s" | "m" | "h" | "d"]}s`;
}

const ENV_NOTE = `-o env prints CACHEPLANE_BACKUP=<full name>, for 'instances import --backup' or
'clusters create --from-backup'.`;

const create = command(
  {
    args: "--instance ID | --cluster ID [--backup-id ID] [--ttl DUR] [--wait]",
    summary: "Back up an instance or a cluster (one RDB per shard, from a replica when there is one)",
    flags: {
      instance: { type: "string", arg: "ID", help: "the instance to back up" },
      cluster: { type: "string", arg: "ID", help: "the cluster to back up" },
      "backup-id": { type: "string", arg: "ID", help: "the backup's id (default: YYYYMMDDHHMMSS_ and the start of the source's uid)" },
      ttl: { type: "string", arg: "DUR", help: "keep it this long, 1 day to 100 years: 7d, 36h, 86400s (default 100 years)" },
      ...REQUEST_ID,
      ...WAIT_FLAGS,
    },
    notes: `One backup or update of a source at a time: another is refused (FAILED_PRECONDITION).
With --wait, prints the ACTIVE backup.
${ENV_NOTE} It needs --wait.
Example: eval "$(cacheplane backups create --instance fixtures --ttl 30d --wait -o env)"`,
  },
  async ({ values: v, positionals }, io, name) => {
    noPositionals(positionals, name);
    if ((v.instance === undefined) === (v.cluster === undefined))
      throw new UsageError(`give exactly one of --instance or --cluster. Run 'cacheplane ${name} --help'.`);
    const format = outputFormat(v.output);
    if (format === "env" && !v.wait) throw new UsageError("-o env prints the ACTIVE backup's name, so it needs --wait");
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const opts = { backupId: v["backup-id"], ttl: backupTtl(v.ttl), requestId: v["request-id"] };
    const client = await connect(v, io);
    const sources = v.instance !== undefined ? client.instances : client.clusters;
    const id = (v.instance ?? v.cluster)!;
    if (!v.wait) return printStarted(io, await sources.backup(id, opts), format);
    const progress = startProgress(io, `backing up ${id}`);
    try {
      printBackup(io, await sources.backupAndWait(id, { ...opts, timeoutMs, onProgress: (o) => progress.update(o) }), format);
    } finally {
      progress.stop();
    }
  },
);

const list = command(
  {
    args: "[--collection UID] [-o table|json]",
    summary: "List backups, of every collection or of one",
    flags: { collection: { type: "string", arg: "UID", help: "only this collection's (a collection is one source: its uid, the part before '/' in BACKUP)" } },
  },
  async ({ values: v, positionals }, io, name) => {
    noPositionals(positionals, name);
    const format = outputFormat(v.output, ["table", "json"]);
    const client = await connect(v, io);
    const all: Backup[] = [];
    for await (const backup of client.backups.all({ collection: v.collection })) all.push(backup);
    if (format === "json") return io.out(json(all));
    io.out(all.length ? backupTable(all) : "No backups.\n");
  },
);

const get = command(
  { args: "<name> [-o table|json|env]", summary: "Show one backup: its source, shape, files and expiry", flags: {}, notes: ENV_NOTE },
  async ({ values: v, positionals }, io, name) => {
    const arg = onePositional(positionals, "name", name);
    const format = outputFormat(v.output);
    const client = await connect(v, io);
    printBackup(io, await client.backups.get(backupName(arg, client)), format);
  },
);

const remove = command(
  {
    args: "<name> [--wait] [--request-id ID]",
    summary: "Delete a backup and its files (refused while it is CREATING)",
    flags: { ...REQUEST_ID, ...WAIT_FLAGS },
  },
  async ({ values: v, positionals }, io, name) => {
    const arg = onePositional(positionals, "name", name);
    const format = outputFormat(v.output, ["table", "json"]);
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const client = await connect(v, io);
    const full = backupName(arg, client);
    const op = await client.backups.delete(full, { requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    const done = await waitWithProgress(client, io, op, `deleting ${shortBackup(full)}`, timeoutMs);
    io.out(format === "json" ? json(done) : `Deleted backup ${shortBackup(full)}.\n`);
  },
);

/** Where an export put each file, from the finished Operation (its response is the Backup). */
function exportedFiles(done: Operation, bucket: string): string[] {
  const backup = done.response as Backup | undefined;
  const id = shortName(backup?.name);
  return (backup?.backupFiles ?? []).map((f) => `gs://${bucket}/${id}/${f.fileName}`);
}

const exportBackup = command(
  {
    args: "<name> --bucket BUCKET [--wait]",
    summary: "Write a backup's files as plain RDB, which any Redis loads, to gs://BUCKET/<backup id>/",
    flags: {
      bucket: { type: "string", arg: "BUCKET", help: "the bucket (a directory under the control plane's buckets root)" },
      ...REQUEST_ID,
      ...WAIT_FLAGS,
    },
    notes: "Only an ACTIVE backup. With --wait, prints each file's gs:// URI (shard-0001.rdb, …).",
  },
  async ({ values: v, positionals }, io, name) => {
    const arg = onePositional(positionals, "name", name);
    if (v.bucket === undefined) throw new UsageError(`--bucket is required. Run 'cacheplane ${name} --help'.`);
    const format = outputFormat(v.output, ["table", "json"]);
    const timeoutMs = durationMs(v.timeout, DEFAULT_WAIT_MS);
    const client = await connect(v, io);
    const full = backupName(arg, client);
    const op = await client.backups.export(full, v.bucket, { requestId: v["request-id"] });
    if (!v.wait) return printStarted(io, op, format);
    const done = await waitWithProgress(client, io, op, `exporting ${shortBackup(full)}`, timeoutMs);
    io.out(
      format === "json"
        ? json(done)
        : exportedFiles(done, v.bucket)
            .map((uri) => `${uri}\n`)
            .join(""),
    );
  },
);

export const backups = commandGroup("backups", { create, list, get, delete: remove, export: exportBackup });
