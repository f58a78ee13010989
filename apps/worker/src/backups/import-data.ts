// Importing RDB files into a running deployment, whatever shape they came from: each file is
// loaded by a temporary loader node (the engine itself parses it), then every key is MIGRATEd
// to the primary that owns its slot — so a 3-shard backup restores into 5 shards, an instance's
// backup into a cluster, and a cluster's into an instance. Replicas follow their primaries.
// One file into an instance goes faster: the primary full-syncs from the loader instead.
// Every file is loaded before the target is touched: a file the engine refuses leaves the data
// as it was. A worker killed midway leaves the job pending; the next attempt starts over
// (flush, load, migrate), so the end result is the files' keys exactly, never a mix.
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { keySlot, LOADER_ORDINAL_BASE, nodeAddress, nodeId, parseNodeId, type DataJob } from "@cacheplane/core";
import {
  assertRdbFile,
  BackupTamperedError,
  BucketObjectNotFoundError,
  connectAdmin,
  info,
  InvalidBucketUriError,
  NotAnRdbFileError,
  openSealedFile,
  resolveForRead,
  type NodeSpec,
} from "@cacheplane/runtime";
import type { Redis } from "ioredis";
import type { WorkerContext } from "../context.js";
import { nodeDataDir, primaryIdOf } from "../reconcile/desired.js";
import { isCluster, shardPrimary } from "../reconcile/desired-cluster.js";
import type { StepInput } from "../reconcile/step-input.js";
import { CODES, DataJobError, dataJobOf, failDataJob, finishDataJob } from "./data-job.js";
import { projectDataKey, sealedPath } from "./storage.js";
import { filesOf } from "./take-backup.js";
import { adminTls, withIssuedCertificate } from "../tls/deployment-tls.js";

const SCAN_COUNT = 1000;
const LOAD_TIMEOUT_MS = 10 * 60_000;

type Target = { host: string; port: number };
/** AdminTarget.tls of a TLS deployment (its loaders speak TLS too, trusting the same CAs). */
type Tls = ReturnType<typeof adminTls>;

export async function importData(ctx: WorkerContext, input: StepInput): Promise<void> {
  const { row, lease } = input;
  const job = dataJobOf(row);
  if (job?.kind !== "import") return;
  try {
    const keys = await runImport(ctx, input, job);
    await destroyLoaders(ctx, row.uid);
    await finishDataJob(ctx, row, lease, "DATA_IMPORTED", `Imported ${keys} keys from ${describeSource(job)}`);
  } catch (error) {
    await destroyLoaders(ctx, row.uid);
    if (!(error instanceof DataJobError)) throw error;
    await failDataJob(ctx, row, lease, job, error);
  }
}

const describeSource = (job: Extract<DataJob, { kind: "import" }>) => ("backupUid" in job.source ? "a backup" : job.source.uris.join(", "));

async function runImport(ctx: WorkerContext, input: StepInput, job: Extract<DataJob, { kind: "import" }>): Promise<number> {
  const { row, config } = input;
  const password = config.requirepass || undefined;
  const tls = adminTls(row);
  await destroyLoaders(ctx, row.uid); // what a killed attempt left
  const specs = await placeFiles(ctx, input, job, password);
  const runtime = ctx.runtimes.default;
  const loaders: Redis[] = [];
  try {
    for (const spec of specs) {
      await runtime.start(spec).catch((error) => {
        throw new DataJobError(CODES.INVALID_ARGUMENT, `the engine could not load the import's file ${specs.indexOf(spec) + 1}: ${(error as Error).message}`);
      });
      loaders.push(await loaded(spec, specs.indexOf(spec) + 1, password, tls));
    }
    const primaries = primariesOf(input);
    if (!isCluster(row) && specs.length === 1) return await replicateFromLoader(primaries[0]!, specs[0]!, password, tls);
    // Only now, with every file loaded, is the old data replaced.
    for (const p of primaries) {
      const admin = await connectAdmin({ host: p.host, port: p.port, password, timeoutMs: 30_000, ...tls });
      try {
        await admin.call("FLUSHALL");
      } finally {
        admin.disconnect();
      }
    }
    const ownerOf = isCluster(row) ? await slotOwners(primaries[0]!, password, tls) : () => primaries[0]!;
    let moved = 0;
    for (const loader of loaders) moved += await migrateEverything(loader, ownerOf, password);
    return moved;
  } finally {
    for (const l of loaders) l.disconnect();
  }
}

/** One loader node per file, each with its file as dump.rdb in its own data dir. */
async function placeFiles(
  ctx: WorkerContext,
  { row }: StepInput,
  job: Extract<DataJob, { kind: "import" }>,
  password: string | undefined,
): Promise<NodeSpec[]> {
  const { tls } = adminTls(row);
  const specs: NodeSpec[] = [];
  const sources = await sourceFiles(ctx, row.projectId, job);
  for (const [i, source] of sources.entries()) {
    const id = nodeId(row.uid, LOADER_ORDINAL_BASE + i);
    const dataDir = nodeDataDir(ctx.nodesRoot, id);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await source.writeTo(join(dataDir, "dump.rdb"));
    const spec: NodeSpec = {
      id,
      instanceUid: row.uid,
      projectId: row.projectId,
      zone: ctx.zones[0]!,
      redisVersion: (row.spec as { redisVersion: string }).redisVersion,
      host: nodeAddress(LOADER_ORDINAL_BASE + i),
      port: row.port!,
      dataDir,
      // The deployment's password, so its primary can sync from the loader with its masterauth;
      // no delay before a full sync (Redis waits 5 s for more replicas by default).
      config: { maxmemory: "0", save: "", appendonly: "no", requirepass: password ?? "", masterauth: "", "repl-diskless-sync-delay": "0" },
      // TLS: a primary that syncs from the loader, and the nodes it MIGRATEs to, verify it.
      ...(tls ? { tls: { caPem: tls.ca } } : {}),
    };
    specs.push(await withIssuedCertificate(ctx, row, { id, host: spec.host }, spec));
  }
  return specs;
}

async function sourceFiles(ctx: WorkerContext, projectId: string, job: Extract<DataJob, { kind: "import" }>) {
  if ("backupUid" in job.source) {
    const backup = await ctx.prisma.backup.findUnique({ where: { uid: job.source.backupUid } });
    if (backup?.state !== "ACTIVE") throw new DataJobError(CODES.NOT_FOUND, "the backup to restore from no longer exists");
    const key = await projectDataKey(ctx.prisma, ctx.backups, projectId);
    return filesOf(backup).map((file) => ({
      writeTo: (dest: string) =>
        openSealedFile(sealedPath(ctx.backups, backup.uid, file.fileName), dest, key).catch((error) => {
          if (error instanceof BackupTamperedError)
            throw new DataJobError(CODES.DATA_LOSS, `backup ${backup.backupId} failed its integrity check (${file.fileName}): it was altered or is corrupt`);
          throw error;
        }),
    }));
  }
  const files = [];
  for (const uri of job.source.uris) {
    const path = await resolveForRead(ctx.backups.bucketsRoot, uri).catch((error) => {
      if (error instanceof InvalidBucketUriError) throw new DataJobError(CODES.INVALID_ARGUMENT, error.message);
      if (error instanceof BucketObjectNotFoundError) throw new DataJobError(CODES.NOT_FOUND, `${uri} does not exist`);
      throw error;
    });
    await assertRdbFile(path, uri).catch((error) => {
      if (error instanceof NotAnRdbFileError) throw new DataJobError(CODES.INVALID_ARGUMENT, error.message);
      throw error;
    });
    files.push({ writeTo: (dest: string) => copyFile(path, dest) });
  }
  return files;
}

/** The loader's connection once its dataset is loaded. Loaders listen on an address of their
 *  own and serve only this step. */
async function loaded(spec: NodeSpec, file: number, password: string | undefined, tls: Tls): Promise<Redis> {
  const deadline = Date.now() + LOAD_TIMEOUT_MS;
  let unreachableSince: number | undefined;
  for (;;) {
    const redis = await connectAdmin({ host: spec.host, port: spec.port, password, timeoutMs: 5_000, ...tls }).catch(() => undefined);
    if (redis) {
      unreachableSince = undefined;
      const loading = await info(redis, "persistence").then(
        (s) => s.persistence?.loading === "1",
        () => true,
      );
      if (!loading) return redis;
      redis.disconnect();
    } else {
      unreachableSince ??= Date.now();
      // It started, then stopped answering: the engine gave up on the file mid-load.
      if (Date.now() - unreachableSince > 5_000) {
        throw new DataJobError(CODES.INVALID_ARGUMENT, `the engine stopped while loading the import's file ${file}: it is not a valid RDB`);
      }
    }
    if (Date.now() > deadline) throw new Error(`loading an import file took over ${LOAD_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function primariesOf({ row }: StepInput): Target[] {
  if (!isCluster(row)) {
    const primary = row.nodes.find((n) => n.id === primaryIdOf(row));
    if (!primary) throw new Error("the instance has no primary yet");
    return [primary];
  }
  const shards = [...new Set(row.nodes.map((n) => n.shard))].sort((a, b) => a - b);
  return shards.map((s) => {
    const primary = row.nodes.find((n) => n.id === shardPrimary(row, s));
    if (!primary) throw new Error(`shard ${s} has no primary yet`);
    return primary;
  });
}

/** Which primary owns each slot, from CLUSTER SLOTS (the plan made it complete before this step). */
async function slotOwners(any: Target, password: string | undefined, tls: Tls): Promise<(slot: number) => Target> {
  const admin = await connectAdmin({ host: any.host, port: any.port, password, ...tls });
  try {
    const table = new Array<Target | undefined>(16_384);
    const slots = (await admin.call("CLUSTER", "SLOTS")) as [number, number, [string, number, ...unknown[]], ...unknown[]][];
    for (const [start, end, [host, port]] of slots) for (let s = start; s <= end; s++) table[s] = { host, port };
    return (slot) => {
      const owner = table[slot];
      if (!owner) throw new Error(`slot ${slot} has no owner`);
      return owner;
    };
  } finally {
    admin.disconnect();
  }
}

/** One file into an instance: its primary syncs from the loader as a replica would (the engine's
 *  own full sync, about as fast as loading the file; MIGRATE moves some 40k keys/s), then is made
 *  primary again; its replicas follow it through the swap. Measured by bench restore-instance.
 *  A worker killed in between leaves the primary following a loader that is then removed:
 *  the next pass makes it primary again, and the import, still pending, runs again. */
async function replicateFromLoader(primary: Target, loader: NodeSpec, password: string | undefined, tls: Tls): Promise<number> {
  const admin = await connectAdmin({ host: primary.host, port: primary.port, password, timeoutMs: 30_000, ...tls });
  const [, previousLoad] = (await admin.call("CONFIG", "GET", "repl-diskless-load")) as [string, string];
  try {
    // Emptied first (the loader already holds the whole file), so the primary parses the
    // stream as it arrives instead of writing it to disk and reading it back.
    await admin.call("FLUSHALL");
    await admin.call("CONFIG", "SET", "repl-diskless-load", "on-empty-db");
    await admin.call("REPLICAOF", loader.host, String(loader.port));
    const deadline = Date.now() + LOAD_TIMEOUT_MS;
    for (;;) {
      const sections = await info(admin, "replication", "persistence");
      const r = sections.replication ?? {};
      if (r.role === "slave" && r.master_link_status === "up" && r.master_sync_in_progress === "0" && sections.persistence?.loading === "0") break;
      if (Date.now() > deadline) throw new Error(`the primary did not finish syncing the import within ${LOAD_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await admin.call("REPLICAOF", "NO", "ONE");
    return Number(await admin.dbsize());
  } catch (error) {
    await admin.call("REPLICAOF", "NO", "ONE").catch(() => undefined);
    throw error;
  } finally {
    await admin.call("CONFIG", "SET", "repl-diskless-load", previousLoad ?? "disabled").catch(() => undefined);
    admin.disconnect();
  }
}

/** MIGRATEs every key of the loader, a SCAN page at a time, grouped by owner. */
async function migrateEverything(loader: Redis, ownerOf: (slot: number) => Target, password: string | undefined): Promise<number> {
  let cursor = "0";
  let moved = 0;
  const auth = password ? ["AUTH", password] : [];
  do {
    // Keys are bytes, not text: read and pass them as buffers.
    const [next, keys] = (await loader.callBuffer("SCAN", cursor, "COUNT", String(SCAN_COUNT))) as [Buffer, Buffer[]];
    cursor = next.toString();
    const byOwner = new Map<string, { target: Target; keys: Buffer[] }>();
    for (const key of keys) {
      const target = ownerOf(keySlot(key));
      const id = `${target.host}:${target.port}`;
      const group = byOwner.get(id) ?? byOwner.set(id, { target, keys: [] }).get(id)!;
      group.keys.push(key);
    }
    for (const { target, keys: group } of byOwner.values()) {
      const answer = await loader.call("MIGRATE", target.host, String(target.port), "", "0", "60000", "REPLACE", ...auth, "KEYS", ...group);
      if (answer !== "OK" && answer !== "NOKEY") throw new Error(`MIGRATE to ${target.host}:${target.port} answered ${String(answer)}`);
      moved += group.length;
    }
  } while (cursor !== "0");
  return moved;
}

/** Removes every loader node of this deployment (they are never recorded). */
export async function destroyLoaders(ctx: WorkerContext, instanceUid: string) {
  for (const runtime of Object.values(ctx.runtimes.byDriver)) {
    const ids = await runtime.list().catch(() => [] as string[]);
    for (const id of ids) {
      const parsed = parseNodeId(id);
      if (parsed?.instanceUid !== instanceUid || parsed.ordinal < LOADER_ORDINAL_BASE) continue;
      await runtime.destroy({
        id,
        instanceUid,
        projectId: "",
        zone: "",
        redisVersion: "",
        host: ctx.nodeHost,
        port: 0,
        dataDir: nodeDataDir(ctx.nodesRoot, id),
        config: {},
      });
    }
  }
}
