// Bare Redis Cluster, the baselines: redis-server processes with cluster mode on, started by
// the bench on loopback, and clusters made of them with `redis-cli --cluster` as people do.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HOST, REDIS_SERVER, benchPort, isFree, onCleanup, run, stopChild, waitPong } from "../lib.js";
import { parseNodes, withNode } from "./cluster-lib.js";

/** A client port in the bench's range whose cluster bus port (+10000) is free too. */
async function clusterPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await benchPort();
    if (await isFree(HOST, port + 10_000)) return port;
  }
  throw new Error("no bench port with a free cluster bus port");
}

export interface BareNode {
  host: string;
  port: number;
  child?: ChildProcess;
  start(): void;
  kill(): Promise<void>;
}

/**
 * `count` bare redis-server nodes with cluster mode on (Redis's defaults otherwise, except what
 * cacheplane also turns off: persistence, the diskless-sync delay), each with its own config
 * file and nodes.conf under `dir`, so a killed one restarts as the node it was. Ports, dirs and
 * files only (not timed); `startAll` spawns them. Killed at the end of the scope (or the bench).
 */
export async function prepareBareNodes(dir: string, count: number, opts: { nodeTimeoutMs?: number } = {}): Promise<BareNode[]> {
  const nodes: BareNode[] = [];
  for (let i = 0; i < count; i++) {
    const port = await clusterPort();
    const nodeDir = join(dir, `node-${port}`);
    await mkdir(nodeDir, { recursive: true });
    const conf = join(nodeDir, "redis.conf");
    const lines = [
      `port ${port}`,
      `bind ${HOST}`,
      `dir ${nodeDir}`,
      "cluster-enabled yes",
      "cluster-config-file nodes.conf",
      `save ""`,
      "appendonly no",
      "repl-diskless-sync-delay 0",
    ];
    if (opts.nodeTimeoutMs !== undefined) lines.push(`cluster-node-timeout ${opts.nodeTimeoutMs}`);
    await writeFile(conf, `${lines.join("\n")}\n`);
    const node: BareNode = {
      host: HOST,
      port,
      start() {
        node.child = spawn(REDIS_SERVER, [conf], { stdio: "ignore", cwd: nodeDir });
      },
      async kill() {
        if (node.child) await stopChild(node.child, "SIGKILL", 2_000);
      },
    };
    onCleanup(() => node.kill());
    nodes.push(node);
  }
  return nodes;
}

/** Spawns every node at once; resolves when each answers PING (polled every 1 ms). */
export async function startAll(nodes: readonly BareNode[]) {
  for (const n of nodes) n.start();
  await Promise.all(nodes.map((n) => waitPong(HOST, n.port, 1, 5_000)));
}

export async function startBareNodes(dir: string, count: number, opts: { nodeTimeoutMs?: number } = {}): Promise<BareNode[]> {
  const nodes = await prepareBareNodes(dir, count, opts);
  await startAll(nodes);
  return nodes;
}

export async function stopBareNodes(nodes: readonly BareNode[], dir: string) {
  await Promise.all(nodes.map((n) => n.kill()));
  await rm(dir, { recursive: true, force: true });
}

const addr = (n: { host: string; port: number }) => `${n.host}:${n.port}`;

/** `redis-cli --cluster create … --cluster-replicas r --cluster-yes` (returns when the tool does). */
export const redisCliCreate = (nodes: readonly BareNode[], replicas: number) =>
  run("redis-cli", ["--cluster", "create", ...nodes.map(addr), "--cluster-replicas", String(replicas), "--cluster-yes"], 60_000);

export const redisCliAddNode = (node: BareNode, existing: BareNode) => run("redis-cli", ["--cluster", "add-node", addr(node), addr(existing)], 60_000);

/** `redis-cli --cluster rebalance … --cluster-use-empty-masters`: exit code and what it printed
 *  (redis-cli reports its errors on stdout). */
export const redisCliRebalance = (existing: BareNode) =>
  runCapture("redis-cli", ["--cluster", "rebalance", addr(existing), "--cluster-use-empty-masters"], 600_000);

/** Runs a command to completion (bounded) and resolves with its exit code and output, never
 *  rejecting on a non-zero exit. */
export function runCapture(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      // eslint-disable-next-line no-control-regex
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips redis-cli's colour escapes
      resolve({ code, out: out.replace(/\x1b\[[0-9;]*m/g, "") });
    });
  });
}

export const redisCliFix = (existing: BareNode) => run("redis-cli", ["--cluster", "fix", addr(existing), "--cluster-yes"], 600_000);

/** Healthy bare cluster: every node answers cluster_state:ok and sees `masters` primaries with
 *  slots and `replicas` per primary, none failing, every replica's link up. */
export async function bareClusterHealthy(nodes: readonly BareNode[], masters: number, replicas: number): Promise<boolean> {
  for (const n of nodes) {
    const ok = await withNode(n, async (r) => {
      if (!String(await r.call("CLUSTER", "INFO")).includes("cluster_state:ok")) return false;
      const peers = parseNodes(String(await r.call("CLUSTER", "NODES")));
      if (peers.some((p) => p.flags.some((f) => f === "fail" || f === "fail?" || f === "handshake" || f === "noaddr"))) return false;
      const primaries = peers.filter((p) => p.flags.includes("master") && p.slots.length > 0);
      if (primaries.length !== masters) return false;
      if (primaries.some((p) => peers.filter((q) => q.master === p.id).length !== replicas)) return false;
      const info = String(await r.info("replication"));
      if (/role:slave/.test(info) && !/master_link_status:up/.test(info)) return false;
      return true;
    }).catch(() => false);
    if (!ok) return false;
  }
  return true;
}

/** The bare node currently serving `slot` as primary (asked of any live node). */
export async function bareOwnerOf(nodes: readonly BareNode[], slot: number): Promise<BareNode> {
  for (const n of nodes) {
    const owner = await withNode(n, async (r) => {
      const shards = (await r.call("CLUSTER", "SLOTS")) as [number, number, [string, number, string]][];
      const hit = shards.find(([a, b]) => slot >= a && slot <= b);
      return hit ? { host: hit[2][0], port: Number(hit[2][1]) } : undefined;
    }).catch(() => undefined);
    const node = owner && nodes.find((m) => m.port === owner.port);
    if (node) return node;
  }
  throw new Error(`no live node knows who serves slot ${slot}`);
}
