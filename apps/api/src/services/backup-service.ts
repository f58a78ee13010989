// Backups (Memorystore for Redis Cluster's backup collections; instances have them too, as our
// addition). A backup request is a desired-state change of its source: a Backup row CREATING
// and a new generation, in one transaction with its Operation; the source's reconcile takes it
// once everything else has converged. Deleting and exporting are done by the worker's backup
// pass, and so is a copy (a new backup in the same collection, CREATING until the pass has
// copied the sealed files: nothing but its Operation tells the source's reconcile it is not a
// backup to take). A delete with a final backup asks for both in one transaction
// (final-backup-deletion.ts). Nothing here touches a node or a file.
import { randomUUID } from "node:crypto";
import { backupName, backupShapeOf, backupView, clusterName, collectionName, collectionView, instanceName, newOperationId } from "@cacheplane/core";
import {
  type Prisma,
  requestBackup,
  SourceChangedError,
  type Backup as BackupRow,
  type BackupCollection as CollectionRow,
  type PrismaClient,
} from "@cacheplane/db";
import type { Backup, BackupCollection } from "@cacheplane/contracts";
import type { ApiContext } from "../context.js";
import { alreadyExists, failedPrecondition, notFound } from "../errors.js";
import { decodePageToken, pageOf, pageSizeOf } from "../paging.js";
import { isUniqueViolation, openOperation, replayOperation, type Tx } from "./mutations.js";
import { operationView } from "./operation-view.js";

export type SourceKind = "INSTANCE" | "CLUSTER";
export interface SourceKey {
  project: string;
  location: string;
  id: string;
}
interface CollectionKey {
  project: string;
  location: string;
  backupCollection: string;
}
interface BackupKey extends CollectionKey {
  backup: string;
}

/** Memorystore keeps a backup 100 years unless told otherwise. */
export const DEFAULT_TTL_MS = 100 * 365 * 86_400_000;
export const BACKUP_IN_PROGRESS = "a backup or an update of this resource is in progress; retry when it is ready";

/** YYYYMMDDHHMMSS_ and the first 8 characters of the source's uid, as Memorystore names them. */
const defaultBackupId = (now: Date, uid: string) => `${now.toISOString().replace(/[-:T]/g, "").slice(0, 14)}_${uid.replace(/-/g, "").slice(0, 8)}`;

const backupOut = (b: BackupRow, c: CollectionRow) => backupView(b, c) as Backup;
const collectionOut = (c: CollectionRow): BackupCollection => collectionView(c);

/** The instance or cluster a backup or data job is for, refused unless it is settled: one such
 *  change at a time, as Memorystore refuses a backup during another backup or an update. */
export async function findSettled(prisma: PrismaClient, key: SourceKey, kind: SourceKind) {
  const target = (kind === "CLUSTER" ? clusterName : instanceName)(key.project, key.location, key.id);
  const row = await prisma.instance.findUnique({
    where: { projectId_locationId_kind_instanceId: { projectId: key.project, locationId: key.location, kind, instanceId: key.id } },
  });
  if (!row) throw notFound(`${kind === "CLUSTER" ? "cluster" : "instance"} ${target}`);
  if (row.deleteRequested) throw failedPrecondition(`${target} is being deleted`);
  if (row.state !== "READY" || row.observedGeneration < row.generation || row.dataJob !== null) throw failedPrecondition(BACKUP_IN_PROGRESS);
  return { row, target };
}

export function createBackupService(ctx: ApiContext) {
  const { prisma } = ctx;
  const checkLocation = (location: string) => {
    if (location !== ctx.locations.location) throw notFound(`location ${location}`);
  };

  async function findCollection(key: CollectionKey) {
    checkLocation(key.location);
    const c = await prisma.backupCollection.findUnique({ where: { uid: key.backupCollection } });
    if (!c || c.projectId !== key.project || c.locationId !== key.location)
      throw notFound(`backup collection ${collectionName(key.project, key.location, key.backupCollection)}`);
    return c;
  }

  async function findBackup(key: BackupKey) {
    const c = await findCollection(key);
    const b = await prisma.backup.findUnique({ where: { collectionUid_backupId: { collectionUid: c.uid, backupId: key.backup } } });
    if (!b) throw notFound(`backup ${backupName(key.project, key.location, c.uid, key.backup)}`);
    return { b, c };
  }

  return {
    /** POST …/clusters/{c}:backup and …/instances/{i}:backup. */
    async backup(
      kind: SourceKind,
      key: SourceKey,
      body: { backupId?: string | undefined; ttl?: number | undefined; requestId?: string | undefined },
      options: NameOptions = {},
    ) {
      checkLocation(key.location);
      const replayed = await replayOperation(prisma, key.project, body.requestId);
      if (replayed) return replayed;
      const { row, target } = await findSettled(prisma, key, kind);
      const now = new Date();
      const backupId = body.backupId ?? defaultBackupId(now, row.uid);
      const expireTime = new Date(now.getTime() + (body.ttl ?? DEFAULT_TTL_MS));
      try {
        const op = await requestBackup(prisma, {
          source: { uid: row.uid, projectId: key.project, locationId: key.location, kind, name: target, generation: row.generation },
          backupUid: randomUUID(),
          backupId,
          backupType: "ON_DEMAND",
          expireTime,
          shape: backupShapeOf(kind, row.spec as Record<string, unknown>),
          open: async (tx) => {
            if (options.uniqueInProject) await claimProjectWideId(tx, key.project, key.location, backupId);
            return openOperation(tx, {
              project: key.project,
              location: key.location,
              target,
              instanceUid: row.uid,
              verb: "backup",
              targetGeneration: row.generation + 1,
              requestId: body.requestId,
              statusDetail: `Backing up to ${backupId}`,
            });
          },
        });
        await ctx.enqueueReconcile(row.uid);
        return operationView(op!);
      } catch (error) {
        if (error instanceof SourceChangedError) throw failedPrecondition(BACKUP_IN_PROGRESS);
        if (!isUniqueViolation(error)) throw error;
        const raced = await replayOperation(prisma, key.project, body.requestId);
        if (raced) return raced;
        throw alreadyExists(`backup ${backupName(key.project, key.location, row.uid, backupId)}`);
      }
    },

    async listCollections(project: string, location: string, pageSize?: number, pageToken?: string) {
      checkLocation(location);
      const size = pageSizeOf(pageSize);
      const after = decodePageToken(pageToken, ["after"] as const);
      const rows = await prisma.backupCollection.findMany({
        where: { projectId: project, locationId: location, ...(after ? { uid: { gt: after.after } } : {}) },
        orderBy: { uid: "asc" },
        take: size + 1,
      });
      const { page, nextPageToken } = pageOf(rows, size, (last) => ({ after: last.uid }));
      return { backupCollections: page.map(collectionOut), ...(nextPageToken ? { nextPageToken } : {}), unreachable: [] as string[] };
    },

    async getCollection(key: CollectionKey) {
      return collectionOut(await findCollection(key));
    },

    /** Backups of one collection, or of every collection with "-" (AIP-159). */
    async list(key: CollectionKey, pageSize?: number, pageToken?: string) {
      checkLocation(key.location);
      const every = key.backupCollection === "-";
      const c = every ? undefined : await findCollection(key);
      const size = pageSizeOf(pageSize);
      const after = decodePageToken(pageToken, ["after"] as const);
      const rows = await prisma.backup.findMany({
        where: {
          ...(c ? { collectionUid: c.uid } : { collection: { projectId: key.project, locationId: key.location } }),
          ...(after ? { uid: { gt: after.after } } : {}),
        },
        include: { collection: true },
        orderBy: { uid: "asc" },
        take: size + 1,
      });
      const { page, nextPageToken } = pageOf(rows, size, (last) => ({ after: last.uid }));
      return { backups: page.map((b) => backupOut(b, b.collection)), ...(nextPageToken ? { nextPageToken } : {}), unreachable: [] as string[] };
    },

    async get(key: BackupKey) {
      const { b, c } = await findBackup(key);
      return backupOut(b, c);
    },

    /** Marks the backup DELETING; the worker removes its files, then the row, and ends the Operation.
     *  Refused while it is being copied or restored from: either would be cut short. */
    async remove(key: BackupKey, requestId?: string) {
      const replayed = await replayOperation(prisma, key.project, requestId);
      if (replayed) return replayed;
      const { b, c } = await findBackup(key);
      if (b.state === "CREATING") throw failedPrecondition(`backup ${key.backup} is still being created; delete it once it is ACTIVE`);
      const use = await backupInUse(prisma, b.uid);
      if (use) throw failedPrecondition(`backup ${key.backup} is ${use}; delete it once that is done`);
      return backupOperation(prisma, {
        b,
        c,
        verb: "delete",
        requestId,
        statusDetail: "Deleting the backup",
        request: null,
        prepare: async (tx) => void (await tx.backup.update({ where: { uid: b.uid }, data: { state: "DELETING" } })),
      });
    },

    /** Writes every file of the backup, as plain RDB, to gs://{gcsBucket}/{backupId}/, or with
     *  fileNamePrefix (MemoryDB's export, our addition) to gs://{gcsBucket}/{prefix}-{shard}.rdb,
     *  refusing to overwrite an object that is there. */
    async export(key: BackupKey, gcsBucket: string, requestId?: string, fileNamePrefix?: string) {
      const replayed = await replayOperation(prisma, key.project, requestId);
      if (replayed) return replayed;
      const { b, c } = await findBackup(key);
      if (b.state !== "ACTIVE") throw failedPrecondition(`backup ${key.backup} is ${b.state}; only an ACTIVE backup can be exported`);
      return backupOperation(prisma, {
        b,
        c,
        verb: "export",
        requestId,
        statusDetail: fileNamePrefix ? `Exporting to gs://${gcsBucket}/${fileNamePrefix}-*.rdb` : `Exporting to gs://${gcsBucket}/${b.backupId}/`,
        request: fileNamePrefix ? { gcsBucket, fileNamePrefix } : { gcsBucket },
      });
    },

    /** A new backup with the same data (our addition, MemoryDB's CopySnapshot): CREATING in the
     *  source's collection until the worker has copied the sealed files, then independent of it. */
    async copy(key: BackupKey, body: { backupId: string; requestId?: string | undefined }, options: NameOptions = {}) {
      const replayed = await replayOperation(prisma, key.project, body.requestId);
      if (replayed) return replayed;
      const { b, c } = await findBackup(key);
      if (b.state !== "ACTIVE") throw failedPrecondition(`backup ${key.backup} is ${b.state}; only an ACTIVE backup can be copied`);
      const uid = randomUUID();
      const target = backupName(c.projectId, c.locationId, c.uid, body.backupId);
      try {
        return await backupOperation(prisma, {
          b,
          c,
          target,
          verb: "copy",
          requestId: body.requestId,
          statusDetail: `Copying ${b.backupId} to ${body.backupId}`,
          request: { sourceBackupUid: b.uid, targetBackupUid: uid },
          prepare: async (tx) => {
            await tx.backup.create({
              data: {
                uid,
                collectionUid: c.uid,
                backupId: body.backupId,
                backupType: "ON_DEMAND",
                state: "CREATING",
                engineVersion: b.engineVersion,
                nodeType: b.nodeType,
                shardCount: b.shardCount,
                replicaCount: b.replicaCount,
                // A copy is a backup asked for now: it is kept as long as a new one would be.
                expireTime: new Date(Date.now() + DEFAULT_TTL_MS),
              },
            });
            if (options.uniqueInProject) await claimProjectWideId(tx, c.projectId, c.locationId, body.backupId);
          },
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw alreadyExists(`backup ${target}`);
      }
    },
  };
}

/** An Operation on a backup (no instance of its own): the worker's backup pass carries it out.
 *  `prepare` writes what the Operation is about in the same transaction. */
async function backupOperation(
  prisma: PrismaClient,
  args: {
    b: BackupRow;
    c: CollectionRow;
    /** Default: the backup itself (a copy names the new backup). */
    target?: string;
    verb: string;
    requestId: string | undefined;
    statusDetail: string;
    request: object | null;
    prepare?: (tx: Tx) => Promise<void>;
  },
) {
  const { b, c } = args;
  try {
    const op = await prisma.$transaction(async (tx) => {
      await args.prepare?.(tx);
      return tx.operation.create({
        data: {
          id: newOperationId(),
          projectId: c.projectId,
          locationId: c.locationId,
          target: args.target ?? backupName(c.projectId, c.locationId, c.uid, b.backupId),
          verb: args.verb,
          targetGeneration: 0,
          requestId: args.requestId ?? null,
          statusDetail: args.statusDetail,
          ...(args.request ? { request: args.request as Prisma.InputJsonObject } : {}),
        },
      });
    });
    return operationView(op);
  } catch (error) {
    if (args.requestId && isUniqueViolation(error)) {
      const raced = await replayOperation(prisma, c.projectId, args.requestId);
      if (raced) return raced;
    }
    throw error;
  }
}

export interface NameOptions {
  /** The backup id must not be taken in any of the project's collections in the location
   *  (MemoryDB's snapshot names are unique per account and region; native ones per collection). */
  uniqueInProject?: boolean;
}

/** Inside the transaction that made a backup named `backupId`: refuses it if another backup of
 *  the project has that id. The lock makes two such transactions take turns, and the second one's
 *  check (read committed) sees the first one's row. */
export async function claimProjectWideId(tx: Tx, project: string, location: string, backupId: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`backup-id:${project}/${location}/${backupId}`}))`;
  const taken = await tx.backup.count({ where: { backupId, collection: { projectId: project, locationId: location } } });
  if (taken > 1) throw alreadyExists(`a backup named ${backupId} exists in project ${project}`);
}

/** What keeps a backup busy: a copy being made of it, or a restore from it. */
export async function backupInUse(prisma: PrismaClient | Tx, backupUid: string): Promise<"being copied" | "being restored" | undefined> {
  const copying = await prisma.operation.count({ where: { verb: "copy", done: false, request: { path: ["sourceBackupUid"], equals: backupUid } } });
  if (copying > 0) return "being copied";
  const restoring = await prisma.instance.count({ where: { dataJob: { path: ["source", "backupUid"], equals: backupUid } } });
  return restoring > 0 ? "being restored" : undefined;
}

export type BackupService = ReturnType<typeof createBackupService>;
