// What the nodes really are right now, from the driver (never from our own records alone).
import type { ObservedNode } from "@cacheplane/core";
import type { Instance as InstanceRow, Node as NodeRow } from "@cacheplane/db";
import { runtimeFor, type WorkerContext } from "../context.js";
import { nodeSpec } from "./desired.js";

export async function observeNodes(
  ctx: WorkerContext,
  row: InstanceRow & { nodes: NodeRow[] },
  config: Record<string, string>,
): Promise<ObservedNode[]> {
  return Promise.all(
    row.nodes.map(async (node) => {
      const seen = await runtimeFor(ctx, node.driver).observe(nodeSpec(row, node, config, ctx.nodeHost));
      return {
        id: node.id,
        ordinal: node.ordinal,
        zone: node.zone,
        host: node.host,
        port: node.port,
        state: node.state,
        liveness: seen.liveness,
        loading: seen.loading,
        config: seen.config,
        bind: seen.bind,
        replication: seen.replication,
      };
    }),
  );
}

/** A node's observed state as the API shows it: READY once it answers and is not loading;
 *  UNHEALTHY when a node that was READY stops; CREATING until its first READY. */
export function nodeState(previous: string, seen: ObservedNode): string {
  if (seen.liveness === "running" && !seen.loading) return "READY";
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
