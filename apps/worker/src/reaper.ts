// Test caches expire: an instance created with a ttl is deleted once its expireTime passes.
// Runs with every resync, so an expiry missed while the worker was down is caught on start.
import { instanceName, newOperationId } from "@cacheplane/core";
import { requestDeletion } from "@cacheplane/db";
import type { WorkerContext } from "./context.js";

export async function reapExpired(ctx: WorkerContext, now = new Date()): Promise<string[]> {
  const expired = await ctx.prisma.instance.findMany({
    where: { expireTime: { lte: now }, deleteRequested: false },
    select: { uid: true, projectId: true, locationId: true, instanceId: true },
  });
  for (const row of expired) {
    await requestDeletion(ctx.prisma, {
      uid: row.uid,
      projectId: row.projectId,
      locationId: row.locationId,
      target: instanceName(row.projectId, row.locationId, row.instanceId),
      operationId: newOperationId(),
      eventType: "EXPIRED",
      reason: "The instance's ttl expired; deleting it",
    });
    ctx.log.info({ instanceUid: row.uid }, "instance expired");
    await ctx.queue.enqueue(row.uid);
  }
  return expired.map((r) => r.uid);
}
