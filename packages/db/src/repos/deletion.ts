// Asking for an instance's deletion, shared by the api (DELETE) and the worker's reaper (ttl):
// mark it, record why, and open the delete Operation, in one transaction. Idempotent: an
// instance already being deleted returns its open delete Operation.
import type { Operation, Prisma, PrismaClient } from "../../generated/client/index.js";

export interface DeletionRequest {
  uid: string;
  projectId: string;
  locationId: string;
  /** Full resource name of the instance. */
  target: string;
  operationId: string;
  requestId?: string | null;
  eventType: string;
  reason: string;
  /** Delete only if the row is still at this generation: the caller checked its spec (a
   *  cluster's deletion protection) at that generation. Otherwise SpecChangedError. */
  ifGeneration?: number;
  /** Kept on the Operation for the worker (e.g. the final backup a delete waits for). */
  request?: Prisma.InputJsonObject;
}

/** The row changed after the caller read it (see DeletionRequest.ifGeneration): read it again. */
export class SpecChangedError extends Error {
  override name = "SpecChangedError";
}

export async function requestDeletion(prisma: PrismaClient, req: DeletionRequest): Promise<Operation> {
  return prisma.$transaction(async (tx) => {
    const open = await tx.operation.findFirst({ where: { instanceUid: req.uid, verb: "delete", done: false } });
    if (open) return open;
    return markDeletion(tx, req);
  });
}

/** Inside the caller's transaction: marks the instance for deletion at its next generation,
 *  records why, and opens the delete Operation (for a caller that writes more in the same
 *  transaction, such as the final backup a delete waits for). */
export async function markDeletion(tx: Prisma.TransactionClient, req: DeletionRequest): Promise<Operation> {
  const marked = await tx.instance.updateMany({
    where: { uid: req.uid, ...(req.ifGeneration === undefined ? {} : { generation: req.ifGeneration }) },
    data: { deleteRequested: true, state: "DELETING", statusMessage: req.reason, generation: { increment: 1 } },
  });
  if (marked.count === 0) {
    if (req.ifGeneration !== undefined && (await tx.instance.count({ where: { uid: req.uid } })) > 0)
      throw new SpecChangedError(`${req.target} changed meanwhile`);
    throw new Error(`instance ${req.target} no longer exists`);
  }
  const { generation } = await tx.instance.findUniqueOrThrow({ where: { uid: req.uid }, select: { generation: true } });
  await tx.event.create({ data: { instanceUid: req.uid, type: req.eventType, message: req.reason } });
  return tx.operation.create({
    data: {
      id: req.operationId,
      projectId: req.projectId,
      locationId: req.locationId,
      instanceUid: req.uid,
      target: req.target,
      verb: "delete",
      targetGeneration: generation,
      requestId: req.requestId ?? null,
      statusDetail: req.reason,
      ...(req.request ? { request: req.request } : {}),
    },
  });
}
