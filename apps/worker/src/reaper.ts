// Test caches expire: an instance created with a ttl is deleted once its expireTime passes.
// Runs with every resync, so an expiry missed while the worker was down is caught on start.
import type { WorkerContext } from "./context.js";
import { deleteForReason } from "./reconcile/completion.js";

export async function reapExpired(ctx: WorkerContext, now = new Date()): Promise<string[]> {
  const expired = await ctx.prisma.instance.findMany({
    where: { expireTime: { lte: now }, deleteRequested: false },
    select: { uid: true, kind: true, projectId: true, locationId: true, instanceId: true },
  });
  for (const row of expired) {
    await deleteForReason(ctx, row, "EXPIRED", `The ${row.kind === "CLUSTER" ? "cluster" : "instance"}'s ttl expired; deleting it`);
    ctx.log.info({ instanceUid: row.uid }, "instance expired");
    await ctx.queue.enqueue(row.uid);
  }
  return expired.map((r) => r.uid);
}
