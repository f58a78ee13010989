// Where backups live and how they are sealed: one directory per backup under the backups root,
// each shard's RDB sealed under its project's data key. The data key is made at a project's
// first backup and stored only wrapped by the master key.
import { join } from "node:path";
import { mkdir } from "node:fs/promises";
import { loadMasterKey, newDataKey, unwrapDataKey, wrapDataKey } from "@cacheplane/runtime";
import { Prisma, type PrismaClient } from "@cacheplane/db";

export interface BackupStorage {
  /** Sealed backups: {root}/{backup uid}/{file name}. */
  root: string;
  /** gs://bucket/object is {bucketsRoot}/bucket/object. */
  bucketsRoot: string;
  masterKey: Buffer;
}

/** Backups under {dataDir}/backups, sealed under the master key from the environment or {dataDir}/master.key.
 *  A master key set but empty is an error, not "unset": falling back to the file would seal new
 *  backups under another key than the operator meant. */
export async function openBackupStorage(opts: { dataDir: string; bucketsRoot: string; masterKey?: string | undefined }): Promise<BackupStorage> {
  const root = join(opts.dataDir, "backups");
  await mkdir(root, { recursive: true, mode: 0o700 });
  return { root, bucketsRoot: opts.bucketsRoot, masterKey: await loadMasterKey({ dataDir: opts.dataDir, fromEnv: opts.masterKey }) };
}

export const backupDir = (storage: BackupStorage, backupUid: string) => join(storage.root, backupUid);
export const sealedPath = (storage: BackupStorage, backupUid: string, fileName: string) => join(backupDir(storage, backupUid), fileName);

/** The project's data key, made (and stored wrapped) on first use; concurrent first uses agree. */
export async function projectDataKey(prisma: PrismaClient, storage: BackupStorage, projectId: string): Promise<Buffer> {
  const existing = await prisma.projectKey.findUnique({ where: { projectId } });
  if (existing) return unwrapDataKey(storage.masterKey, existing.wrappedKey);
  const key = newDataKey();
  try {
    await prisma.projectKey.create({ data: { projectId, wrappedKey: wrapDataKey(storage.masterKey, key) } });
    return key;
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    const winner = await prisma.projectKey.findUniqueOrThrow({ where: { projectId } });
    return unwrapDataKey(storage.masterKey, winner.wrappedKey);
  }
}
