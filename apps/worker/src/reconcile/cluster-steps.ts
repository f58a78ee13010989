// The cluster-only plan steps as I/O: membership, slot assignment and slot migration. Each is
// idempotent (the runtime's cluster commands skip what is already done), so a step run twice,
// or after a crash half way, converges to the same cluster.
import { clusterNodeId, type Step } from "@cacheplane/core";
import type { Node as NodeRow } from "@cacheplane/db";
import { addSlots, forget, meet, moveSlots, type AdminTarget } from "@cacheplane/runtime";
import type { WorkerContext } from "../context.js";
import { shardPrimary } from "./desired-cluster.js";
import type { Row, StepInput } from "./step-input.js";
import { adminTls } from "../tls/deployment-tls.js";

type ClusterStep = Extract<Step, { kind: "meetNodes" | "forgetNodes" | "assignSlots" | "moveSlots" }>;

const target = (node: NodeRow, config: Record<string, string>, row: Row): AdminTarget => ({
  host: node.host,
  port: node.port,
  password: config.requirepass || undefined,
  ...adminTls(row),
});

function primaryOf(row: Row, shard: number): NodeRow {
  const id = shardPrimary(row, shard);
  const node = row.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`shard ${shard} has no recorded primary`);
  return node;
}

export async function runClusterStep(ctx: WorkerContext, step: ClusterStep, { row, config }: StepInput): Promise<void> {
  switch (step.kind) {
    case "meetNodes": {
      const byNode = new Map<string, { host: string; port: number }[]>();
      for (const pair of step.pairs) (byNode.get(pair.nodeId) ?? byNode.set(pair.nodeId, []).get(pair.nodeId)!).push(pair);
      await Promise.all(
        [...byNode].map(([id, peers]) => {
          const node = row.nodes.find((n) => n.id === id);
          return node ? meet(target(node, config, row), peers) : undefined;
        }),
      );
      return;
    }
    case "forgetNodes":
      await Promise.all(row.nodes.map((node) => forget(target(node, config, row), step.clusterIds).catch(() => undefined)));
      await ctx.prisma.event.create({
        data: { instanceUid: row.uid, type: "NODES_FORGOTTEN", message: `Cluster forgot ${step.clusterIds.length} removed node(s)` },
      });
      return;
    case "assignSlots":
      await Promise.all(step.assignments.map((a) => addSlots(target(primaryOf(row, a.shard), config, row), a.ranges)));
      await ctx.prisma.event.create({
        data: {
          instanceUid: row.uid,
          type: "SLOTS_ASSIGNED",
          message: step.assignments.map((a) => `shard ${a.shard}: ${a.ranges.map(([x, y]) => `${x}-${y}`).join(",")}`).join("; "),
        },
      });
      return;
    case "moveSlots": {
      const from = primaryOf(row, step.from);
      const to = primaryOf(row, step.to);
      const others = [...new Set(row.nodes.map((n) => n.shard))]
        .filter((s) => s !== step.from && s !== step.to)
        .map((s) => row.nodes.find((n) => n.id === shardPrimary(row, s)))
        .filter((n): n is NodeRow => n !== undefined)
        .map((n) => target(n, config, row));
      await moveSlots(
        { ...target(from, config, row), id: clusterNodeId(from.id) },
        { ...target(to, config, row), id: clusterNodeId(to.id) },
        others,
        step.slots,
      );
      await ctx.prisma.event.create({
        data: { instanceUid: row.uid, type: "SLOTS_MOVED", message: `${step.slots.length} slots moved from shard ${step.from} to shard ${step.to}` },
      });
      return;
    }
  }
}
