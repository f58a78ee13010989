// The MemoryDB Cluster shape of a native cluster: the same Instance row (kind CLUSTER) the native
// API shows, read through core's clusterView, in MemoryDB's names and statuses. Nothing here is
// stored apart from the cluster; what MemoryDB shows and Memorystore lacks is derived: the status
// from the native state and a backup in flight, pending updates from the observed slots and the
// cluster's events, windows from the stored policies (windows.ts).
import {
  clusterView,
  OPEN_ACCESS,
  ORDINALS_PER_SHARD,
  reshardProgress,
  servedSlotCounts,
  shardId,
  slotsBalanced,
  type StoredClusterSpec,
  type StoredMaintenanceSpec,
} from "@cacheplane/core";
import type { Instance, Node, PrismaClient } from "@cacheplane/db";
import type { NodeType, RedisVersion } from "@cacheplane/contracts";
import type { z } from "zod";
import { defaultParameterGroupName } from "../../services/parameter-group-service.js";
import { DEFAULT_SUBNET_GROUP } from "../../services/subnet-group-service.js";
import { enginePatchVersionOf } from "../engine-versions.js";
import { fault } from "../faults.js";
import { arn, availabilityZoneOf, awsTime, engineOf, memorydbNodeTypeOf } from "../names.js";
import { maintenanceWindowOf, snapshotWindowOf } from "../windows.js";
import { snapshottingClusters } from "./snapshot.js";

export type ClusterRow = Instance & { nodes: Node[] };
type Spec = StoredClusterSpec & StoredMaintenanceSpec;

/** What the shape needs beyond the row, read for a page of clusters at once (loadExtras). */
export interface ClusterExtras {
  /** A backup of the cluster is being taken. */
  snapshotting: boolean;
  /** Slots moved since the shard count last changed (SLOTS_MOVED events); undefined when none changed. */
  movedSlots?: number | undefined;
  /** The latest update named aclName and has not converged yet. */
  aclChanging: boolean;
}

/** MemoryDB's lower-case names: stored as given once lower-cased, found the same way. */
export const clusterIdOf = (name: string) => name.toLowerCase();

export const clusterNotFound = (name: string) => fault("ClusterNotFoundFault", `Cluster ${name} not found`);

export function statusOf(row: Pick<Instance, "state" | "deleteRequested" | "generation" | "observedGeneration">, snapshotting: boolean): string {
  if (row.deleteRequested || row.state === "DELETING") return "deleting";
  if (row.state === "CREATING") return "creating";
  if (snapshotting) return "snapshotting";
  // available only once every change asked for has reached the nodes: then the cluster takes the
  // next request (a snapshot, an update) rather than refusing it as not ready.
  if (row.state === "READY" && row.observedGeneration >= row.generation) return "available";
  // Resharding, scaling, repair, failover, maintenance: the cluster serves but is not as specified.
  return "updating";
}

const NODE_STATUS: Record<string, string> = { READY: "available", CREATING: "creating" };
const nodeStatusOf = (state: string | undefined) => NODE_STATUS[state ?? "READY"] ?? (state ?? "").toLowerCase();

/** A node's MemoryDB name: its shard's, then its place in the shard from 001 (core's node
 *  ordinals leave each shard ORDINALS_PER_SHARD of them, so a replacement node gets a new name). */
const nodeName = (shard: number, ordinal: number) => `${shardId(shard)}-${String((ordinal % ORDINALS_PER_SHARD) + 1).padStart(3, "0")}`;

function retentionDays(spec: Spec): number {
  const backups = spec.automatedBackupConfig;
  if (backups?.automatedBackupMode !== "ENABLED") return 0;
  return Math.round(Number(String(backups.retention ?? "0s").slice(0, -1)) / 86_400);
}

/** The MemoryDB Cluster of a row. `showShards`: DescribeClusters' ShowShardDetails. */
export function clusterShape(row: ClusterRow, region: string, extras: ClusterExtras, showShards: boolean) {
  const spec = row.spec as unknown as Spec;
  const view = clusterView({ ...row, spec: row.spec as Record<string, unknown> });
  const redisVersion = spec.redisVersion as z.infer<typeof RedisVersion>;
  const { engine, version } = engineOf(redisVersion);
  const status = statusOf(row, extras.snapshotting);
  const served = servedSlotCounts(row.slotRanges);
  const slotsOf = (shard: number) => (row.slotRanges as Record<string, string[]> | null)?.[String(shard)];
  const serving = [...served.values()].filter((count) => count > 0).length;
  const retiring = row.nodes.some((n) => n.shard >= spec.shardCount);
  const resharding = status === "updating" && extras.movedSlots !== undefined && served.size > 0 && (!slotsBalanced(served, spec.shardCount) || retiring);
  const pending = {
    ...(resharding
      ? {
          Resharding: {
            SlotMigration: {
              ProgressPercentage: reshardProgress({ slotRanges: row.slotRanges, shardCount: spec.shardCount, movedSlots: extras.movedSlots ?? 0 }),
            },
          },
        }
      : {}),
    ...(extras.aclChanging && status === "updating" ? { ACLs: { ACLToApply: spec.aclName ?? OPEN_ACCESS } } : {}),
  };
  const patch = enginePatchVersionOf(redisVersion);
  const snapshotWindow = snapshotWindowOf(spec.automatedBackupConfig?.fixedFrequencySchedule?.startTime);
  const maintenanceWindow = maintenanceWindowOf(spec.maintenancePolicy);
  const endpoint = (view.discoveryEndpoints as { address: string; port: number }[] | undefined)?.[0];
  const shards = (view.shards as { id: string; nodes: { id: string }[] }[]).map((shard, index) => {
    const nodes = row.nodes.filter((n) => n.shard === index).sort((a, b) => a.ordinal - b.ordinal);
    const ranges = slotsOf(index);
    const shardStatus =
      index >= spec.shardCount
        ? "deleting"
        : nodes.length === 0 || status === "creating"
          ? "creating"
          : nodes.every((n) => n.state === "READY")
            ? "available"
            : "modifying";
    return {
      Name: shard.id,
      Status: shardStatus,
      ...(ranges && ranges.length > 0 ? { Slots: ranges.join(",") } : {}),
      Nodes: nodes.map((n) => ({
        Name: nodeName(index, n.ordinal),
        Status: nodeStatusOf(n.state),
        AvailabilityZone: availabilityZoneOf(n.zone, row.locationId),
        CreateTime: awsTime(n.createTime),
        Endpoint: { Address: n.host, Port: n.port },
      })),
      NumberOfNodes: nodes.length,
    };
  });
  return {
    Name: row.instanceId,
    ...(spec.description ? { Description: spec.description } : {}),
    Status: status,
    ...(Object.keys(pending).length > 0 ? { PendingUpdates: pending } : {}),
    // Shards serving slots, once any are seen: a new shard counts from its first slot, a removed
    // one until its last has moved.
    NumberOfShards: serving > 0 ? serving : spec.shardCount,
    ...(showShards ? { Shards: shards } : {}),
    AvailabilityMode: spec.zoneDistributionConfig?.mode === "SINGLE_ZONE" || spec.replicaCount === 0 ? "singleaz" : "multiaz",
    ...(endpoint ? { ClusterEndpoint: { Address: endpoint.address, Port: endpoint.port } } : {}),
    NodeType: memorydbNodeTypeOf(spec.nodeType as z.infer<typeof NodeType>),
    Engine: engine,
    EngineVersion: version,
    ...(patch ? { EnginePatchVersion: patch } : {}),
    ParameterGroupName: spec.parameterGroupName ?? defaultParameterGroupName(redisVersion),
    // A group's parameters are the cluster's redisConfigs, applied with the update that set them.
    ParameterGroupStatus: "in-sync",
    SubnetGroupName: spec.subnetGroupName ?? DEFAULT_SUBNET_GROUP,
    TLSEnabled: spec.transitEncryptionMode === "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION",
    ARN: arn(region, row.projectId, "cluster", row.instanceId),
    SnapshotRetentionLimit: retentionDays(spec),
    ...(maintenanceWindow ? { MaintenanceWindow: maintenanceWindow } : {}),
    ...(snapshotWindow ? { SnapshotWindow: snapshotWindow } : {}),
    ACLName: spec.aclName ?? OPEN_ACCESS,
    // Released maintenance versions are applied by themselves, in the maintenance window.
    AutoMinorVersionUpgrade: true,
    DataTiering: "false",
    NetworkType: "ipv4",
    IpDiscovery: "ipv4",
  };
}
export type MemoryDbCluster = ReturnType<typeof clusterShape>;

/** Update events name the fields they change ("Update requested: shardCount, replicaCount", see
 *  services/mutations.ts); an upgrade's event lists them after its "; ". */
const UPDATE_EVENTS = ["UPDATE_REQUESTED", "UPGRADE_REQUESTED"];
const SLOTS_MOVED = /^(\d+) slots moved/;

/** The extras of each row, in a few queries for the whole page. */
export async function loadExtras(prisma: PrismaClient, rows: readonly ClusterRow[]): Promise<Map<string, ClusterExtras>> {
  const inFlight = await snapshottingClusters(
    prisma,
    rows.map((r) => r.uid),
  );
  const extras = new Map<string, ClusterExtras>();
  for (const row of rows) {
    const entry: ClusterExtras = { snapshotting: inFlight.has(row.uid), aclChanging: false };
    extras.set(row.uid, entry);
    // Only a cluster still converging has pending updates to look for.
    if (row.state === "READY" || row.state === "CREATING" || row.deleteRequested || row.observedGeneration >= row.generation) continue;
    const updates = await prisma.event.findMany({ where: { instanceUid: row.uid, type: { in: UPDATE_EVENTS } }, orderBy: { id: "desc" }, take: 1 });
    const latest = updates[0];
    if (!latest) continue;
    entry.aclChanging = /\baclName\b/.test(latest.message);
    const reshard = /\bshardCount\b/.test(latest.message)
      ? latest
      : await prisma.event.findFirst({
          where: { instanceUid: row.uid, type: { in: UPDATE_EVENTS }, message: { contains: "shardCount" } },
          orderBy: { id: "desc" },
        });
    if (!reshard) continue;
    const moves = await prisma.event.findMany({ where: { instanceUid: row.uid, type: "SLOTS_MOVED", id: { gt: reshard.id } }, select: { message: true } });
    entry.movedSlots = moves.reduce((sum, e) => sum + Number(SLOTS_MOVED.exec(e.message)?.[1] ?? 0), 0);
  }
  return extras;
}

/** The MemoryDB shapes of rows, in their order. */
export async function clusterShapes(prisma: PrismaClient, region: string, rows: readonly ClusterRow[], showShards = false) {
  const extras = await loadExtras(prisma, rows);
  return rows.map((row) => clusterShape(row, region, extras.get(row.uid)!, showShards));
}

/** The row of a cluster by MemoryDB name; ClusterNotFoundFault when there is none. */
export async function findClusterRow(prisma: PrismaClient, key: { project: string; location: string }, name: string): Promise<ClusterRow> {
  const row = await prisma.instance.findUnique({
    where: { projectId_locationId_kind_instanceId: { projectId: key.project, locationId: key.location, kind: "CLUSTER", instanceId: clusterIdOf(name) } },
    include: { nodes: true },
  });
  if (!row) throw clusterNotFound(name);
  return row;
}
