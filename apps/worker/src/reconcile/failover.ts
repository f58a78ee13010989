// Promoting a replica. Unplanned (the primary died or hangs): fence the old primary so it can
// never serve the endpoint again, record the new primary, promote it at once; the following
// passes repoint the other replicas and bring the old primary back as a replica.
// Planned (`:failover`): writes on the primary are paused (they wait, they are not refused),
// the replica catches up to the primary's offset, roles swap and the endpoint address moves,
// then writes resume on the new primary. Redis's own FAILOVER command does the same but waits
// for the replica's once-a-second acknowledgement, which alone costs ~0.5 s of write pause.
import { transition, type InstanceState } from "@cacheplane/core";
import type { Node as NodeRow } from "@cacheplane/db";
import { clusterFailover, connectAdmin, info } from "@cacheplane/runtime";
import { runtimeFor, type WorkerContext } from "../context.js";
import { failPendingFailover } from "./completion.js";
import { nodeSpec } from "./desired.js";
import type { StepInput } from "./step-input.js";
import { isCluster } from "./desired-cluster.js";
import { adminTls } from "../tls/deployment-tls.js";

/** Writes are paused for at most this long during a planned failover; the replica gets half of
 *  it to catch up before LIMITED_DATA_LOSS gives up (FORCE_DATA_LOSS goes ahead). */
const SWITCHOVER_TIMEOUT_MS = 2_000;

async function recordPrimary(ctx: WorkerContext, { row, lease }: StepInput, from: NodeRow, to: NodeRow, how: string, planned = false) {
  const done = await ctx.prisma.$transaction(async (tx) => {
    const moved = await tx.instance.updateMany({
      where: { uid: row.uid, leaseEpoch: lease.epoch },
      data: {
        // A cluster records each shard's primary on its nodes' roles only.
        ...(isCluster(row) ? { failoverShard: null } : { primaryNodeId: to.id }),
        failoverMode: null,
        // A switchover inside an upgrade is part of that upgrade: the state stays UPDATING/MAINTENANCE.
        ...(planned ? {} : { state: transition(row.state as InstanceState, "failingOver") }),
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
  await runtimeFor(ctx, from.driver).stop(nodeSpec(row, from, config, ctx));
  await recordPrimary(ctx, input, from, to, "Automatic failover");
  await runtimeFor(ctx, to.driver).configure(nodeSpec(row, to, config, ctx, to.id));
}

export async function switchover(
  ctx: WorkerContext,
  input: StepInput,
  from: NodeRow,
  to: NodeRow,
  mode: "LIMITED_DATA_LOSS" | "FORCE_DATA_LOSS",
  purpose?: "upgrade",
) {
  const { row, config, lease } = input;
  const password = config.requirepass || undefined;
  const oldPrimary = await connectAdmin({ host: from.host, port: from.port, password, ...adminTls(row) });
  const target = await connectAdmin({ host: to.host, port: to.port, password, ...adminTls(row) }).catch((error) => {
    oldPrimary.disconnect();
    throw error;
  });
  try {
    // Writes wait (they are not refused) while the roles change; bounded, so a worker that dies
    // here cannot hold writes for longer than this.
    await oldPrimary.call("CLIENT", "PAUSE", String(SWITCHOVER_TIMEOUT_MS), "WRITE");
    // The target has every acknowledged write once its processed offset reaches the primary's.
    const deadline = Date.now() + SWITCHOVER_TIMEOUT_MS / 2;
    for (;;) {
      const primaryOffset = Number((await info(oldPrimary, "replication")).replication?.master_repl_offset ?? 0);
      const targetOffset = Number((await info(target, "replication")).replication?.slave_repl_offset ?? -1);
      if (targetOffset >= primaryOffset) break;
      if (Date.now() > deadline) {
        if (mode === "FORCE_DATA_LOSS") break;
        await oldPrimary.call("CLIENT", "UNPAUSE").catch(() => undefined);
        // An upgrade has no failover request to refuse: it tries again on the next pass.
        if (purpose === "upgrade") throw new Error(`the upgraded replica ${to.id} did not catch up within ${SWITCHOVER_TIMEOUT_MS / 2} ms`);
        return failPendingFailover(
          ctx,
          row,
          lease,
          `the replica did not catch up within ${SWITCHOVER_TIMEOUT_MS / 2} ms; use FORCE_DATA_LOSS to fail over anyway`,
        );
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    // Recorded while writes are paused: from here a crash is repaired toward the new primary.
    await recordPrimary(
      ctx,
      input,
      from,
      to,
      purpose === "upgrade" ? "Planned switchover for the upgrade" : `Manual failover (${mode})`,
      purpose === "upgrade",
    );
    if (isCluster(row)) {
      // The replica has every write: it takes the slots over with no election. The paused
      // writes must not run on the old primary, so they wait until it knows it is a replica
      // (gossip tells it within milliseconds); then they are answered with MOVED.
      await clusterFailover(target, "TAKEOVER");
      const deadline = Date.now() + SWITCHOVER_TIMEOUT_MS / 2;
      while ((await info(oldPrimary, "replication")).replication?.role !== "slave" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1));
      }
    } else await target.call("REPLICAOF", "NO", "ONE");
    // The old primary gives the endpoint up and follows; then the new one takes it.
    await runtimeFor(ctx, from.driver).configure(nodeSpec(row, from, config, ctx, to.id));
    await runtimeFor(ctx, to.driver).configure(nodeSpec(row, to, config, ctx, to.id));
    // Writers still connected to the old primary (directly) would only get READONLY now.
    await oldPrimary.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").catch(() => undefined);
  } finally {
    await oldPrimary.call("CLIENT", "UNPAUSE").catch(() => undefined);
    oldPrimary.disconnect();
    target.disconnect();
  }
}
