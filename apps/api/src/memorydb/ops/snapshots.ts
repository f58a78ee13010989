// MemoryDB's snapshots are the native backups of clusters (shapes/snapshot.ts): CreateSnapshot is
// the native on-demand backup, CopySnapshot the native copy (a new backup with the same sealed
// files, independent of its source) or, with TargetBucket, the native export, DeleteSnapshot the
// native delete.
//
// For DeleteCluster {FinalSnapshotName} (ops/clusters.ts): call deleteClusterWithFinalSnapshot
// below. For CreateCluster {SnapshotName}: findSnapshot (shapes/snapshot.ts) gives the native
// backup name managedBackupSource takes.
//
// TargetBucket: a bucket is a directory under the control plane's buckets root (as the native
// :export's gs:// buckets), and the snapshot's files are written there as plain RDB, one per shard,
// named {TargetSnapshotName}-{shard}.rdb (0001, 0002, ...), as MemoryDB names them in S3. No
// snapshot is made by an export: it answers the source snapshot, `copying` until the files are
// written, and an object already there is never overwritten (that export fails instead).
import { BACKUP_ID, GcsBucket } from "@cacheplane/contracts";
import { ApiError } from "../../errors.js";
import { z } from "zod";
import { fault, invalidParameterCombination, invalidParameterValue, translating } from "../faults.js";
import { locationKey } from "../names.js";
import { page } from "../paging.js";
import { MaxResults, Name, NextToken, operation, Tags, type MemoryDbCall, type MemoryDbServices, type OperationTable } from "../registry.js";
import { clusterIdOf, clusterShapes, findClusterRow } from "../shapes/cluster.js";
import { findSnapshot, listSnapshots, snapshotNotFound, snapshotShape, snapshotStatuses, type BackupRow } from "../shapes/snapshot.js";
import { checkTags, deleteTags, writeTags } from "../tag-store.js";

const FAULTS = { notFound: "SnapshotNotFoundFault", alreadyExists: "SnapshotAlreadyExistsFault", invalidState: "InvalidSnapshotStateFault" };
const CLUSTER_FAULTS = { notFound: "ClusterNotFoundFault", alreadyExists: "SnapshotAlreadyExistsFault", invalidState: "InvalidClusterStateFault" };

/** A new snapshot's name, lower-cased as MemoryDB's names are, in the native backup id's rules. */
const NewSnapshotName = z
  .string()
  .min(1)
  .max(63)
  .transform((name) => name.toLowerCase())
  .refine((name) => BACKUP_ID.test(name), "must be 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit");
/** A name to look up: any, lower-cased (a name no snapshot can have is simply not found). */
const SnapshotName = Name.transform((name) => name.toLowerCase());

/** Snapshots are sealed under the project's data key; there is no customer key to choose. */
function refuseKmsKey(kmsKeyId: string | undefined) {
  if (kmsKeyId !== undefined) {
    throw invalidParameterValue(
      "KmsKeyId is not available here: every snapshot is sealed with AES-256-GCM under the project's own data key, itself sealed under the control plane's master key",
    );
  }
}

/** A snapshot name taken is refused before the cluster's state is looked at, as MemoryDB does (the
 *  native call checks the name again, under a lock, in the transaction that takes it). */
async function refuseTakenName(services: MemoryDbServices, call: MemoryDbCall, name: string) {
  const taken = await services.ctx.prisma.backup.count({ where: { backupId: name, collection: { projectId: call.project, locationId: call.region } } });
  if (taken > 0) throw fault("SnapshotAlreadyExistsFault", `Snapshot ${name} already exists`);
}

const SOURCES: Record<string, string> = { automated: "AUTOMATED", system: "AUTOMATED", manual: "ON_DEMAND", user: "ON_DEMAND" };

/**
 * DeleteCluster with FinalSnapshotName: the cluster is backed up to that snapshot, and deleted once
 * the snapshot is available (native DELETE …/clusters/{c}?finalBackupId=). The cluster must be
 * available (InvalidClusterStateFault otherwise); a snapshot name taken is SnapshotAlreadyExistsFault.
 */
export async function deleteClusterWithFinalSnapshot(services: MemoryDbServices, call: MemoryDbCall, clusterName: string, snapshotName: string) {
  const parsed = NewSnapshotName.safeParse(snapshotName);
  if (!parsed.success) throw invalidParameterValue(`Invalid FinalSnapshotName ${snapshotName}: ${parsed.error.issues[0]?.message}`);
  const row = await findClusterRow(services.ctx.prisma, locationKey(call), clusterName);
  await refuseTakenName(services, call, parsed.data);
  return translating(CLUSTER_FAULTS, () =>
    services.clusters.remove({ ...locationKey(call), cluster: row.instanceId }, undefined, { finalBackupId: parsed.data, uniqueInProject: true }),
  );
}

/**
 * MemoryDB deletes a cluster's automatic snapshots with the cluster (its manual ones, and a final
 * snapshot, stay); Memorystore keeps a deleted cluster's backups, so the native delete leaves them
 * and DeleteCluster removes them here. One still being taken, copied or restored from is left to
 * expire by its retention, as the native delete would refuse it now.
 */
export async function deleteAutomatedSnapshots(services: MemoryDbServices, call: MemoryDbCall, clusterUid: string) {
  const { prisma } = services.ctx;
  const automated = await prisma.backup.findMany({
    where: { collectionUid: clusterUid, backupType: "AUTOMATED", state: "ACTIVE" },
    select: { uid: true, backupId: true },
  });
  for (const b of automated) {
    const removed = await services.backups
      .remove({ ...locationKey(call), backupCollection: clusterUid, backup: b.backupId })
      .then(() => true)
      .catch((error: unknown) => {
        if (error instanceof ApiError && (error.status === "FAILED_PRECONDITION" || error.status === "NOT_FOUND")) return false;
        throw error;
      });
    if (removed) await deleteTags(prisma, b.uid);
  }
}

export function snapshotsOperations(services: MemoryDbServices): OperationTable {
  const { prisma } = services.ctx;
  const nativeKey = (call: MemoryDbCall, b: BackupRow) => ({ ...locationKey(call), backupCollection: b.collectionUid, backup: b.backupId });
  const found = async (call: MemoryDbCall, name: string) => (await findSnapshot(prisma, call.project, call.region, name)).backup;

  /** The MemoryDB shapes of backups, with their statuses and source clusters read once. */
  async function shapes(call: MemoryDbCall, backups: BackupRow[], showDetail = false) {
    const statuses = await snapshotStatuses(prisma, backups);
    const rows = await prisma.instance.findMany({
      where: { uid: { in: [...new Set(backups.map((b) => b.collectionUid))] }, kind: "CLUSTER" },
      include: { nodes: true },
    });
    const clusters = new Map((await clusterShapes(prisma, call.region, rows)).map((c, i) => [rows[i]!.uid, c]));
    return backups.map((b) => snapshotShape(b, { region: call.region, status: statuses.get(b.uid)!, cluster: clusters.get(b.collectionUid), showDetail }));
  }
  const one = async (call: MemoryDbCall, b: BackupRow) => (await shapes(call, [b]))[0]!;

  return {
    CreateSnapshot: operation(
      "write",
      z.object({ ClusterName: Name, SnapshotName: NewSnapshotName, KmsKeyId: z.string().max(2048).optional(), Tags }),
      async (input, call) => {
        refuseKmsKey(input.KmsKeyId);
        checkTags(input.Tags);
        const row = await findClusterRow(prisma, locationKey(call), input.ClusterName);
        await refuseTakenName(services, call, input.SnapshotName);
        await translating(CLUSTER_FAULTS, () =>
          services.backups.backup("CLUSTER", { ...locationKey(call), id: row.instanceId }, { backupId: input.SnapshotName }, { uniqueInProject: true }),
        );
        const backup = await found(call, input.SnapshotName);
        await writeTags(prisma, call.project, backup.uid, input.Tags);
        return { Snapshot: await one(call, backup) };
      },
    ),

    DescribeSnapshots: operation(
      "read",
      z.object({
        ClusterName: Name.optional(),
        SnapshotName: SnapshotName.optional(),
        Source: z.string().max(32).optional(),
        ShowDetail: z.boolean().optional(),
        MaxResults,
        NextToken,
      }),
      async (input, call) => {
        const backupType = input.Source === undefined ? undefined : SOURCES[input.Source.toLowerCase()];
        if (input.Source !== undefined && !backupType)
          throw invalidParameterValue(`Invalid Source ${input.Source}: use automated (or system) or manual (or user)`);
        let backups = input.SnapshotName !== undefined ? [await found(call, input.SnapshotName)] : await listSnapshots(prisma, locationKey(call));
        // By the cluster's name, so a deleted cluster's snapshots are found too.
        if (input.ClusterName !== undefined) {
          const id = clusterIdOf(input.ClusterName);
          backups = backups.filter((b) => b.collection.sourceName.endsWith(`/clusters/${id}`));
        }
        if (backupType) backups = backups.filter((b) => b.backupType === backupType);
        if (input.SnapshotName !== undefined && backups.length === 0) throw snapshotNotFound(input.SnapshotName);
        const { items, NextToken } = page(backups, (b) => `${b.backupId}/${b.collectionUid}`, input.MaxResults, input.NextToken);
        return { Snapshots: await shapes(call, items, input.ShowDetail ?? false), ...(NextToken ? { NextToken } : {}) };
      },
    ),

    CopySnapshot: operation(
      "write",
      z.object({
        SourceSnapshotName: SnapshotName,
        TargetSnapshotName: NewSnapshotName,
        TargetBucket: z.string().max(255).optional(),
        KmsKeyId: z.string().max(2048).optional(),
        Tags,
      }),
      async (input, call) => {
        refuseKmsKey(input.KmsKeyId);
        checkTags(input.Tags);
        const source = await found(call, input.SourceSnapshotName);
        if (input.TargetBucket !== undefined) {
          const bucket = GcsBucket.safeParse(input.TargetBucket);
          if (!bucket.success) throw invalidParameterValue(`Invalid TargetBucket ${input.TargetBucket}: ${bucket.error.issues[0]?.message}`);
          if (input.Tags?.length) throw invalidParameterCombination("Tags cannot be given with TargetBucket: an export makes no snapshot to tag");
          await translating(FAULTS, () => services.backups.export(nativeKey(call, source), bucket.data, undefined, input.TargetSnapshotName));
          return { Snapshot: await one(call, source) };
        }
        await translating(FAULTS, () => services.backups.copy(nativeKey(call, source), { backupId: input.TargetSnapshotName }, { uniqueInProject: true }));
        const copy = await found(call, input.TargetSnapshotName);
        await writeTags(prisma, call.project, copy.uid, input.Tags);
        return { Snapshot: await one(call, copy) };
      },
    ),

    DeleteSnapshot: operation("write", z.object({ SnapshotName }), async (input, call) => {
      const backup = await found(call, input.SnapshotName);
      await translating(FAULTS, () => services.backups.remove(nativeKey(call, backup)));
      // The tags go with the snapshot: nothing else could name its uid again.
      await deleteTags(prisma, backup.uid);
      return { Snapshot: await one(call, { ...backup, state: "DELETING" }) };
    }),
  };
}
