// The event of a node brought back after it stopped or died (crash, SIGKILL, OOM, a zone outage):
// it says what the node came back with, the way a cloud tells a customer that a replaced node
// lost its data. Decided from the directives the node was started with, not from the node: the
// driver starts it from its AOF or its last RDB snapshot when persistence is on, and a primary
// empty when persistence is off (the driver removes its stale data files, so "empty" is true).
// A replica, whatever it starts with, takes its data from its primary.
import type { Node as NodeRow } from "@cacheplane/db";
import type { NodeSpec } from "@cacheplane/runtime";
import type { WorkerContext } from "../context.js";
import type { Row } from "./step-input.js";

/** What a restarted node holds, from its directives: "from its AOF" beats the RDB snapshot
 *  (Redis loads the AOF when appendonly is on and ignores dump.rdb). */
export function restartMessage(nodeId: string, config: Record<string, string>, replica: boolean): string {
  const down = `Node ${nodeId} was down and restarted`;
  const resync = replica ? "; as a replica it then syncs from its primary" : "";
  if (config.appendonly === "yes") return `${down} with its data from its AOF${resync}`;
  if ((config.save ?? "") !== "") return `${down} with its data from its last RDB snapshot (writes after it are lost)${resync}`;
  if (replica) return `${down} as a replica: persistence is off, it syncs its data from its primary`;
  return `${down} empty: persistence is off`;
}

/** Records NODE_RESTARTED for a node started again; nothing at its first start (it is
 *  CREATING until it first answers, so there was nothing to come back with). */
export async function recordRestart(ctx: WorkerContext, row: Row, node: NodeRow, spec: NodeSpec): Promise<void> {
  if (node.state === "CREATING") return;
  const replica = spec.replicaOf !== undefined || spec.cluster?.primaryId !== undefined;
  await ctx.prisma.event.create({ data: { instanceUid: row.uid, type: "NODE_RESTARTED", message: restartMessage(node.id, spec.config, replica) } });
}
