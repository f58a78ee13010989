// Restoring that backup, beside a bare redis-server loading the same RDB (the backup's plain
// export) to its first PONG (-LOADING is not one). Ours, two rows: `POST …:import
// {managedBackupSource}` into an empty BASIC instance made just before (untimed) to the
// Operation done; and a new instance's create + :import to READY with the endpoint answering.
// The worker decrypts the backup, loads it in a loader redis-server, and MIGRATEs every key
// into the primary; the bench watches those phases from outside (files, the loader's PING,
// the target's DBSIZE). After every run, untimed: every key is there, then the delete.
import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { LOADER_ORDINAL_BASE, nodeAddress } from "@cacheplane/core";
import { Redis } from "ioredis";
import { median, type LatencyScenario, type Spec } from "../harness.js";
import {
  BASIC,
  HOST,
  REDIS_SERVER,
  benchPort,
  call,
  createInstance,
  deleteInstance,
  pingOnce,
  randomTag,
  stopChild,
  waitOp,
  waitPong,
  type Plane,
} from "../lib.js";
import { LOC, assertSameKeys, filesIn, loadSamples, uidOf, watchPhases, type BackupData } from "./backup-data.js";

// Import phases are seen from outside, polling every 10 ms.
const TITLES = {
  import: "where :import goes: median ms after the :import POST (import phases polled every 10 ms)",
  create: "where create + :import goes: median ms after the create POST (import phases polled every 10 ms)",
};

/** redis-server --dbfilename <the RDB> to its first PONG. */
export function bareRdbLoad(spec: Spec, data: BackupData, runs: number): LatencyScenario {
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 1,
      run: async () => {
        const { rdb } = await data.backup();
        const port = await benchPort();
        const t0 = performance.now();
        const child = spawn(
          REDIS_SERVER,
          ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", dirname(rdb), "--dbfilename", basename(rdb)],
          { stdio: "ignore", cwd: dirname(rdb) },
        );
        try {
          await waitPong(HOST, port, 1, 120_000);
          const ms = performance.now() - t0;
          await assertSameKeys(HOST, port, data.keys, "bare redis-server after loading the RDB");
          return ms;
        } finally {
          await stopChild(child, "SIGKILL", 2_000);
        }
      },
    },
  };
}

const PHASES = [
  "loader dir made",
  "decrypting (dump.rdb.tmp)",
  "decrypted (dump.rdb)",
  "loader loaded it (PONG)",
  "first key on the target",
  "every key on the target",
] as const;

/** How far an import into `target` has got, seen from outside. */
function importStage(plane: Plane, uid: string, target: { host: string; port: number }, keys: number) {
  const loaderDir = join(plane.cp!.nodesRoot, `${uid}-${LOADER_ORDINAL_BASE}`);
  const loaderHost = nodeAddress(LOADER_ORDINAL_BASE);
  const redis = new Redis({ host: target.host, port: target.port, maxRetriesPerRequest: 0, commandTimeout: 1_000 });
  redis.on("error", () => undefined);
  return {
    close: () => redis.disconnect(),
    async stage(): Promise<number> {
      const size = await redis.dbsize().catch(() => 0);
      if (size >= keys) return 6;
      if (size > 0) return 5;
      if (await pingOnce(loaderHost, target.port, 50)) return 4;
      const names = await filesIn(loaderDir).then((fs) => fs.map((f) => f.name));
      if (names.includes("dump.rdb")) return 3;
      if (names.some((n) => n.startsWith("dump.rdb.tmp-"))) return 2;
      return (await stat(loaderDir).then(
        () => true,
        () => false,
      ))
        ? 1
        : 0;
    },
  };
}

async function postImport(plane: Plane, instanceId: string, backup: string) {
  const res = await call(plane, "POST", `${LOC}/instances/${instanceId}:import`, { inputConfig: { managedBackupSource: { backup } } });
  if (res.status !== 200) throw new Error(`import into ${instanceId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function created(plane: Plane, instanceId: string) {
  const op = await waitOp(plane, await createInstance(plane, instanceId, BASIC));
  if (op.error || op.response?.state !== "READY") throw new Error(`create ${instanceId}: ${JSON.stringify(op.error ?? op.response)}`);
  return op.response as { host: string; port: number; nodes: { id: string }[] };
}

/** A restore row: into an instance made just before, untimed, or (`create`) timed from its create POST. */
function restoreRow(plane: Plane, spec: Spec, data: BackupData, runs: number, create: boolean): LatencyScenario {
  const tag = randomTag();
  const timelines: Record<string, number>[] = [];
  const load = loadSamples();
  const rates: number[] = [];
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 1,
      baseline: spec.baseline,
      target: spec.target,
      run: async (i) => {
        const { name: backup } = await data.backup();
        const instanceId = `bench-rs${create ? "c" : "i"}-${tag}-${i < 0 ? `w${-i}` : i}`;
        if (i >= 0) load.sample();
        try {
          const pre = create ? undefined : await created(plane, instanceId);
          const wall0 = Date.now();
          const t0 = performance.now();
          const target = pre ?? (await created(plane, instanceId));
          const tCreated = performance.now() - t0;
          const probe = importStage(plane, uidOf(target), target, data.keys);
          const watch = watchPhases(PHASES, probe.stage);
          let seen: Record<string, number> = {};
          try {
            const tImport = performance.now() - t0;
            const posted = await postImport(plane, instanceId, backup);
            const tPost = performance.now() - t0;
            const op = await waitOp(plane, posted, 600_000);
            const tDone = performance.now() - t0;
            if (op.error || op.response?.state !== "READY") throw new Error(`import into ${instanceId}: ${JSON.stringify(op.error ?? op.response?.state)}`);
            await waitPong(target.host, target.port, 1, 5_000);
            const total = create ? performance.now() - t0 : tDone;
            seen = await watch.stop();
            // Not timed: the data is the backup's, and where the time went.
            await assertSameKeys(target.host, target.port, data.keys, `${instanceId} after :import`);
            const events = (await plane.events?.(instanceId, wall0)) ?? {};
            const rel = (t?: number) => (t === undefined ? undefined : t - wall0);
            if (i >= 0) {
              const row: Record<string, number | undefined> = {
                ...(create ? { "create done (READY)": tCreated } : {}),
                ":import POST sent": tImport,
                ":import POST returned": tPost,
                "IMPORT_REQUESTED event": rel(events.IMPORT_REQUESTED),
                ...Object.fromEntries(PHASES.map((p) => [p, rel(seen[p])])),
                "DATA_IMPORTED event": rel(events.DATA_IMPORTED),
                "op endTime": op.metadata?.endTime ? Date.parse(op.metadata.endTime) - wall0 : undefined,
                "client sees done": tDone,
                ...(create ? { PONG: total } : {}),
              };
              timelines.push(Object.fromEntries(Object.entries(row).filter((e): e is [string, number] => e[1] !== undefined)));
              const [first, all] = [seen["first key on the target"], seen["every key on the target"]];
              if (first !== undefined && all !== undefined && all > first) rates.push((data.keys / (all - first)) * 1000);
            }
            return total;
          } finally {
            await watch.stop();
            probe.close();
          }
        } finally {
          await deleteInstance(plane, instanceId);
        }
      },
      extra: () => {
        const phases = [...new Set(timelines.flatMap((t) => Object.keys(t)))];
        const rate = rates.length
          ? [`MIGRATE moved ${Math.round(median(rates)).toLocaleString("en-US")} keys/s (median; first to last key on the target)`]
          : [];
        return {
          notes: [...rate, load.note()],
          timelineTitle: TITLES[create ? "create" : "import"],
          timeline: Object.fromEntries(phases.map((p) => [p, median(timelines.map((t) => t[p]).filter((v): v is number => v !== undefined))])),
        };
      },
    },
  };
}

/** :import into an empty BASIC instance (made just before, untimed) → Operation done. */
export const instanceImport = (plane: Plane, spec: Spec, data: BackupData, runs: number) => restoreRow(plane, spec, data, runs, false);

/** create BASIC + :import → READY, the endpoint answering PING. */
export const createImportReady = (plane: Plane, spec: Spec, data: BackupData, runs: number) => restoreRow(plane, spec, data, runs, true);
