// Redis Cluster administration over the node protocol: reading a node's view (CLUSTER NODES),
// seeding a node's identity, and the commands the control plane drives a cluster with (MEET,
// FORGET, ADDSLOTSRANGE, slot migration, failover). Nothing here decides anything; the worker's
// plan says what to do, these say how.

import type { Redis } from "ioredis";
import { connectAdmin, formatAddress, info, type AdminTarget } from "./redis-admin.js";

/** The cluster bus port: Redis's default offset from the client port. */
export const clusterBusPort = (port: number) => port + 10_000;

/** Keys MIGRATE moves per call, and how long one call may take. */
const MIGRATE_KEYS = 500;
const MIGRATE_TIMEOUT_MS = 10_000;
/** A node runs a pipeline's commands back to back and its other clients wait for all of them:
 *  heavy commands (MIGRATE, closing a slot) go this many at a time. A whole batch at once gave
 *  the cluster's clients stalls of ~100 ms during a reshard. */
const PIPELINE_CHUNK = 16;

async function inChunks<T>(items: readonly T[], run: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += PIPELINE_CHUNK) await Promise.all(items.slice(i, i + PIPELINE_CHUNK).map(run));
}

export interface ClusterPeer {
  id: string;
  host: string;
  port: number;
  flags: string[];
  primaryId?: string;
  slots: [number, number][];
}

export interface ClusterView {
  /** cluster_state from CLUSTER INFO: "ok" or "fail". */
  state: string;
  peers: ClusterPeer[];
  migrating: { slot: number; to: string }[];
  importing: { slot: number; from: string }[];
}

/** Parses CLUSTER NODES ("<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot>..."). */
export function parseClusterNodes(text: string, state = "ok"): ClusterView {
  const view: ClusterView = { state, peers: [], migrating: [], importing: [] };
  for (const line of text.split("\n")) {
    const fields = line.trim().split(" ");
    if (fields.length < 8) continue;
    const [id, address, flagText, master] = fields as [string, string, string, string];
    const hostPort = address.split("@")[0]!;
    const colon = hostPort.lastIndexOf(":");
    const flags = flagText.split(",");
    const peer: ClusterPeer = { id, host: hostPort.slice(0, colon), port: Number(hostPort.slice(colon + 1)), flags, slots: [] };
    if (master !== "-") peer.primaryId = master;
    for (const entry of fields.slice(8)) {
      const moving = /^\[(\d+)-([<>])-([0-9a-f]{40})\]$/.exec(entry);
      if (moving) {
        if (moving[2] === ">") view.migrating.push({ slot: Number(moving[1]), to: moving[3]! });
        else view.importing.push({ slot: Number(moving[1]), from: moving[3]! });
        continue;
      }
      const [a, b] = entry.split("-");
      if (a !== undefined && /^\d+$/.test(a)) peer.slots.push([Number(a), Number(b ?? a)]);
    }
    view.peers.push(peer);
  }
  return view;
}

export async function observeCluster(redis: Redis): Promise<ClusterView> {
  const [nodes, clusterInfo] = (await Promise.all([redis.call("CLUSTER", "NODES"), redis.call("CLUSTER", "INFO")])) as [string, string];
  return parseClusterNodes(nodes, /cluster_state:(\w+)/.exec(clusterInfo)?.[1] ?? "fail");
}

/** The nodes.conf a node starts with the first time: its own identity only. Redis keeps the
 *  file up to date from then on; seeding it is what makes a node's cluster id deterministic. */
export function seedNodesConf(myId: string, host: string, port: number): string {
  return `${myId} ${host}:${port}@${clusterBusPort(port)} myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n`;
}

async function withNode<T>(target: AdminTarget, run: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = await connectAdmin({ timeoutMs: 5_000, ...target });
  try {
    return await run(redis);
  } finally {
    redis.disconnect();
  }
}

/** CLUSTER MEET from `on` to each of `peers`. A handshake already under way answers with an
 *  error that means nothing: the next pass sees whether they met. */
export function meet(on: AdminTarget, peers: readonly { host: string; port: number }[]) {
  return withNode(on, async (redis) => {
    await Promise.all(peers.map((p) => redis.call("CLUSTER", "MEET", p.host, String(p.port), String(clusterBusPort(p.port))).catch(() => undefined)));
  });
}

/** CLUSTER FORGET on one node; an id it does not know (any more) is not an error. */
export function forget(on: AdminTarget, ids: readonly string[]) {
  return withNode(on, async (redis) => {
    await Promise.all(ids.map((id) => redis.call("CLUSTER", "FORGET", id).catch(() => undefined)));
  });
}

export function addSlots(on: AdminTarget, ranges: readonly [number, number][]) {
  return withNode(on, async (redis) => {
    const args = ranges.flatMap(([a, b]) => [String(a), String(b)]);
    if (args.length > 0) await redis.call("CLUSTER", "ADDSLOTSRANGE", ...args);
  });
}

export interface SlotEnd extends AdminTarget {
  /** Cluster node id. */
  id: string;
}

/**
 * Moves slots from `source` to `target` the way Redis Cluster expects, so that clients that
 * follow MOVED and ASK never fail: target IMPORTING, source MIGRATING, keys MIGRATEd in batches
 * (a client asking the source for a key already moved is sent to the target with ASK), then the
 * new owner is set on the target first, the source next, and every other primary last.
 * Idempotent: a slot the target already owns, or keys already moved, are skipped, so a move a
 * crashed worker left half done is finished by running it again.
 */
export async function moveSlots(source: SlotEnd, target: SlotEnd, others: readonly AdminTarget[], slots: readonly number[]) {
  const src = await connectAdmin({ timeoutMs: MIGRATE_TIMEOUT_MS, ...source });
  const dst = await connectAdmin({ timeoutMs: MIGRATE_TIMEOUT_MS, ...target }).catch((error) => {
    src.disconnect();
    throw error;
  });
  try {
    // "I'm already the owner" (target) and "I'm not the owner" (source) mean that half is done.
    await Promise.all(slots.map((s) => dst.call("CLUSTER", "SETSLOT", String(s), "IMPORTING", source.id).catch(() => undefined)));
    await Promise.all(slots.map((s) => src.call("CLUSTER", "SETSLOT", String(s), "MIGRATING", target.id).catch(() => undefined)));
    const auth = source.password ? ["AUTH", source.password] : [];
    // Every slot of the batch is listed, and its keys MIGRATEd (one call per slot: MIGRATE
    // refuses keys of different slots), pipelined on one connection: a few round trips per
    // batch, not a few per slot.
    let pending = [...slots];
    while (pending.length > 0) {
      const listed = await Promise.all(
        pending.map(async (slot) => ({ slot, keys: (await src.call("CLUSTER", "GETKEYSINSLOT", String(slot), String(MIGRATE_KEYS))) as string[] })),
      );
      await inChunks(
        listed.filter((l) => l.keys.length > 0),
        (l) => src.call("MIGRATE", target.host, String(target.port), "", "0", String(MIGRATE_TIMEOUT_MS), "REPLACE", ...auth, "KEYS", ...l.keys),
      );
      // A slot that listed a full page may hold more: list it again.
      pending = listed.filter((l) => l.keys.length === MIGRATE_KEYS).map((l) => l.slot);
    }
    // The new owner broadcasts a PONG to every node for each slot it closes: in chunks, so
    // that burst never holds the cluster's clients up for long.
    await inChunks(slots, (s) => dst.call("CLUSTER", "SETSLOT", String(s), "NODE", target.id));
    await Promise.all(slots.map((s) => src.call("CLUSTER", "SETSLOT", String(s), "NODE", target.id)));
  } finally {
    src.disconnect();
    dst.disconnect();
  }
  // The others learn it by gossip anyway; telling them saves clients a redirect or two.
  await Promise.all(
    others.map((o) =>
      withNode(o, (redis) => Promise.all(slots.map((s) => redis.call("CLUSTER", "SETSLOT", String(s), "NODE", target.id)))).catch(() => undefined),
    ),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Promotes a replica with CLUSTER FAILOVER: TAKEOVER when its primary is dead or fenced (no
 *  agreement needed from anyone), DEFAULT for a planned switch (the primary pauses its clients
 *  until the replica has every write, so no acknowledged write is lost). Resolves once the node
 *  reports itself primary. */
export async function clusterFailover(redis: Redis, mode: "TAKEOVER" | "DEFAULT", timeoutMs = 5_000) {
  await redis.call("CLUSTER", "FAILOVER", ...(mode === "TAKEOVER" ? ["TAKEOVER"] : []));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const role = (await info(redis, "replication")).replication?.role;
    if (role === "master") return;
    if (Date.now() > deadline)
      throw new Error(`node ${formatAddress(redis.options.host ?? "", redis.options.port ?? 0)} did not become primary within ${timeoutMs} ms`);
    await sleep(2);
  }
}
