// Promoting a replica. Unplanned (the primary died or hangs): fence the old primary so it can
// never serve the endpoint again, record the new primary, promote it at once; the following
// passes repoint the other replicas and bring the old primary back as a replica.
// Planned (`:failover`): Redis's own FAILOVER command pauses writes on the primary, waits for
// the replica to have every one of them, and swaps roles; then the endpoint address moves and
// clients still connected to the old primary are disconnected so they reconnect through it.
import { transition, type InstanceState } from "@cacheplane/core";
import type { Node as NodeRow } from "@cacheplane/db";
import { connectAdmin, info } from "@cacheplane/runtime";
import { runtimeFor, type WorkerContext } from "../context.js";
import { failPendingFailover } from "./completion.js";
import { nodeSpec } from "./desired.js";
import type { StepInput } from "./steps.js";

/** How long a planned failover waits for the replica to catch up before giving up (or, with
 *  FORCE_DATA_LOSS, going ahead). Writes are paused for at most this long. */
const SWITCHOVER_TIMEOUT_MS = 2_000;

async function recordPrimary(ctx: WorkerContext, { row, lease }: StepInput, from: NodeRow, to: NodeRow, how: string) {
  const done = await ctx.prisma.$transaction(async (tx) => {
    const moved = await tx.instance.updateMany({
      where: { uid: row.uid, leaseEpoch: lease.epoch },
      data: {
        primaryNodeId: to.id,
        failoverMode: null,
        state: transition(row.state as InstanceState, "failingOver"),
        statusMessage: `${how}: ${from.id} -> ${to.id}`,
      },
    });
    if (moved.count === 0) return false;
    await tx.node.updateMany({ where: { id: to.id }, data: { role: "PRIMARY" } });
    await tx.node.updateMany({ where: { id: from.id }, data: { role: "REPLICA" } });
    await tx.event.create({ data: { instanceUid: row.uid, type: "FAILOVER", message: `${how}: primary ${from.id} (${from.zone}) -> ${to.id} (${to.zone})` } });
    return true;
  });
  if (!done) throw new Error("lost the instance lease during failover");
}

export async function failover(ctx: WorkerContext, input: StepInput, from: NodeRow, to: NodeRow) {
  const { row, config } = input;
  // Fence first: a hung primary still holds the endpoint address and would take writes back.
  await runtimeFor(ctx, from.driver).stop(nodeSpec(row, from, config, ctx.nodeHost));
  await recordPrimary(ctx, input, from, to, "Automatic failover");
  await runtimeFor(ctx, to.driver).configure(nodeSpec(row, to, config, ctx.nodeHost, to.id));
}

export async function switchover(ctx: WorkerContext, input: StepInput, from: NodeRow, to: NodeRow, mode: "LIMITED_DATA_LOSS" | "FORCE_DATA_LOSS") {
  const { row, config, lease } = input;
  const admin = await connectAdmin({ host: from.host, port: from.port, password: config.requirepass || undefined });
  try {
    const args = ["TO", to.host, String(to.port), "TIMEOUT", String(SWITCHOVER_TIMEOUT_MS), ...(mode === "FORCE_DATA_LOSS" ? ["FORCE"] : [])];
    await admin.call("FAILOVER", ...args);
    const deadline = Date.now() + SWITCHOVER_TIMEOUT_MS + 3_000;
    for (;;) {
      const replication = (await info(admin, "replication")).replication ?? {};
      if (replication.role === "slave") break;
      if (replication.master_failover_state === "no-failover") {
        // Redis aborted: the replica did not catch up in time, and LIMITED_DATA_LOSS forbids
        // going ahead. Nothing changed; writes resume on the same primary.
        return failPendingFailover(ctx, row, lease, `the replica did not catch up within ${SWITCHOVER_TIMEOUT_MS} ms; use FORCE_DATA_LOSS to fail over anyway`);
      }
      if (Date.now() > deadline) throw new Error("FAILOVER did not finish in time");
      await new Promise((r) => setTimeout(r, 2));
    }
    // Roles are swapped. Move the endpoint: the old primary gives it up, the new one takes it.
    await runtimeFor(ctx, from.driver).configure(nodeSpec(row, from, config, ctx.nodeHost, to.id));
    await recordPrimary(ctx, input, from, to, `Manual failover (${mode})`);
    await runtimeFor(ctx, to.driver).configure(nodeSpec(row, to, config, ctx.nodeHost, to.id));
    // Connections still open to the old primary would only get READONLY now.
    await admin.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").catch(() => undefined);
  } finally {
    admin.disconnect();
  }
}
