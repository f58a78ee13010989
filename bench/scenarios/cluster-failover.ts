// A shard's primary dies: SIGKILL it while a writer on its own thread SETs keys of that shard
// (one hash tag, so one slot) about every millisecond through a plain ioredis Cluster, and time
// from the kill to the first acknowledged write sent after it. Ours: a 3×1 cluster, whose
// nodes never elect (cluster-replica-no-failover yes): the control plane fails the shard over.
// Bare: a `redis-cli --cluster create` 3×1 cluster failing over by itself, once with Redis's
// default cluster-node-timeout (15000) and once with 1000. Each side keeps its cluster across
// kills; after each one, untimed, the killed node is restarted (bare) or the control plane
// brings it back (ours) and the run waits until the cluster is whole again. The writer always
// targets the middle shard (slots 5462-10922), so the discovery endpoint's shard is not the one
// killed.
import { Redis } from "ioredis";
import { median, type LatencyScenario, type Result, type Spec } from "../harness.js";
import { now, onCleanup, randomTag, tempDir, waitOp, waitUntil, type Plane } from "../lib.js";
import { clusterWritesFlow, startClusterClient, type ClusterClient } from "./cluster-client.js";
import { assertActive, clusterEvents, createCluster, deleteCluster, ownsSlot, parseNodes, tagInSlots, waitClusterSettled, withNode } from "./cluster-lib.js";
import { bareClusterHealthy, bareOwnerOf, redisCliCreate, startBareNodes } from "./cluster-bare.js";

const SHARDS = 3;
const REPLICAS = 1;
/** The middle shard's slots as both sides assign them for 3 shards. */
const MIDDLE = { from: 5462, to: 10922 };
const TITLE = "where a cluster shard failover goes: median ms after the kill";

const medians = (rows: Record<string, number>[]) => {
  const phases = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(phases.map((p) => [p, median(rows.map((r) => r[p]).filter((v): v is number => v !== undefined))]));
};

/** When `replica` (watched from just after the kill) first reports role:master, or undefined
 *  if it has not within `timeoutMs`. */
async function promotedAt(replica: { host: string; port: number }, timeoutMs: number): Promise<number | undefined> {
  const r = new Redis({ ...replica, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => 5, connectTimeout: 500, commandTimeout: 500 });
  r.on("error", () => undefined);
  const deadline = now() + timeoutMs;
  try {
    while (now() < deadline) {
      const info = String(await r.info("replication").catch(() => ""));
      if (/role:master/.test(info)) return now();
      await new Promise((res) => setTimeout(res, 2));
    }
    return undefined;
  } finally {
    r.disconnect();
  }
}

/** Acknowledged writes gone at the end (asynchronous replication: informational). */
async function finishWriter(writer: ClusterClient, result: Result) {
  const stopped = await writer.stop().catch(() => undefined);
  const all = await writer.verify(0).catch(() => undefined);
  result.extra = {
    ...result.extra,
    lostWrites: { lost: all?.missing ?? 0, acked: all?.checked ?? 0, examples: all?.examples ?? [], mustBeZero: false, writerErrors: stopped?.errors },
  };
  await writer.close();
}

export async function bareClusterFailover(spec: Spec, runs: number, nodeTimeoutMs: number): Promise<LatencyScenario> {
  const dir = await tempDir(`cacheplane-bench-cluster-failover-${nodeTimeoutMs}-`);
  const nodes = await startBareNodes(dir, SHARDS * (1 + REPLICAS), { nodeTimeoutMs });
  await redisCliCreate(nodes, REPLICAS);
  const healthy = () => bareClusterHealthy(nodes, SHARDS, REPLICAS);
  await waitUntil("the bare cluster to be healthy", healthy, 60_000, 50);
  const { tag, slot } = await tagInSlots(nodes[0]!, MIDDLE.from, MIDDLE.to);
  const writer = startClusterClient(nodes[0]!, { mode: "writer", tag });
  await clusterWritesFlow(writer);
  const timelines: Record<string, number>[] = [];
  return {
    name: spec.name,
    finish: (result) => finishWriter(writer, result),
    opts: {
      runs,
      warmup: 0,
      baseline: spec.baseline,
      target: spec.target,
      run: async () => {
        await waitUntil("the bare cluster to heal", healthy, 120_000, 50);
        await clusterWritesFlow(writer);
        const victim = await bareOwnerOf(nodes, slot);
        const victimId = await withNode(victim, async (r) => String(await r.call("CLUSTER", "MYID")));
        const replicaAddr = await withNode(
          victim,
          async (r) => parseNodes(String(await r.call("CLUSTER", "NODES"))).find((p) => p.master === victimId)?.address,
        );
        const replica = nodes.find((n) => `${n.host}:${n.port}` === replicaAddr);
        if (!replica) throw new Error(`no replica of ${victim.host}:${victim.port} (${replicaAddr})`);
        victim.child!.kill("SIGKILL");
        const t0 = now();
        const promoted = promotedAt(replica, nodeTimeoutMs + 30_000);
        const { at } = await writer.firstAckAfter(t0, nodeTimeoutMs + 30_000);
        const tPromoted = await promoted;
        timelines.push({ ...(tPromoted !== undefined ? { "replica reports role:master": tPromoted - t0 } : {}), "first write": at - t0 });
        // Not timed: the killed node comes back (as a replica of the new primary, by itself).
        victim.start();
        return at - t0;
      },
      extra: () => ({ timelineTitle: TITLE, timeline: medians(timelines) }),
    },
  };
}

export async function clusterFailover(plane: Plane, spec: Spec, runs: number): Promise<LatencyScenario> {
  const cp = plane.cp;
  if (!cp) throw new Error("the cluster failover needs the in-process control plane (to kill a node)");
  const { killNode } = await import("../../test/support/nodes.js");
  const id = `bench-cf-${randomTag()}`;
  onCleanup(() => deleteCluster(plane, id));
  const created = assertActive(`create cluster ${id}`, await waitOp(plane, await createCluster(plane, id, SHARDS, REPLICAS), 120_000));
  const seed = { host: created.discoveryEndpoints![0]!.address, port: created.discoveryEndpoints![0]!.port };
  const settled = () => waitClusterSettled(plane, id, SHARDS, REPLICAS, 120_000);
  await settled();
  const { tag, slot } = await tagInSlots(seed, MIDDLE.from, MIDDLE.to);
  const writer = startClusterClient(seed, { mode: "writer", tag });
  await clusterWritesFlow(writer);
  const timelines: Record<string, number>[] = [];
  const notes: string[] = [];
  return {
    name: spec.name,
    finish: (result) => finishWriter(writer, result),
    opts: {
      runs,
      warmup: 0,
      baseline: spec.baseline,
      target: spec.target,
      run: async (i) => {
        const before = await settled();
        await clusterWritesFlow(writer);
        const shard = before.shards!.find((s) => ownsSlot(s.slots ?? [], slot));
        const primary = shard?.nodes.find((n) => n.role === "PRIMARY");
        const replica = shard?.nodes.find((n) => n.role === "REPLICA");
        if (!shard || !primary || !replica) throw new Error(`no shard with a primary and a replica owns slot ${slot}`);
        const wall0 = Date.now();
        await killNode(cp, primary.id);
        const t0 = now();
        const promoted = promotedAt(replica, 30_000);
        const { at } = await writer.firstAckAfter(t0, 60_000);
        const tPromoted = await promoted;
        // Not timed: the control plane brings the killed node back; where the time went.
        const after = await settled();
        const newPrimary = after.shards!.find((s) => s.id === shard.id)?.nodes.find((n) => n.role === "PRIMARY");
        if (newPrimary?.id === primary.id) throw new Error(`the killed primary ${primary.id} is primary again: no failover happened`);
        const ev = await clusterEvents(plane, id, wall0);
        const shift = wall0 - t0; // event times are relative to wall0; the kill was at t0
        timelines.push({
          ...Object.fromEntries(Object.entries(ev.first).map(([type, t]) => [`${type} event`, t + shift])),
          ...(tPromoted !== undefined ? { "replica reports role:master": tPromoted - t0 } : {}),
          "first write": at - t0,
        });
        const failed = ev.failures.length ? `; ${ev.failures.join("; ")}` : "";
        notes.push(
          `kill ${i}: shard ${shard.id}, node ${primary.id.split("-").pop()} killed, replica primary after ${tPromoted === undefined ? "?" : (tPromoted - t0).toFixed(0)} ms, first write after ${(at - t0).toFixed(0)} ms${failed}`,
        );
        return at - t0;
      },
      extra: () => ({ timelineTitle: TITLE, timeline: medians(timelines), notes }),
    },
  };
}
