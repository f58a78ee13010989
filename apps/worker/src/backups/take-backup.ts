// The steps of a backup. backupShard: catch the chosen node up with its primary (every write
// the primary acknowledged before the step began is then in the RDB), stream its RDB over the
// replication protocol, seal it, record it. finishBackup: the backup becomes ACTIVE.
// Each shard is recorded as it is saved, so a worker killed mid-backup redoes one shard at most.
import { mkdir, readdir, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { shardId } from "@cacheplane/core";
import { connectAdmin, fetchRdb, info, sealFile } from "@cacheplane/runtime";
import type { WorkerContext } from "../context.js";
import type { StepInput } from "../reconcile/step-input.js";
import { backupDir, projectDataKey, sealedPath } from "./storage.js";
import { adminTls } from "../tls/deployment-tls.js";

export interface BackupFileRecord {
  shard: number;
  fileName: string;
  /** The RDB's size; the sealed file is a little larger. */
  sizeBytes: number;
  sealedBytes: number;
  sha256: string;
  createTime: string;
}

/** How long a replica may take to reach the primary's offset before the step is retried. */
const CATCH_UP_MS = 5_000;

export const backupFileName = (shard: number) => `shard-${shardId(shard)}.rdb`;
export const filesOf = (backup: { files: unknown }) => (backup.files ?? []) as BackupFileRecord[];

/** Waits until `node` has processed every write its primary had acknowledged when this began. */
export async function catchUp(
  node: { id: string; host: string; port: number },
  primary: { host: string; port: number },
  password: string | undefined,
  tls: { tls?: { ca: string } } = {},
) {
  const [p, r] = await Promise.all([
    connectAdmin({ host: primary.host, port: primary.port, password, ...tls }),
    connectAdmin({ host: node.host, port: node.port, password, ...tls }),
  ]);
  try {
    const target = Number((await info(p, "replication")).replication?.master_repl_offset ?? 0);
    const deadline = Date.now() + CATCH_UP_MS;
    for (;;) {
      const offset = Number((await info(r, "replication")).replication?.slave_repl_offset ?? -1);
      if (offset >= target) return;
      if (Date.now() > deadline) throw new Error(`replica ${node.id} did not reach its primary's offset ${target} within ${CATCH_UP_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    p.disconnect();
    r.disconnect();
  }
}

export async function backupShard(ctx: WorkerContext, input: StepInput, step: { backupUid: string; shard: number; nodeId: string; primaryId: string }) {
  const { row, config } = input;
  const node = row.nodes.find((n) => n.id === step.nodeId);
  const primary = row.nodes.find((n) => n.id === step.primaryId);
  if (!node || !primary) throw new Error(`node ${step.nodeId} or ${step.primaryId} is not recorded`);
  const backup = await ctx.prisma.backup.findUnique({ where: { uid: step.backupUid } });
  if (backup?.state !== "CREATING" || filesOf(backup).some((f) => f.shard === step.shard)) return;

  const password = config.requirepass || undefined;
  if (node.id !== primary.id) await catchUp(node, primary, password, adminTls(row));
  const storage = ctx.backups;
  const fileName = backupFileName(step.shard);
  const dir = backupDir(storage, backup.uid);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // A worker killed mid-shard leaves a partial download (plaintext) or a half-sealed file.
  const recorded = new Set(filesOf(backup).map((f) => f.fileName));
  for (const name of await readdir(dir)) if (!recorded.has(name)) await rm(join(dir, name), { force: true });
  const plain = `${sealedPath(storage, backup.uid, fileName)}.plain`;
  try {
    const { bytes } = await fetchRdb({ host: node.host, port: node.port, password, ...adminTls(row) }, plain);
    const key = await projectDataKey(ctx.prisma, storage, row.projectId);
    const sealed = await sealFile(plain, sealedPath(storage, backup.uid, fileName), key);
    const file: BackupFileRecord = {
      shard: step.shard,
      fileName,
      sizeBytes: bytes,
      sealedBytes: sealed.sealedBytes,
      sha256: sealed.sha256,
      createTime: new Date().toISOString(),
    };
    // Shards are saved one at a time per backup (one reconcile per deployment), so this
    // read-then-write of the list has no concurrent writer.
    await ctx.prisma.backup.update({ where: { uid: backup.uid }, data: { files: [...filesOf(backup), file] as object[] } });
  } finally {
    await unlink(plain).catch(() => undefined);
  }
}

export async function finishBackup(ctx: WorkerContext, input: StepInput, backupUid: string) {
  const backup = await ctx.prisma.backup.findUnique({ where: { uid: backupUid } });
  if (backup?.state !== "CREATING") return;
  const files = filesOf(backup);
  const total = files.reduce((sum, f) => sum + f.sizeBytes, 0);
  await ctx.prisma.$transaction([
    ctx.prisma.backup.update({ where: { uid: backupUid }, data: { state: "ACTIVE", totalSizeBytes: BigInt(total) } }),
    ctx.prisma.event.create({
      data: { instanceUid: input.row.uid, type: "BACKUP_CREATED", message: `Backup ${backup.backupId} created: ${files.length} file(s), ${total} bytes` },
    }),
  ]);
}

/** A backup's sealed files, removed with their directory. */
export const removeBackupFiles = (ctx: WorkerContext, backupUid: string) => rm(backupDir(ctx.backups, backupUid), { recursive: true, force: true });
