// Backing up an instance of N keys, beside the floor of any backup built on SYNC: `redis-cli
// --rdb` against a bare redis-server with the same keys. Ours: `POST …:backup` to the
// Operation done (the worker streams the RDB over SYNC rdb-only, seals it with AES-256-GCM,
// fsyncs, records it). The bench watches the backup's directory to say where the time went.
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { median, type LatencyScenario, type Spec } from "../harness.js";
import { run, randomTag, waitOp, type Plane } from "../lib.js";
import { deleteBackup, filesIn, findBackup, loadSamples, takeBackup, watchPhases, type BackupData } from "./backup-data.js";

const TITLE = "where :backup goes: median ms after the POST (file phases seen by polling the backup's directory every 10 ms)";

/** redis-cli -h -p --rdb <file> to its exit, and the file's size; the file is removed. */
async function redisCliRdb(host: string, port: number, file: string) {
  try {
    const t0 = performance.now();
    await run("redis-cli", ["-h", host, "-p", String(port), "--rdb", file], 600_000);
    const ms = performance.now() - t0;
    return { ms, bytes: (await stat(file)).size };
  } finally {
    await rm(file, { force: true });
  }
}

export function bareRdbFetch(spec: Spec, data: BackupData, runs: number): LatencyScenario {
  const sizes: number[] = [];
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 1,
      run: async (i) => {
        const { host, port } = await data.bare();
        const { ms, bytes } = await redisCliRdb(host, port, join(data.dir, `bare-${i}.rdb`));
        sizes.push(bytes);
        return ms;
      },
      extra: () => ({ notes: [`RDB ${median(sizes).toLocaleString("en-US")} bytes`] }),
    },
  };
}

const PHASES = ["backup dir made", "SYNC opened (.part)", "first RDB bytes", "RDB received (.plain)", "sealing (.tmp)", "sealed file in place"] as const;

/** How far the new backup's files are (its directory is the one not there before the POST). */
async function backupStage(root: string, before: Set<string>): Promise<number> {
  const dirs = (await filesIn(root)).map((f) => f.name).filter((n) => !before.has(n));
  if (dirs.length === 0) return 0;
  const files = await filesIn(join(root, dirs[0]!));
  const has = (re: RegExp, minSize = 0) => files.some((f) => re.test(f.name) && f.size >= minSize);
  if (has(/\.rdb$/)) return 6;
  if (has(/\.rdb\.tmp-/)) return 5;
  if (has(/\.plain$/)) return 4;
  if (has(/\.part$/, 1)) return 3;
  if (has(/\.part$/)) return 2;
  return 1;
}

export function instanceBackup(plane: Plane, spec: Spec, data: BackupData, runs: number): LatencyScenario {
  const tag = randomTag();
  const root = join(plane.cp!.dataDir, "backups");
  const timelines: Record<string, number>[] = [];
  const sizes: number[] = [];
  const sameNode: number[] = [];
  const load = loadSamples();
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 1,
      baseline: spec.baseline,
      target: spec.target,
      run: async (i) => {
        const backupId = `bench-${tag}-${i < 0 ? `w${-i}` : i}`;
        if (i >= 0) load.sample();
        const before = new Set((await filesIn(root)).map((f) => f.name));
        const wall0 = Date.now();
        const probe = watchPhases(PHASES, () => backupStage(root, before));
        const t0 = performance.now();
        let seen: Record<string, number> = {};
        let name: string | undefined;
        try {
          const posted = await takeBackup(plane, data.source.id, backupId);
          const tPost = performance.now() - t0;
          const op = await waitOp(plane, posted, 600_000);
          const total = performance.now() - t0;
          seen = await probe.stop();
          if (op.error) throw new Error(`backup ${backupId}: ${JSON.stringify(op.error)}`);
          // Not timed: what was stored, where the time went, then the delete.
          const backup = await findBackup(plane, backupId);
          name = backup.name;
          if (backup.state !== "ACTIVE") throw new Error(`backup ${backupId} is ${backup.state} after its Operation`);
          const events = (await plane.events?.(data.source.id, wall0)) ?? {};
          if (i >= 0) {
            sizes.push(Number(backup.totalSizeBytes));
            const rel = (t?: number) => (t === undefined ? undefined : t - wall0);
            const row: Record<string, number | undefined> = {
              "POST returned": tPost,
              ...Object.fromEntries(PHASES.map((p) => [p, rel(seen[p])])),
              "BACKUP_CREATED event": rel(events.BACKUP_CREATED),
              "op endTime": op.metadata?.endTime ? Date.parse(op.metadata.endTime) - wall0 : undefined,
              "client sees done": total,
            };
            timelines.push(Object.fromEntries(Object.entries(row).filter((e): e is [string, number] => e[1] !== undefined)));
            // The floor on this very node: is the gap the node or what the worker does?
            sameNode.push((await redisCliRdb(data.source.node.host, data.source.node.port, join(data.dir, `node-${i}.rdb`))).ms);
          }
          return total;
        } finally {
          await probe.stop();
          if (name) await deleteBackup(plane, name);
        }
      },
      extra: () => {
        const phases = [...new Set(timelines.flatMap((t) => Object.keys(t)))];
        return {
          timelineTitle: TITLE,
          timeline: Object.fromEntries(phases.map((p) => [p, median(timelines.map((t) => t[p]).filter((v): v is number => v !== undefined))])),
          notes: [
            `RDB ${median(sizes).toLocaleString("en-US")} bytes (totalSizeBytes)`,
            `redis-cli --rdb from the instance's own node, right after each run (untimed for the row): median ${median(sameNode).toFixed(0)} ms`,
            load.note(),
          ],
        };
      },
    },
  };
}
