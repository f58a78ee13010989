// The backup a deployment's reconcile is to take: the final backup of a delete that asked for
// one, else the oldest backup still CREATING that is not a copy (a copy is made by the backup
// pass from the files of another backup, never from the nodes).
import type { PendingBackup } from "@cacheplane/core";
import type { PrismaClient } from "@cacheplane/db";
import type { WorkerContext } from "../context.js";
import { filesOf } from "./take-backup.js";

const pendingOf = (backup: { uid: string; files: unknown }): PendingBackup => ({ uid: backup.uid, doneShards: filesOf(backup).map((f) => f.shard) });

export async function pendingBackup(ctx: WorkerContext, sourceUid: string): Promise<PendingBackup | undefined> {
  const copies = await copyTargetUids(ctx.prisma, sourceUid);
  const backup = await ctx.prisma.backup.findFirst({
    where: { collectionUid: sourceUid, state: "CREATING", ...(copies.length ? { uid: { notIn: copies } } : {}) },
    orderBy: { createTime: "asc" },
  });
  return backup ? pendingOf(backup) : undefined;
}

/** The backup a delete waits for (DELETE …?finalBackupId): named by the open delete Operation,
 *  pending while CREATING. */
export async function pendingFinalBackup(ctx: WorkerContext, sourceUid: string): Promise<PendingBackup | undefined> {
  const op = await ctx.prisma.operation.findFirst({ where: { instanceUid: sourceUid, verb: "delete", done: false }, select: { request: true } });
  const uid = (op?.request as { finalBackupUid?: unknown } | null)?.finalBackupUid;
  if (typeof uid !== "string") return undefined;
  const backup = await ctx.prisma.backup.findUnique({ where: { uid } });
  return backup?.state === "CREATING" ? pendingOf(backup) : undefined;
}

/** Backups of the collection that are copies still being made (their copy Operation is open). */
export async function copyTargetUids(prisma: Pick<PrismaClient, "operation">, collectionUid: string): Promise<string[]> {
  const ops = await prisma.operation.findMany({
    where: { verb: "copy", done: false, target: { contains: `/backupCollections/${collectionUid}/backups/` } },
    select: { request: true },
  });
  return ops.map((op) => (op.request as { targetBackupUid?: string } | null)?.targetBackupUid).filter((uid): uid is string => typeof uid === "string");
}
