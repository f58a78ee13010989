// Imports and exports: `:import` and `:export` on instances (Memorystore's), a cluster created
// from a backup or from bucket files (Memorystore Cluster's managedBackupSource / gcsSource).
// Each is a data job on the deployment's row with its Operation, in one transaction; the
// worker does it once the deployment has converged. Nothing here reads a file.
import type { DataJob } from "@cacheplane/core";
import type { Prisma, PrismaClient } from "@cacheplane/db";
import type { ApiContext } from "../context.js";
import { failedPrecondition, invalidArgument, notFound } from "../errors.js";
import { BACKUP_IN_PROGRESS, findSettled } from "./backup-service.js";
import { openOperation, replayOperation } from "./mutations.js";
import { operationView } from "./operation-view.js";

const BACKUP_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/backupCollections\/([^/]+)\/backups\/([^/]+)$/;

export type ImportSource = Extract<DataJob, { kind: "import" }>["source"];

/** The source a restore names, checked now: the backup must exist, be ACTIVE and be the caller's. */
export async function resolveImportSource(
  prisma: PrismaClient,
  project: string,
  input: { managedBackupSource?: { backup: string } | undefined; gcsSource?: { uris: string[] } | undefined },
): Promise<ImportSource | undefined> {
  if (input.managedBackupSource && input.gcsSource) throw invalidArgument("managedBackupSource", "cannot be given with gcsSource");
  if (input.gcsSource) return { uris: input.gcsSource.uris };
  if (!input.managedBackupSource) return undefined;
  const name = input.managedBackupSource.backup;
  const match = BACKUP_NAME.exec(name);
  if (!match) throw invalidArgument("managedBackupSource.backup", "must be a backup name: projects/{p}/locations/{l}/backupCollections/{bc}/backups/{b}");
  const [, p, l, collectionUid, backupId] = match as unknown as [string, string, string, string, string];
  const backup = await prisma.backup.findUnique({ where: { collectionUid_backupId: { collectionUid, backupId } }, include: { collection: true } });
  // Another project's backup is as absent as a missing one: nothing about it may leak.
  if (!backup || p !== project || backup.collection.projectId !== project || backup.collection.locationId !== l) throw notFound(`backup ${name}`);
  if (backup.state !== "ACTIVE") throw failedPrecondition(`backup ${name} is ${backup.state}; only an ACTIVE backup can be restored`);
  return { backupUid: backup.uid };
}

interface InstanceKey {
  project: string;
  location: string;
  instance: string;
}

export function createDataJobService(ctx: ApiContext) {
  const { prisma } = ctx;

  async function start(key: InstanceKey, verb: "import" | "export", job: (operationId: string) => DataJob, statusDetail: string, requestId?: string) {
    if (key.location !== ctx.locations.location) throw notFound(`location ${key.location}`);
    const replayed = await replayOperation(prisma, key.project, requestId);
    if (replayed) return replayed;
    const { row, target } = await findSettled(prisma, { project: key.project, location: key.location, id: key.instance }, "INSTANCE");
    const op = await prisma.$transaction(async (tx) => {
      const opened = await openOperation(tx, {
        project: key.project,
        location: key.location,
        target,
        instanceUid: row.uid,
        verb,
        targetGeneration: row.generation + 1,
        requestId,
        statusDetail,
      });
      const moved = await tx.instance.updateMany({
        where: { uid: row.uid, generation: row.generation, deleteRequested: false },
        data: {
          generation: row.generation + 1,
          dataJob: job(opened.id) as unknown as Prisma.InputJsonObject,
          // Memorystore shows IMPORTING while an import replaces the data.
          ...(verb === "import" ? { state: "IMPORTING", statusMessage: statusDetail } : {}),
        },
      });
      if (moved.count === 0) throw failedPrecondition(BACKUP_IN_PROGRESS);
      await tx.event.create({ data: { instanceUid: row.uid, type: verb === "import" ? "IMPORT_REQUESTED" : "EXPORT_REQUESTED", message: statusDetail } });
      return opened;
    });
    await ctx.enqueueReconcile(row.uid);
    return operationView(op);
  }

  return {
    async import(
      key: InstanceKey,
      input: { gcsSource?: { uri: string } | undefined; managedBackupSource?: { backup: string } | undefined },
      requestId?: string,
    ) {
      const source = await resolveImportSource(prisma, key.project, {
        managedBackupSource: input.managedBackupSource,
        gcsSource: input.gcsSource ? { uris: [input.gcsSource.uri] } : undefined,
      });
      const from = input.gcsSource?.uri ?? input.managedBackupSource!.backup;
      return start(key, "import", (operationId) => ({ kind: "import", operationId, source: source! }), `Importing ${from}; the data is replaced`, requestId);
    },
    async export(key: InstanceKey, uri: string, requestId?: string) {
      return start(key, "export", (operationId) => ({ kind: "export", operationId, uri }), `Exporting to ${uri}`, requestId);
    },
  };
}
export type DataJobService = ReturnType<typeof createDataJobService>;
