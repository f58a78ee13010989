// What the nodes really are right now, from the driver (never from our own records alone).
import { DOWN_AFTER_MS, type ObservedNode } from "@cacheplane/core";
import type { Instance as InstanceRow, Node as NodeRow } from "@cacheplane/db";
import { runtimeFor, type WorkerContext } from "../context.js";
import { nodeSpec } from "./desired.js";
import { keyOf, nodeEngine } from "../upgrades/engines.js";
import { observedAcl } from "../acl/applied-users.js";

// Since when each node has been unresponsive without a break, as this worker saw it. Kept in
// memory: after a worker restart a hung node is simply timed again from the first look.
const unresponsiveSince = new Map<string, number>();

function unresponsiveFor(nodeId: string, liveness: string, now = Date.now()): number {
  if (liveness !== "unresponsive") {
    unresponsiveSince.delete(nodeId);
    return 0;
  }
  const since = unresponsiveSince.get(nodeId) ?? now;
  unresponsiveSince.set(nodeId, since);
  return now - since;
}

export async function observeNodes(ctx: WorkerContext, row: InstanceRow & { nodes: NodeRow[] }, config: Record<string, string>): Promise<ObservedNode[]> {
  return Promise.all(
    row.nodes.map(async (node) => {
      const seen = await runtimeFor(ctx, node.driver).observe(nodeSpec(row, node, config, ctx));
      const unresponsiveForMs = unresponsiveFor(node.id, seen.liveness);
      return {
        id: node.id,
        ordinal: node.ordinal,
        shard: node.shard,
        zone: node.zone,
        host: node.host,
        port: node.port,
        state: node.state,
        liveness: seen.liveness,
        unresponsiveForMs,
        loading: seen.loading,
        engine: keyOf(nodeEngine(row, node)),
        config: seen.config,
        bind: seen.bind,
        replication: seen.replication,
        cluster: seen.cluster,
        tls: seen.tls,
        // Read through what this worker applied (acl/applied-users.ts).
        acl: observedAcl(node.id, seen.acl?.lines),
      };
    }),
  );
}

/** A node's observed state as the API shows it: READY once it answers and is not loading;
 *  UNHEALTHY when a node that was READY stops; CREATING until its first READY. */
export function nodeState(previous: string, seen: ObservedNode): string {
  if (seen.liveness === "running" && !seen.loading) return "READY";
  // A moment without an answer is not yet unhealthy (see DOWN_AFTER_MS).
  if (seen.liveness === "unresponsive" && (seen.unresponsiveForMs ?? 0) < DOWN_AFTER_MS) return previous;
  return previous === "CREATING" ? "CREATING" : "UNHEALTHY";
}

/** Writes node states that changed (status is written only when it changes). */
export async function recordNodeStates(ctx: WorkerContext, nodes: NodeRow[], observed: ObservedNode[]) {
  await Promise.all(
    observed.map(async (seen) => {
      const node = nodes.find((n) => n.id === seen.id);
      if (!node) return;
      const state = nodeState(node.state, seen);
      if (state !== node.state) await ctx.prisma.node.updateMany({ where: { id: node.id }, data: { state } });
    }),
  );
}
