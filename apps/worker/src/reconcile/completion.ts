// Writing what reconcile found: progress on pending Operations, READY with the Instance as
// the Operations' response, and the end of a deletion. Writes are fenced by the lease epoch
// and by the generation that was converged, and happen only when something changed.
import { clusterName, clusterView, instanceName, instanceView, newOperationId, transition, type CaCertRecord, type InstanceState } from "@cacheplane/core";
import { requestDeletion, type Instance as InstanceRow, type Node as NodeRow, type Prisma } from "@cacheplane/db";
import type { WorkerContext } from "../context.js";
import type { Lease } from "./lease.js";
import { isCluster } from "./desired-cluster.js";
import { isTls } from "../tls/deployment-tls.js";
import { copyTargetUids } from "../backups/pending.js";

const INSTANCE_TYPE = "type.googleapis.com/google.cloud.redis.v1.Instance";
const CLUSTER_TYPE = "type.googleapis.com/google.cloud.redis.cluster.v1.Cluster";

/** The resource an Operation or event names: an instance, or a cluster. */
export const resourceName = (row: Pick<InstanceRow, "kind" | "projectId" | "locationId" | "instanceId">) =>
  (isCluster(row) ? clusterName : instanceName)(row.projectId, row.locationId, row.instanceId);

/** The resource as an Operation's response carries it. */
function responseOf(row: InstanceRow & { nodes: NodeRow[] }, serverCas?: CaCertRecord[]) {
  const record = { ...row, spec: row.spec as Record<string, unknown>, serverCas };
  return isCluster(row) ? { "@type": CLUSTER_TYPE, ...clusterView(record) } : { "@type": INSTANCE_TYPE, ...instanceView(record) };
}
const EMPTY_TYPE = "type.googleapis.com/google.protobuf.Empty";

type Row = InstanceRow & { nodes: NodeRow[] };

export async function recordProgress(ctx: WorkerContext, row: Row, detail: string, lease: Lease, repairing: boolean) {
  await ctx.prisma.operation.updateMany({
    where: { instanceUid: row.uid, done: false, NOT: { statusDetail: detail } },
    data: { statusDetail: detail },
  });
  // A READY instance that needs work again lost something: it is repairing. (Waiting alone,
  // on a node that is briefly slow, is not a repair.)
  const state = row.state as InstanceState;
  if (repairing && state === "READY" && row.observedGeneration === row.generation) {
    const next = transition(state, "nodeLost");
    const moved = await ctx.prisma.instance.updateMany({
      where: { uid: row.uid, leaseEpoch: lease.epoch, state: "READY" },
      data: { state: next, statusMessage: detail },
    });
    if (moved.count > 0) {
      await ctx.prisma.event.create({ data: { instanceUid: row.uid, type: "REPAIRING", message: detail } });
    }
  }
}

/** Returns false when the instance changed meanwhile (another generation): plan again. */
export async function markConverged(ctx: WorkerContext, row: Row, lease: Lease): Promise<boolean> {
  const state = transition(row.state as InstanceState, "converged");
  const unchanged = row.state === state && row.observedGeneration === row.generation;
  const pending = await ctx.prisma.operation.count({ where: { instanceUid: row.uid, done: false } });
  if (unchanged && pending === 0) return true;

  return ctx.prisma.$transaction(async (tx) => {
    const updated = await tx.instance.updateMany({
      where: { uid: row.uid, generation: row.generation, leaseEpoch: lease.epoch, deleteRequested: false },
      data: { state, observedGeneration: row.generation, statusMessage: "" },
    });
    if (updated.count === 0) return false;
    const fresh = await tx.instance.findUniqueOrThrow({ where: { uid: row.uid }, include: { nodes: true } });
    // A TLS instance's response shows its CAs (serverCaCerts), as a GET does.
    const serverCas = isTls(fresh)
      ? await tx.certificateAuthority.findMany({
          where: { instanceUid: row.uid, state: { in: ["ACTIVE", "TRUSTED"] } },
          select: { serialNumber: true, certPem: true, createTime: true, expireTime: true },
        })
      : undefined;
    const response = responseOf(fresh, serverCas);
    const now = new Date();
    await tx.operation.updateMany({
      where: { instanceUid: row.uid, done: false, verb: { not: "delete" }, targetGeneration: { lte: row.generation } },
      data: { done: true, endTime: now, statusDetail: "Completed", response: response as Prisma.InputJsonObject },
    });
    if (row.state !== state) {
      await tx.event.create({ data: { instanceUid: row.uid, type: "READY", message: isCluster(row) ? "Cluster is ACTIVE" : `Instance is ${state}` } });
    }
    return true;
  });
}

/** Every node is gone: complete the delete, abort what can no longer finish, drop the row. */
export async function finishDeletion(ctx: WorkerContext, row: InstanceRow, lease: Lease) {
  await ctx.prisma.$transaction(async (tx) => {
    const now = new Date();
    await tx.operation.updateMany({
      where: { instanceUid: row.uid, done: false, verb: "delete" },
      data: { done: true, endTime: now, statusDetail: "Completed", response: { "@type": EMPTY_TYPE } },
    });
    await tx.operation.updateMany({
      where: { instanceUid: row.uid, done: false },
      data: { done: true, endTime: now, statusDetail: "Aborted", error: { code: 10, message: "The instance was deleted before this operation finished." } },
    });
    // A backup that was still being taken can never finish; its files are swept as orphans.
    // Finished backups outlive their source, as Memorystore's do, and so does a copy being made
    // of one (from the files, not the nodes).
    const copies = await copyTargetUids(tx, row.uid);
    await tx.backup.deleteMany({ where: { collectionUid: row.uid, state: "CREATING", uid: { notIn: copies } } });
    // Its certificate authorities, their sealed keys with them, go with the deployment.
    await tx.certificateAuthority.deleteMany({ where: { instanceUid: row.uid } });
    await tx.instance.deleteMany({ where: { uid: row.uid, leaseEpoch: lease.epoch } });
  });
}

export async function recordFailure(ctx: WorkerContext, row: InstanceRow, message: string) {
  await ctx.prisma.operation.updateMany({ where: { instanceUid: row.uid, done: false }, data: { statusDetail: `Retrying: ${message}` } });
  await ctx.prisma.instance.updateMany({ where: { uid: row.uid }, data: { statusMessage: message } });
  await ctx.prisma.event.create({ data: { instanceUid: row.uid, type: "STEP_FAILED", message } });
}

/** Ends every pending Operation with FAILED_PRECONDITION. A create that never reached READY is
 *  then removed (returns true: keep reconciling the deletion), so a failed create leaves
 *  nothing behind. */
export async function failPermanently(ctx: WorkerContext, row: InstanceRow, message: string): Promise<boolean> {
  await ctx.prisma.operation.updateMany({
    where: { instanceUid: row.uid, done: false, verb: { not: "delete" } },
    data: { done: true, endTime: new Date(), statusDetail: "Failed", error: { code: 9, message } },
  });
  await ctx.prisma.event.create({ data: { instanceUid: row.uid, type: "FAILED", message } });
  if (row.state !== "CREATING" || row.deleteRequested) {
    await ctx.prisma.instance.updateMany({ where: { uid: row.uid }, data: { statusMessage: message } });
    return false;
  }
  await deleteForReason(ctx, row, "CREATE_FAILED", `Create failed; removing the ${isCluster(row) ? "cluster" : "instance"}: ${message}`);
  return true;
}

/** The control plane itself deletes an instance (failed create, expired ttl), with a delete
 *  Operation and an event saying why, as if a client had asked. */
export function deleteForReason(
  ctx: WorkerContext,
  row: Pick<InstanceRow, "uid" | "kind" | "projectId" | "locationId" | "instanceId">,
  eventType: string,
  reason: string,
) {
  return requestDeletion(ctx.prisma, {
    uid: row.uid,
    projectId: row.projectId,
    locationId: row.locationId,
    target: resourceName(row),
    operationId: newOperationId(),
    eventType,
    reason,
  });
}

/** A manual failover that cannot (or may not) happen: its Operation ends with the reason,
 *  and the request is cleared so the instance settles as it was. */
export async function failPendingFailover(ctx: WorkerContext, row: InstanceRow, lease: Lease, reason: string) {
  await ctx.prisma.$transaction(async (tx) => {
    await tx.instance.updateMany({ where: { uid: row.uid, leaseEpoch: lease.epoch }, data: { failoverMode: null, failoverShard: null } });
    await tx.operation.updateMany({
      where: { instanceUid: row.uid, done: false, verb: { in: ["failover", "failoverShard"] } },
      data: { done: true, endTime: new Date(), statusDetail: "Failed", error: { code: 9, message: `Failover refused: ${reason}` } },
    });
    await tx.event.create({ data: { instanceUid: row.uid, type: "FAILOVER_REFUSED", message: reason } });
  });
}
