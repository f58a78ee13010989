// The MemoryDB Snapshot of a native backup: a Backup row of a cluster's backup collection (instances'
// backups are not MemoryDB's and are not shown). Snapshot Name = backupId. The status is derived:
// CREATING is `creating` (a copy being made too), DELETING `deleting`, an ACTIVE backup being copied
// or exported `copying`, one being restored from `restoring`, else `available`. ClusterConfiguration
// is what the backup recorded of its source (node type, engine, shards) and, while the source
// cluster still exists, the rest from the cluster as it is now.
import { assignUnowned, backupName, formatRanges, shardId, SLOT_COUNT } from "@cacheplane/core";
import { Prisma, type Backup, type BackupCollection, type PrismaClient } from "@cacheplane/db";
import type { NodeType, RedisVersion } from "@cacheplane/contracts";
import type { z } from "zod";
import { vpcIdOf } from "../../services/subnet-group-service.js";
import { fault, invalidParameterCombination } from "../faults.js";
import { arn, awsTime, engineOf, memorydbNodeTypeOf } from "../names.js";
import type { MemoryDbCluster } from "./cluster.js";

export type BackupRow = Backup & { collection: BackupCollection };

export const snapshotNotFound = (name: string) => fault("SnapshotNotFoundFault", `Snapshot ${name} not found`);

/** Where the snapshots are: the credentials' project, the region's location. */
export interface SnapshotWhere {
  project: string;
  location: string;
}

const inProject = (where: SnapshotWhere) => ({ projectId: where.project, locationId: where.location, sourceKind: "CLUSTER" });

/**
 * The native backup a MemoryDB snapshot name stands for, with its full native name
 * (`projects/…/backupCollections/…/backups/…`, what managedBackupSource takes). Missing:
 * SnapshotNotFoundFault. Snapshots made through MemoryDB have project-wide unique names; native
 * backup ids are unique per collection only, so a name two native backups share is refused
 * rather than guessed.
 */
export async function findSnapshot(prisma: PrismaClient, project: string, location: string, name: string): Promise<{ name: string; backup: BackupRow }> {
  const rows = await prisma.backup.findMany({
    where: { backupId: name, collection: inProject({ project, location }) },
    include: { collection: true },
    take: 2,
  });
  const [backup, other] = rows;
  if (!backup) throw snapshotNotFound(name);
  if (other)
    throw invalidParameterCombination(
      `Snapshot name ${name} is shared by backups of more than one cluster (made through the native API); name one there by its full name`,
    );
  return { name: backupName(project, location, backup.collectionUid, backup.backupId), backup };
}

/** The project's cluster snapshots, oldest first. */
export const listSnapshots = (prisma: PrismaClient, where: SnapshotWhere) =>
  prisma.backup.findMany({ where: { collection: inProject(where) }, include: { collection: true }, orderBy: { createTime: "asc" } });

/** Backups that are copies still being made: CREATING, but not from any node. */
async function copyTargets(prisma: PrismaClient): Promise<Set<string>> {
  const ops = await prisma.operation.findMany({ where: { verb: "copy", done: false, instanceUid: null }, select: { request: true } });
  return new Set(ops.map((op) => (op.request as { targetBackupUid?: string } | null)?.targetBackupUid).filter((uid): uid is string => !!uid));
}

/** The clusters (by uid) of which a backup is being taken: MemoryDB's `snapshotting`. A copy of one
 *  of their snapshots being made is not a backup of the cluster. */
export async function snapshottingClusters(prisma: PrismaClient, clusterUids: readonly string[]): Promise<Set<string>> {
  const creating = await prisma.backup.findMany({
    where: { collectionUid: { in: [...clusterUids] }, state: "CREATING" },
    select: { uid: true, collectionUid: true },
  });
  if (creating.length === 0) return new Set();
  const copies = await copyTargets(prisma);
  return new Set(creating.filter((b) => !copies.has(b.uid)).map((b) => b.collectionUid));
}

/** Whether a backup of this cluster is being taken. */
export const backupInFlight = async (prisma: PrismaClient, instanceUid: string) => (await snapshottingClusters(prisma, [instanceUid])).has(instanceUid);

/** Each backup's MemoryDB status, for a page of them in a few queries. */
export async function snapshotStatuses(prisma: PrismaClient, backups: readonly BackupRow[]): Promise<Map<string, string>> {
  const active = backups.filter((b) => b.state === "ACTIVE");
  const copying = new Set<string>();
  const restoring = new Set<string>();
  if (active.length > 0) {
    const uids = active.map((b) => b.uid);
    const names = new Map(active.map((b) => [backupName(b.collection.projectId, b.collection.locationId, b.collectionUid, b.backupId), b.uid]));
    const ops = await prisma.operation.findMany({
      where: { done: false, instanceUid: null, OR: [{ verb: "copy" }, { verb: "export", target: { in: [...names.keys()] } }] },
      select: { verb: true, target: true, request: true },
    });
    for (const op of ops) {
      const uid = op.verb === "copy" ? (op.request as { sourceBackupUid?: string } | null)?.sourceBackupUid : names.get(op.target);
      if (uid) copying.add(uid);
    }
    const jobs = await prisma.instance.findMany({ where: { dataJob: { not: Prisma.DbNull } }, select: { dataJob: true } });
    for (const { dataJob } of jobs) {
      const uid = (dataJob as { kind?: string; source?: { backupUid?: string } } | null)?.source?.backupUid;
      if (uid && uids.includes(uid)) restoring.add(uid);
    }
  }
  const statuses = new Map<string, string>();
  for (const b of backups) {
    const status =
      b.state === "CREATING"
        ? "creating"
        : b.state === "DELETING"
          ? "deleting"
          : copying.has(b.uid)
            ? "copying"
            : restoring.has(b.uid)
              ? "restoring"
              : "available";
    statuses.set(b.uid, status);
  }
  return statuses;
}

interface FileRecord {
  shard: number;
  sizeBytes: number;
  createTime: string;
}

/** What a restore into `shardCount` shards gives each shard: the balanced contiguous split. */
function balancedSlots(shardCount: number): string[] {
  const given = assignUnowned(new Int32Array(SLOT_COUNT).fill(-1), shardCount);
  return Array.from({ length: shardCount }, (_, i) => formatRanges(given.find((g) => g.shard === i)?.ranges ?? []).join(","));
}

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(bytes < 10_485_760 ? 2 : 0)} MB`;

export interface SnapshotContext {
  region: string;
  status: string;
  /** The source cluster as MemoryDB shows it now, while it exists. */
  cluster?: MemoryDbCluster | undefined;
  /** DescribeSnapshots' ShowDetail: the shards. */
  showDetail: boolean;
}

export function snapshotShape(b: BackupRow, ctx: SnapshotContext) {
  const { engine, version } = engineOf(b.engineVersion as z.infer<typeof RedisVersion>);
  const c = ctx.cluster;
  const files = (b.files ?? []) as unknown as FileRecord[];
  const slots = ctx.showDetail ? balancedSlots(b.shardCount) : [];
  const shards = Array.from({ length: b.shardCount }, (_, shard) => {
    const file = files.find((f) => f.shard === shard);
    return {
      Name: shardId(shard),
      Configuration: { Slots: slots[shard], ReplicaCount: b.replicaCount },
      ...(file ? { Size: megabytes(file.sizeBytes), SnapshotCreationTime: awsTime(file.createTime) } : {}),
    };
  });
  return {
    Name: b.backupId,
    Status: ctx.status,
    Source: b.backupType === "AUTOMATED" ? "automated" : "manual",
    ARN: arn(ctx.region, b.collection.projectId, "snapshot", b.backupId),
    ClusterConfiguration: {
      Name: b.collection.sourceName.slice(b.collection.sourceName.lastIndexOf("/") + 1),
      ...(c?.Description ? { Description: c.Description } : {}),
      NodeType: memorydbNodeTypeOf((b.nodeType ?? undefined) as z.infer<typeof NodeType> | undefined),
      Engine: engine,
      EngineVersion: version,
      ...(c?.MaintenanceWindow ? { MaintenanceWindow: c.MaintenanceWindow } : {}),
      ...(c?.ClusterEndpoint ? { Port: c.ClusterEndpoint.Port } : {}),
      ...(c ? { ParameterGroupName: c.ParameterGroupName, SubnetGroupName: c.SubnetGroupName, SnapshotRetentionLimit: c.SnapshotRetentionLimit } : {}),
      VpcId: vpcIdOf(b.collection.locationId),
      ...(c?.SnapshotWindow ? { SnapshotWindow: c.SnapshotWindow } : {}),
      NumShards: b.shardCount,
      ...(ctx.showDetail ? { Shards: shards } : {}),
    },
    // Sealed with AES-256-GCM under the project's data key, no customer key: no KmsKeyId.
    DataTiering: "false",
  };
}
export type MemoryDbSnapshot = ReturnType<typeof snapshotShape>;
