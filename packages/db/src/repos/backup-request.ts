// Asking for a backup of an instance or cluster, shared by the api (`:backup`) and the worker's
// scheduler (automated backups): the collection (made at the first backup), the Backup row
// CREATING, the source's next generation (its reconcile takes the backup once converged) and
// an event, in one transaction; the api also opens its Operation there.
import type { Operation, Prisma, PrismaClient } from "../../generated/client/index.js";

export interface BackupRequest {
  source: { uid: string; projectId: string; locationId: string; kind: "INSTANCE" | "CLUSTER"; name: string; generation: number };
  backupUid: string;
  backupId: string;
  backupType: "ON_DEMAND" | "AUTOMATED";
  expireTime: Date;
  shape: { engineVersion: string; nodeType: string | null; shardCount: number; replicaCount: number };
  /** Opens the request's Operation in the same transaction (the api's; automated backups have none). */
  open?: (tx: Prisma.TransactionClient) => Promise<Operation>;
}

/** The source changed (a new generation) since the caller read it: nothing was written. */
export class SourceChangedError extends Error {
  override name = "SourceChangedError";
}

/** Throws SourceChangedError, or Prisma's unique violation (P2002) when the backup id is taken. */
export async function requestBackup(prisma: PrismaClient, req: BackupRequest): Promise<Operation | undefined> {
  const { source } = req;
  return prisma.$transaction(async (tx) => {
    await tx.backupCollection.upsert({
      where: { uid: source.uid },
      create: { uid: source.uid, projectId: source.projectId, locationId: source.locationId, sourceKind: source.kind, sourceName: source.name },
      update: {},
    });
    await tx.backup.create({
      data: {
        uid: req.backupUid,
        collectionUid: source.uid,
        backupId: req.backupId,
        backupType: req.backupType,
        state: "CREATING",
        ...req.shape,
        expireTime: req.expireTime,
      },
    });
    const moved = await tx.instance.updateMany({
      where: { uid: source.uid, generation: source.generation, deleteRequested: false },
      data: { generation: source.generation + 1 },
    });
    if (moved.count === 0) throw new SourceChangedError();
    const how = req.backupType === "AUTOMATED" ? "Automated backup" : "Backup";
    await tx.event.create({ data: { instanceUid: source.uid, type: "BACKUP_REQUESTED", message: `${how} ${req.backupId} requested` } });
    return req.open?.(tx);
  });
}
