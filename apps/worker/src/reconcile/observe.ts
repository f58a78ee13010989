// What the nodes really are right now, from the driver (never from our own records alone).
import type { ObservedNode } from "@cacheplane/core";
import type { Instance as InstanceRow, Node as NodeRow } from "@cacheplane/db";
import type { WorkerContext } from "../context.js";
import { nodeSpec } from "./desired.js";

export async function observeNodes(
  ctx: WorkerContext,
  row: InstanceRow & { nodes: NodeRow[] },
  config: Record<string, string>,
): Promise<ObservedNode[]> {
  return Promise.all(
    row.nodes.map(async (node) => {
      const seen = await ctx.runtime.observe(nodeSpec(row, node, config));
      return {
        id: node.id,
        ordinal: node.ordinal,
        zone: node.zone,
        liveness: seen.liveness,
        loading: seen.loading,
        config: seen.config,
      };
    }),
  );
}
