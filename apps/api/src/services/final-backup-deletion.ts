// A delete that backs the cluster up first (MemoryDB's FinalSnapshotName; `DELETE …/clusters/{c}
// ?finalBackupId=`): the backup and the delete are desired state written in one transaction, so a
// worker killed at any point finishes both on its next reconcile.
import { randomUUID } from "node:crypto";
import { backupName, backupShapeOf, newOperationId } from "@cacheplane/core";
import { markDeletion, requestBackup, type PrismaClient } from "@cacheplane/db";
import { alreadyExists } from "../errors.js";
import { claimProjectWideId, DEFAULT_TTL_MS, type NameOptions } from "./backup-service.js";
import { isUniqueViolation, replayOperation } from "./mutations.js";
import { operationView } from "./operation-view.js";

export interface FinalBackupDeletion {
  row: { uid: string; generation: number; spec: unknown };
  project: string;
  location: string;
  /** The cluster's full name. */
  target: string;
  backupId: string;
  requestId: string | undefined;
  options?: NameOptions;
}

/** A delete that backs the cluster up first (MemoryDB's FinalSnapshotName): the backup CREATING,
 *  the delete asked for and its Operation naming the backup, in one transaction. The worker plans
 *  the cluster as live until that backup is ACTIVE, then deletes it; both are desired state, so a
 *  worker killed at any point finishes them on its next reconcile. Throws SourceChangedError when
 *  the cluster changed since `row` was read, ALREADY_EXISTS when the backup id is taken. */
export async function requestFinalBackupDeletion(prisma: PrismaClient, req: FinalBackupDeletion) {
  const { row } = req;
  const backupUid = randomUUID();
  const reason = `Backing up to ${req.backupId}, then deleting the cluster`;
  try {
    const op = await requestBackup(prisma, {
      source: { uid: row.uid, projectId: req.project, locationId: req.location, kind: "CLUSTER", name: req.target, generation: row.generation },
      backupUid,
      backupId: req.backupId,
      backupType: "ON_DEMAND",
      expireTime: new Date(Date.now() + DEFAULT_TTL_MS),
      shape: backupShapeOf("CLUSTER", row.spec as Record<string, unknown>),
      open: async (tx) => {
        if (req.options?.uniqueInProject) await claimProjectWideId(tx, req.project, req.location, req.backupId);
        // requestBackup moved the cluster to generation + 1; the delete is the one after.
        return markDeletion(tx, {
          uid: row.uid,
          projectId: req.project,
          locationId: req.location,
          target: req.target,
          operationId: newOperationId(),
          requestId: req.requestId,
          eventType: "DELETE_REQUESTED",
          reason,
          request: { finalBackupUid: backupUid, finalBackupId: req.backupId },
        });
      },
    });
    return operationView(op!);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const raced = await replayOperation(prisma, req.project, req.requestId);
    if (raced) return raced;
    throw alreadyExists(`backup ${backupName(req.project, req.location, row.uid, req.backupId)}`);
  }
}
