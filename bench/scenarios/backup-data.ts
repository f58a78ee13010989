// What the backup and restore rows share: the same keys written to a BASIC instance and (for
// the redis-cli --rdb baseline) to a bare redis-server, a backup of that instance with its
// plain-RDB export, and a probe that timestamps phases the control plane does not report.
// Nothing here is timed except by the probe, which only watches.
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, readdir, stat } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import {
  BASIC,
  HOST,
  REDIS_SERVER,
  benchPort,
  call,
  onCleanup,
  randomTag,
  scenarioInstance,
  sleep,
  stopChild,
  tempDir,
  waitOp,
  waitPong,
  type Plane,
} from "../lib.js";

export const LOC = "/v1/projects/default/locations/local1";
export const keyOf = (i: number) => `key:${i}`;
export const valueFor = (i: number) => `value-${i}-`.padEnd(32, "x");

/** The keys as a RESP stream, written once: `redis-cli --pipe` loads 1M SETs in a few seconds. */
async function respFile(dir: string, keys: number): Promise<string> {
  const path = join(dir, "keys.resp");
  const out = createWriteStream(path);
  const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  for (let from = 0; from < keys; from += 10_000) {
    let chunk = "";
    for (let i = from; i < Math.min(keys, from + 10_000); i++) chunk += `*3\r\n$3\r\nSET\r\n${bulk(keyOf(i))}${bulk(valueFor(i))}`;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return path;
}

/** `redis-cli --pipe < file`; fails unless every reply came back without an error. */
function pipeInto(host: string, port: number, file: string, keys: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("redis-cli", ["-h", host, "-p", String(port), "--pipe"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    createReadStream(file).pipe(child.stdin);
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0 && out.includes(`errors: 0, replies: ${keys}`)) resolve();
      else reject(new Error(`redis-cli --pipe into ${host}:${port}: exit ${code} ${out.trim().slice(-300)}`));
    });
  });
}

export async function dbsize(host: string, port: number): Promise<number> {
  const r = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
  r.on("error", () => undefined);
  try {
    await r.connect();
    return await r.dbsize();
  } finally {
    r.disconnect();
  }
}

/** The restored data is the source's: every key there, first and last read back. */
export async function assertSameKeys(host: string, port: number, keys: number, what: string) {
  const r = new Redis({ host, port, maxRetriesPerRequest: 1 });
  r.on("error", () => undefined);
  try {
    const [size, first, last] = await Promise.all([r.dbsize(), r.get(keyOf(0)), r.get(keyOf(keys - 1))]);
    if (size !== keys || first !== valueFor(0) || last !== valueFor(keys - 1))
      throw new Error(`${what}: DBSIZE ${size} (want ${keys}), ${keyOf(0)}=${first}, ${keyOf(keys - 1)}=${last}`);
  } finally {
    r.disconnect();
  }
}

export interface BackupData {
  keys: number;
  dir: string;
  /** The instance, its endpoint, and its (only) node's own address. */
  source: { id: string; uid: string; host: string; port: number; node: { host: string; port: number } };
  /** A bare redis-server holding the same keys (started on first use). */
  bare(): Promise<{ host: string; port: number }>;
  /** A backup of the source, its name, and its export copied to `dir` (taken on first use). */
  backup(): Promise<{ name: string; rdb: string; bytes: number }>;
}

export async function backupData(plane: Plane, keys: number): Promise<BackupData> {
  if (!plane.cp) throw new Error("the backup rows need the in-process control plane (its data dir and buckets root)");
  const dir = await tempDir("cacheplane-bench-backup-");
  const file = await respFile(dir, keys);
  const { id, instance } = await scenarioInstance(plane, "bench-bk", BASIC);
  const node = { host: instance.nodes[0].host as string, port: instance.nodes[0].port as number };
  const source = { id, uid: uidOf(instance), host: instance.host as string, port: instance.port as number, node };
  await pipeInto(source.host, source.port, file, keys);
  let bare: Promise<{ host: string; port: number }> | undefined;
  let backup: Promise<{ name: string; rdb: string; bytes: number }> | undefined;
  return {
    keys,
    dir,
    source,
    bare: () => (bare ??= startBare(dir, file, keys)),
    backup: () => (backup ??= backupAndExport(plane, source.id, dir)),
  };
}

/** An instance's uid: its node ids are `${uid}-${ordinal}` (the loader's ordinal is 4000). */
export const uidOf = (instance: { nodes: { id: string }[] }) => instance.nodes[0]!.id.replace(/-\d+$/, "");

/** Redis's defaults, persistence off, and `repl-diskless-sync-delay 0` as cacheplane's nodes
 *  have it: at the default 5 s a diskless SYNC (what `redis-cli --rdb` asks for) waits 5 s for
 *  other replicas first, and the baseline would be that sleep. */
async function startBare(dir: string, file: string, keys: number) {
  const port = await benchPort();
  const child = spawn(
    REDIS_SERVER,
    ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0", "--dir", dir],
    { stdio: "ignore", cwd: dir },
  );
  onCleanup(() => stopChild(child, "SIGKILL", 2_000));
  await waitPong(HOST, port, 5, 5_000);
  await pipeInto(HOST, port, file, keys);
  return { host: HOST, port };
}

export async function takeBackup(plane: Plane, instanceId: string, backupId: string) {
  const res = await call(plane, "POST", `${LOC}/instances/${instanceId}:backup`, { backupId });
  if (res.status !== 200) throw new Error(`backup ${instanceId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function findBackup(plane: Plane, backupId: string) {
  const res = await call(plane, "GET", `${LOC}/backupCollections/-/backups?pageSize=1000`);
  const found = (res.body?.backups ?? []).find((b: any) => b.name.endsWith(`/backups/${backupId}`));
  if (!found) throw new Error(`backup ${backupId} is not listed`);
  return found;
}

export async function deleteBackup(plane: Plane, name: string) {
  const res = await call(plane, "DELETE", `/v1/${name}`);
  if (res.status === 404) return;
  if (res.status !== 200) throw new Error(`delete ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  await waitOp(plane, res.body);
}

async function backupAndExport(plane: Plane, instanceId: string, dir: string) {
  const backupId = `bench-restore-${randomTag()}`;
  const op = await waitOp(plane, await takeBackup(plane, instanceId, backupId), 600_000);
  if (op.error) throw new Error(`backup ${backupId}: ${JSON.stringify(op.error)}`);
  const backup = await findBackup(plane, backupId);
  onCleanup(() => deleteBackup(plane, backup.name));
  // The plain RDB the restore decrypts, as :export writes it for any Redis to load.
  const bucket = `bench-${randomTag()}`;
  const res = await call(plane, "POST", `/v1/${backup.name}:export`, { gcsBucket: bucket });
  if (res.status !== 200) throw new Error(`export ${backupId}: ${res.status} ${JSON.stringify(res.body)}`);
  const exported = await waitOp(plane, res.body, 600_000);
  if (exported.error) throw new Error(`export ${backupId}: ${JSON.stringify(exported.error)}`);
  const rdb = join(dir, "restore.rdb");
  await copyFile(join(plane.cp!.bucketsRoot, bucket, backupId, backup.backupFiles[0].fileName), rdb);
  return { name: backup.name as string, rdb, bytes: (await stat(rdb)).size };
}

/** Timestamps (epoch ms) of phases seen from outside. `stage()` says how far the work has got
 *  (0 = none of `phases` yet); every phase up to it is stamped the first time it is seen, so a
 *  phase that passed between two looks gets the later look's time. */
export function watchPhases(phases: readonly string[], stage: () => Promise<number>, everyMs = 10) {
  const seen: Record<string, number> = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      const reached = await stage().catch(() => 0);
      const at = Date.now();
      for (let k = 0; k < reached; k++) seen[phases[k]!] ??= at;
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** Files of one directory with their sizes ([] when it does not exist). */
export async function filesIn(dir: string): Promise<{ name: string; size: number }[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(
    names.map(async (name) => ({
      name,
      size: await stat(join(dir, name)).then(
        (s) => s.size,
        () => 0,
      ),
    })),
  );
}

/** The machine's 1-minute load average at each run's start: on 2 noisy cores it says how much
 *  else was running (rows and their baselines are interleaved, so both saw the same). */
export function loadSamples() {
  const seen: number[] = [];
  return {
    sample: () => void seen.push(loadavg()[0]!),
    note: () =>
      seen.length
        ? `load average (1 min) at the runs' starts ${Math.min(...seen).toFixed(1)}–${Math.max(...seen).toFixed(1)} on ${cpus().length} cpus`
        : "no runs",
  };
}
