// What the cluster scenarios share: the Cluster resource over REST, a few CLUSTER-protocol
// probes, the control plane's events and the checks the report prints. Bare clusters are in
// cluster-bare.ts, the loaded keys in cluster-keys.ts. Nothing here is timed.
import { Redis } from "ioredis";
import { call, sleep, waitOp, waitUntil, type Plane } from "../lib.js";

export const CLUSTERS = "/v1/projects/default/locations/local1/clusters";
export const NODE_TYPE = "REDIS_SHARED_CORE_NANO";

// ---- the Cluster resource ----
export interface ClusterNode {
  id: string;
  role: "PRIMARY" | "REPLICA";
  state?: string;
  host: string;
  port: number;
}
export interface ClusterShard {
  id: string;
  slots?: string[];
  nodes: ClusterNode[];
}
export interface ClusterResource {
  state: string;
  shardCount: number;
  replicaCount: number;
  discoveryEndpoints?: { address: string; port: number }[];
  shards?: ClusterShard[];
  statusMessage?: string;
}

export async function createCluster(plane: Plane, id: string, shardCount: number, replicaCount: number) {
  const res = await call(plane, "POST", `${CLUSTERS}?clusterId=${id}`, { shardCount, replicaCount, nodeType: NODE_TYPE });
  if (res.status !== 200) throw new Error(`create cluster ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function getCluster(plane: Plane, id: string): Promise<ClusterResource> {
  const res = await call(plane, "GET", `${CLUSTERS}/${id}`);
  if (res.status !== 200) throw new Error(`get cluster ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function deleteCluster(plane: Plane, id: string) {
  const res = await call(plane, "DELETE", `${CLUSTERS}/${id}`);
  if (res.status === 404) return;
  if (res.status !== 200) throw new Error(`delete cluster ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  const op = await waitOp(plane, res.body, 120_000);
  if (op.error) throw new Error(`delete cluster ${id}: ${JSON.stringify(op.error)}`);
}

/** The finished operation must have succeeded with the cluster ACTIVE. */
export function assertActive(what: string, op: any) {
  if (op.error || op.response?.state !== "ACTIVE")
    throw new Error(`${what}: ${JSON.stringify(op.error ?? { state: op.response?.state, statusMessage: op.response?.statusMessage })}`);
  return op.response as ClusterResource;
}

/** ACTIVE, as many shards as asked, each with one PRIMARY and `replicas` REPLICAs, every node
 *  READY and every shard owning slots. */
export function waitClusterSettled(plane: Plane, id: string, shards: number, replicas: number, timeoutMs = 60_000) {
  return waitUntil(
    `cluster ${id} ACTIVE with ${shards} shards of ${1 + replicas} READY nodes`,
    async () => {
      const c = await getCluster(plane, id);
      const ok =
        c.state === "ACTIVE" &&
        c.shards?.length === shards &&
        c.shards.every(
          (s) =>
            (s.slots?.length ?? 0) > 0 &&
            s.nodes.length === 1 + replicas &&
            s.nodes.filter((n) => n.role === "PRIMARY").length === 1 &&
            s.nodes.every((n) => n.state === "READY"),
        );
      return ok ? c : false;
    },
    timeoutMs,
    50,
  );
}

/** Every node of a cluster resource, as host:port targets. */
export const nodesOf = (c: ClusterResource) => (c.shards ?? []).flatMap((s) => s.nodes.map((n) => ({ host: n.host, port: n.port })));

/** Whether slot is in one of a shard's ranges ("0-5461", "7"). */
export function ownsSlot(ranges: readonly string[], slot: number) {
  return ranges.some((r) => {
    const [a, b] = r.split("-").map(Number);
    return slot >= a! && slot <= (b ?? a)!;
  });
}

// ---- CLUSTER-protocol probes ----
/** A short-lived admin connection (no retries). */
export async function withNode<T>(target: { host: string; port: number }, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({
    ...target,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
    commandTimeout: 2_000,
  });
  r.on("error", () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

/** Long-lived admin connections for polling (each reconnects on its own). */
export function adminClients(targets: readonly { host: string; port: number }[]) {
  const clients = targets.map((t) => {
    const r = new Redis({ ...t, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => 5, connectTimeout: 1_000, commandTimeout: 2_000 });
    r.on("error", () => undefined);
    return r;
  });
  const close = () => {
    for (const c of clients) c.disconnect();
  };
  return { clients, close };
}

/** Until every node reports cluster_state:ok (CLUSTER INFO), polling every `everyMs`. */
export async function waitClusterStateOk(clients: readonly Redis[], timeoutMs: number, everyMs = 2) {
  const deadline = performance.now() + timeoutMs;
  const pending = new Set(clients);
  while (pending.size > 0) {
    await Promise.all(
      [...pending].map(async (c) => {
        const info = String(await c.call("CLUSTER", "INFO").catch(() => ""));
        if (info.includes("cluster_state:ok")) pending.delete(c);
      }),
    );
    if (pending.size === 0) return;
    if (performance.now() > deadline) throw new Error(`${pending.size} nodes not cluster_state:ok after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

export interface PeerLine {
  id: string;
  address: string;
  flags: string[];
  master: string;
  slots: string[];
}

/** CLUSTER NODES, parsed. */
export function parseNodes(text: string): PeerLine[] {
  return text
    .split("\n")
    .map((l) => l.trim().split(" "))
    .filter((f) => f.length >= 8)
    .map((f) => ({ id: f[0]!, address: f[1]!.split("@")[0]!, flags: f[2]!.split(","), master: f[3]!, slots: f.slice(8) }));
}

/** A hash tag whose slot lies in [from, to], so every key "{tag}:n" lands in that range. */
export async function tagInSlots(target: { host: string; port: number }, from: number, to: number): Promise<{ tag: string; slot: number }> {
  return withNode(target, async (r) => {
    for (let i = 0; i < 100_000; i++) {
      const slot = Number(await r.call("CLUSTER", "KEYSLOT", `{bench${i}}`));
      if (slot >= from && slot <= to) return { tag: `bench${i}`, slot };
    }
    throw new Error(`no tag with a slot in ${from}-${to}`);
  });
}

// ---- what the control plane recorded, and what the report checks ----
/** A figure the report prints, and fails the run on when it must be 0 and is not. */
export interface Check {
  label: string;
  value: number;
  mustBeZero: boolean;
  detail?: string;
}

/** A cluster's events since `since` (epoch ms): first and last time of each type relative to
 *  it, how many of each, and what failed. Needs the in-process plane (its database). */
export async function clusterEvents(plane: Plane, clusterId: string, since: number) {
  const out = { first: {} as Record<string, number>, last: {} as Record<string, number>, count: {} as Record<string, number>, failures: [] as string[] };
  if (!plane.cp) return out;
  const rows = await plane.cp.prisma.event.findMany({
    where: { instance: { instanceId: clusterId, kind: "CLUSTER" }, time: { gte: new Date(since) } },
    orderBy: { time: "asc" },
  });
  for (const e of rows) {
    const t = e.time.getTime() - since;
    out.first[e.type] ??= t;
    out.last[e.type] = t;
    out.count[e.type] = (out.count[e.type] ?? 0) + 1;
    if (e.type === "STEP_FAILED" || e.type === "FAILED") out.failures.push(`${e.type} +${t} ms: ${e.message.slice(0, 160)}`);
  }
  return out;
}
