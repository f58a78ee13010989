// The worker's backup pass, on the resync interval: backups past their expireTime are deleted,
// backups marked DELETING lose their files and then their rows (ending the delete Operation),
// exports are written, copies made (copy-backup.ts), and sealed files no row names any more are
// removed. Every action is
// idempotent, so a pass cut short is finished by the next.
import { lstat, readdir } from "node:fs/promises";
import { backupName, backupView, shardId } from "@cacheplane/core";
import type { Backup as BackupRow, BackupCollection as CollectionRow, Prisma } from "@cacheplane/db";
import { BucketObjectNotFoundError, InvalidBucketUriError, openSealedFile, resolveForWrite } from "@cacheplane/runtime";
import type { WorkerContext } from "../context.js";
import { filesOf, removeBackupFiles, type BackupFileRecord } from "./take-backup.js";
import { copyBackup } from "./copy-backup.js";
import { projectDataKey, sealedPath } from "./storage.js";

const EMPTY_TYPE = "type.googleapis.com/google.protobuf.Empty";
const BACKUP_TYPE = "type.googleapis.com/google.cloud.redis.cluster.v1.Backup";
const nameOf = (b: BackupRow & { collection: CollectionRow }) => backupName(b.collection.projectId, b.collection.locationId, b.collection.uid, b.backupId);

export async function backupPassOnce(ctx: WorkerContext): Promise<void> {
  const now = ctx.now?.() ?? new Date();
  await ctx.prisma.backup.updateMany({ where: { state: "ACTIVE", expireTime: { lt: now } }, data: { state: "DELETING" } });
  for (const b of await ctx.prisma.backup.findMany({ where: { state: "DELETING" }, include: { collection: true } })) await deleteBackup(ctx, b);
  const exports = await ctx.prisma.operation.findMany({
    where: { verb: "export", done: false, instanceUid: null, target: { contains: "/backupCollections/" } },
  });
  for (const op of exports) await exportBackup(ctx, op);
  const copies = await ctx.prisma.operation.findMany({ where: { verb: "copy", done: false, instanceUid: null } });
  for (const op of copies) await copyBackup(ctx, op);
  await removeOrphanFiles(ctx);
}

async function deleteBackup(ctx: WorkerContext, b: BackupRow & { collection: CollectionRow }) {
  await removeBackupFiles(ctx, b.uid);
  const target = nameOf(b);
  const endTime = new Date();
  await ctx.prisma.$transaction([
    ctx.prisma.backup.deleteMany({ where: { uid: b.uid } }),
    ctx.prisma.operation.updateMany({
      where: { target, verb: "delete", done: false },
      data: { done: true, endTime, statusDetail: "Completed", response: { "@type": EMPTY_TYPE } },
    }),
    ctx.prisma.operation.updateMany({
      where: { target, done: false },
      data: { done: true, endTime, statusDetail: "Aborted", error: { code: 10, message: "The backup was deleted before this operation finished." } },
    }),
  ]);
}

const fail = (ctx: WorkerContext, id: string, code: number, message: string) =>
  ctx.prisma.operation.updateMany({ where: { id, done: false }, data: { done: true, endTime: new Date(), statusDetail: "Failed", error: { code, message } } });

interface ExportRequest {
  gcsBucket?: string;
  /** MemoryDB's export: {prefix}-{shard}.rdb at the bucket's top, never over an existing object. */
  fileNamePrefix?: string;
  /** Set once no destination was found taken, so a pass cut short does not find its own files. */
  checked?: boolean;
}

/** Where an export writes a file: gs://{bucket}/{backupId}/{file}, or gs://{bucket}/{prefix}-{shard}.rdb. */
const exportUri = (request: ExportRequest, backupId: string, file: BackupFileRecord) =>
  request.fileNamePrefix
    ? `gs://${request.gcsBucket}/${request.fileNamePrefix}-${shardId(file.shard)}.rdb`
    : `gs://${request.gcsBucket}/${backupId}/${file.fileName}`;

async function exportBackup(ctx: WorkerContext, op: { id: string; target: string; request: Prisma.JsonValue }) {
  const match = /^projects\/([^/]+)\/locations\/([^/]+)\/backupCollections\/([^/]+)\/backups\/([^/]+)$/.exec(op.target);
  const request = (op.request ?? {}) as ExportRequest;
  const b = match
    ? await ctx.prisma.backup.findUnique({
        where: { collectionUid_backupId: { collectionUid: match[3]!, backupId: match[4]! } },
        include: { collection: true },
      })
    : null;
  if (!b || !request.gcsBucket) return fail(ctx, op.id, 5, `backup ${op.target} does not exist`);
  if (b.state !== "ACTIVE") return; // deleting: the delete ends this operation
  const key = await projectDataKey(ctx.prisma, ctx.backups, b.collection.projectId);
  try {
    if (request.fileNamePrefix && !request.checked) {
      for (const file of filesOf(b)) {
        const uri = exportUri(request, b.backupId, file);
        const taken = await lstat(await resolveForWrite(ctx.backups.bucketsRoot, uri)).then(
          () => true,
          () => false,
        );
        if (taken) return fail(ctx, op.id, 6, `${uri} exists already; an export does not overwrite an object`);
      }
      await ctx.prisma.operation.updateMany({ where: { id: op.id, done: false }, data: { request: { ...request, checked: true } } });
    }
    for (const file of filesOf(b)) {
      const dest = await resolveForWrite(ctx.backups.bucketsRoot, exportUri(request, b.backupId, file));
      await openSealedFile(sealedPath(ctx.backups, b.uid, file.fileName), dest, key);
    }
  } catch (error) {
    if (error instanceof InvalidBucketUriError) return fail(ctx, op.id, 3, error.message);
    if (error instanceof BucketObjectNotFoundError) return fail(ctx, op.id, 5, error.message);
    throw error;
  }
  const response = { "@type": BACKUP_TYPE, ...backupView(b, b.collection) };
  await ctx.prisma.operation.updateMany({
    where: { id: op.id, done: false },
    data: { done: true, endTime: new Date(), statusDetail: "Completed", response: response as Prisma.InputJsonObject },
  });
}

/** A backup directory whose row is gone (a delete cut short, a source deleted mid-backup). */
async function removeOrphanFiles(ctx: WorkerContext) {
  const dirs = await readdir(ctx.backups.root).catch(() => [] as string[]);
  if (dirs.length === 0) return;
  const known = new Set((await ctx.prisma.backup.findMany({ where: { uid: { in: dirs } }, select: { uid: true } })).map((b) => b.uid));
  for (const dir of dirs) if (!known.has(dir)) await removeBackupFiles(ctx, dir);
}
