// A copy of a backup (MemoryDB's CopySnapshot): the sealed files are copied byte for byte into
// the new backup's directory (same project, same data key, so they open as they are), then the
// new backup is ACTIVE with the same file records, in one transaction with its Operation. From
// then on the two share nothing: deleting either leaves the other whole. A pass cut short copies
// again from the start (each file lands under a temporary name and is renamed into place).
import { copyFile, mkdir, rename } from "node:fs/promises";
import { backupView } from "@cacheplane/core";
import type { Prisma } from "@cacheplane/db";
import type { WorkerContext } from "../context.js";
import { filesOf, removeBackupFiles } from "./take-backup.js";
import { backupDir, sealedPath } from "./storage.js";

const BACKUP_TYPE = "type.googleapis.com/google.cloud.redis.cluster.v1.Backup";

interface CopyRequest {
  sourceBackupUid?: string;
  targetBackupUid?: string;
}

export async function copyBackup(ctx: WorkerContext, op: { id: string; request: Prisma.JsonValue }) {
  const { sourceBackupUid, targetBackupUid } = (op.request ?? {}) as CopyRequest;
  const [source, target] = await Promise.all([
    sourceBackupUid ? ctx.prisma.backup.findUnique({ where: { uid: sourceBackupUid } }) : null,
    targetBackupUid ? ctx.prisma.backup.findUnique({ where: { uid: targetBackupUid }, include: { collection: true } }) : null,
  ]);
  if (target?.state !== "CREATING") return failCopy(ctx, op.id, undefined, "the copy's backup no longer exists");
  // The source expired or was deleted before its files were copied (a delete is refused while a
  // copy is being made, so only expiry gets here).
  if (source?.state !== "ACTIVE") return failCopy(ctx, op.id, target.uid, "the backup being copied was deleted before the copy was made");

  await mkdir(backupDir(ctx.backups, target.uid), { recursive: true, mode: 0o700 });
  for (const file of filesOf(source)) {
    const dest = sealedPath(ctx.backups, target.uid, file.fileName);
    await copyFile(sealedPath(ctx.backups, source.uid, file.fileName), `${dest}.copying`);
    await rename(`${dest}.copying`, dest);
  }
  const active = { ...target, state: "ACTIVE", files: source.files, totalSizeBytes: source.totalSizeBytes };
  const response = { "@type": BACKUP_TYPE, ...backupView(active, target.collection) };
  await ctx.prisma.$transaction([
    ctx.prisma.backup.update({
      where: { uid: target.uid },
      data: { state: "ACTIVE", files: source.files as Prisma.InputJsonValue, totalSizeBytes: source.totalSizeBytes },
    }),
    ctx.prisma.operation.updateMany({
      where: { id: op.id, done: false },
      data: { done: true, endTime: new Date(), statusDetail: "Completed", response: response as Prisma.InputJsonObject },
    }),
  ]);
}

/** Ends the copy with the reason; the half-made copy goes with it (row and files). */
async function failCopy(ctx: WorkerContext, opId: string, targetUid: string | undefined, message: string) {
  await ctx.prisma.$transaction([
    ...(targetUid ? [ctx.prisma.backup.deleteMany({ where: { uid: targetUid, state: "CREATING" } })] : []),
    ctx.prisma.operation.updateMany({
      where: { id: opId, done: false },
      data: { done: true, endTime: new Date(), statusDetail: "Failed", error: { code: 9, message } },
    }),
  ]);
  if (targetUid) await removeBackupFiles(ctx, targetUid);
}
