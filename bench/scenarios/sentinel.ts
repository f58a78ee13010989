// The failover baseline: Redis Sentinel as people run it — one primary and two replicas as
// bare redis-server processes on loopback, three sentinels (quorum 2) with
// down-after-milliseconds 1000 and failover-timeout 5000. Everything lives in one temp dir
// and is stopped when the scope that started it ends.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { HOST, REDIS_SERVER, benchPort, now, onCleanup, stopChild, tempDir, waitPong, waitUntil } from "../lib.js";

export const MASTER_NAME = "bench";
const DOWN_AFTER_MS = 1_000;
const FAILOVER_TIMEOUT_MS = 5_000;

/** `redis-sentinel <conf>` if installed, else `redis-server <conf> --sentinel` (the same binary). */
function sentinelCommand(conf: string): [string, string[]] {
  const found = spawnSync("sh", ["-c", "command -v redis-sentinel"], { encoding: "utf8" }).stdout.trim();
  return found ? [found, [conf]] : [REDIS_SERVER, [conf, "--sentinel"]];
}

export interface Proc {
  port: number;
  conf: string;
  child?: ChildProcess;
  start(): void;
}

export interface SentinelSetup {
  sentinels: { host: string; port: number }[];
  /** Port of the primary as the sentinels report it (they must agree). */
  primaryPort(): Promise<number>;
  /** SIGKILLs the current primary's process; returns its port. */
  killPrimary(): Promise<number>;
  /** Restarts the killed server and waits until the sentinels see one primary with two
   *  online replicas and every sentinel agrees. */
  recover(): Promise<void>;
  /** The first time (epoch ms) of each sentinel event at or after `since`, across sentinels. */
  eventsSince(since: number): Record<string, number>;
}

function proc(port: number, conf: string, command: () => [string, string[]]): Proc {
  const p: Proc = {
    port,
    conf,
    start() {
      const [cmd, args] = command();
      p.child = spawn(cmd, args, { stdio: "ignore" });
    },
  };
  onCleanup(async () => {
    if (p.child) await stopChild(p.child, "SIGKILL", 2_000);
  });
  return p;
}

const pairs = (flat: unknown): Record<string, string> => {
  const list = flat as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]!] = list[i + 1]!;
  return out;
};

/** A primary and `count - 1` replicas as bare redis-server processes with config files
 *  (Sentinel rewrites a replica's config when it repoints it), in `dir`. */
export async function startReplicaSet(dir: string, count: number) {
  const servers: Proc[] = [];
  for (let i = 0; i < count; i++) {
    const port = await benchPort();
    const nodeDir = join(dir, `redis-${port}`);
    await mkdir(nodeDir);
    const conf = join(nodeDir, "redis.conf");
    // As cacheplane configures its nodes: no persistence, no diskless-sync delay, replicas
    // announcing their own address (FAILOVER TO needs it).
    const lines = [`port ${port}`, `bind ${HOST}`, `dir ${nodeDir}`, `save ""`, "appendonly no", "repl-diskless-sync-delay 0", `replica-announce-ip ${HOST}`];
    if (i > 0) lines.push(`replicaof ${HOST} ${servers[0]!.port}`);
    await writeFile(conf, `${lines.join("\n")}\n`);
    servers.push(proc(port, conf, () => [REDIS_SERVER, [conf]]));
  }
  for (const s of servers) s.start();
  for (const s of servers) await waitPong(HOST, s.port, 5, 5_000);
  return servers;
}

export async function startSentinels(): Promise<SentinelSetup> {
  const dir = await tempDir("cacheplane-bench-sentinel-");
  const servers = await startReplicaSet(dir, 3);

  const sentinelProcs: Proc[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await benchPort();
    const sDir = join(dir, `sentinel-${port}`);
    await mkdir(sDir);
    const conf = join(sDir, "sentinel.conf");
    await writeFile(
      conf,
      `${[
        `port ${port}`,
        `bind ${HOST}`,
        `dir ${sDir}`,
        `sentinel monitor ${MASTER_NAME} ${HOST} ${servers[0]!.port} 2`,
        `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
        `sentinel failover-timeout ${MASTER_NAME} ${FAILOVER_TIMEOUT_MS}`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
      ].join("\n")}\n`,
    );
    sentinelProcs.push(proc(port, conf, () => sentinelCommand(conf)));
  }
  for (const s of sentinelProcs) s.start();
  for (const s of sentinelProcs) await waitPong(HOST, s.port, 5, 5_000);

  // Admin connections to the sentinels, and their events with the time we heard them.
  const admins = sentinelProcs.map((s) => {
    const r = new Redis({ host: HOST, port: s.port, lazyConnect: false, enableReadyCheck: false, retryStrategy: () => 50 });
    r.on("error", () => undefined);
    return r;
  });
  const events: { at: number; channel: string; message: string }[] = [];
  const subs = sentinelProcs.map((s) => {
    const r = new Redis({ host: HOST, port: s.port, enableReadyCheck: false, retryStrategy: () => 50 });
    r.on("error", () => undefined);
    r.on("pmessage", (_p, channel, message) => events.push({ at: now(), channel, message }));
    void r.psubscribe("*").catch(() => undefined);
    return r;
  });
  onCleanup(async () => {
    for (const r of [...admins, ...subs]) r.disconnect();
  });

  const masterAddr = async (r: Redis) => Number(((await r.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)) as string[])[1]);
  const primaryPort = async () => {
    const ports = await Promise.all(admins.map(masterAddr));
    if (new Set(ports).size !== 1) throw new Error(`sentinels disagree on the primary: ${ports.join(", ")}`);
    return ports[0]!;
  };

  /** One primary, two online replicas, every sentinel agreeing and seeing the others. */
  const healthy = async () => {
    const port = await primaryPort();
    for (const r of admins) {
      const m = pairs(await r.call("SENTINEL", "MASTER", MASTER_NAME));
      if (m.flags !== "master" || m["num-slaves"] !== "2" || m["num-other-sentinels"] !== "2") return false;
      const replicas = ((await r.call("SENTINEL", "REPLICAS", MASTER_NAME)) as unknown[]).map(pairs);
      if (replicas.length !== 2 || replicas.some((s) => s.flags !== "slave" || s["master-link-status"] !== "ok" || Number(s["master-port"]) !== port))
        return false;
    }
    const primary = new Redis({ host: HOST, port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    primary.on("error", () => undefined);
    try {
      await primary.connect();
      const info = String(await primary.info("replication"));
      return /role:master/.test(info) && (info.match(/state=online/g) ?? []).length === 2;
    } finally {
      primary.disconnect();
    }
  };
  await waitUntil("the sentinels to see the primary, 2 replicas and each other", healthy, 30_000, 100);

  let killed: Proc | undefined;
  return {
    sentinels: sentinelProcs.map((s) => ({ host: HOST, port: s.port })),
    primaryPort,
    async killPrimary() {
      const port = await primaryPort();
      const victim = servers.find((s) => s.port === port);
      if (!victim?.child) throw new Error(`no process for the primary on ${port}`);
      victim.child.kill("SIGKILL");
      killed = victim;
      return port;
    },
    async recover() {
      if (killed) {
        // Comes back as an empty primary; the sentinels turn it into a replica (+convert-to-slave).
        const child = killed.child;
        if (child && child.exitCode === null && child.signalCode === null) await stopChild(child, "SIGKILL", 2_000);
        killed.start();
        killed = undefined;
      }
      await waitUntil("the sentinel setup to heal", healthy, 60_000, 100);
    },
    eventsSince(since) {
      const first: Record<string, number> = {};
      for (const e of events) {
        if (e.at < since || first[e.channel] !== undefined) continue;
        // +sdown/-sdown are about any instance; only the primary's matter here.
        if (/^[+-]sdown$/.test(e.channel) && !e.message.startsWith("master ")) continue;
        first[e.channel] = e.at;
      }
      return first;
    },
  };
}
