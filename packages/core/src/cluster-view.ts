// How a cluster looks on the wire (Memorystore for Redis Cluster v1), from its stored record.
// Shared by the api (GET, list) and the worker (the Cluster an Operation returns). Only the
// Cluster's own fields are copied from the spec (redisVersion is one, as our addition).
import { NODE_TYPE_GB, type StoredClusterSpec } from "./cluster-spec.js";
import { OPEN_ACCESS } from "./acl.js";
import {
  maintenancePolicyView,
  maintenanceScheduleView,
  maintenanceVersionOf,
  nodeEngineView,
  type NodeRecord,
  type StoredMaintenanceSpec,
} from "./instance-view.js";

export const clusterName = (project: string, location: string, cluster: string) => `projects/${project}/locations/${location}/clusters/${cluster}`;

export interface ClusterNodeRecord extends NodeRecord {
  /** Index of the node's shard, from 0. */
  shard: number;
}

export interface ClusterRecord {
  uid: string;
  projectId: string;
  locationId: string;
  /** The cluster's id (clusters share the Instance table, with kind CLUSTER). */
  instanceId: string;
  /** The stored desired spec, a StoredClusterSpec. */
  spec: Record<string, unknown>;
  state: string;
  statusMessage: string;
  host: string | null;
  port: number | null;
  createTime: Date;
  /** The Instance.maintenanceSchedule column: a schedule, or only `{failedVersion}`. */
  maintenanceSchedule?: unknown;
  nodes: ClusterNodeRecord[];
  /** Observed by the worker: the ranges each shard's primary serves ({"0": ["0-5461"]}). */
  slotRanges?: unknown;
}

/** The stored slotRanges column as a map by shard index (nothing when never observed). */
function servedSlots(value: unknown): Map<number, string[]> | undefined {
  if (!value || typeof value !== "object") return undefined;
  return new Map(Object.entries(value as Record<string, string[]>).map(([shard, ranges]) => [Number(shard), ranges]));
}

export type ClusterWireState = "CREATING" | "ACTIVE" | "UPDATING" | "DELETING";

/** Memorystore Cluster knows four states: repair, failover and maintenance all show as UPDATING,
 *  since the cluster serves meanwhile but is not yet as specified. */
export function clusterState(state: string): ClusterWireState {
  switch (state) {
    case "READY":
      return "ACTIVE";
    case "CREATING":
    case "DELETING":
      return state;
    default:
      return "UPDATING";
  }
}

/** Shard index (from 0) to its wire id: 1-based, zero-padded, "0001". */
export const shardId = (index: number) => String(index + 1).padStart(4, "0");
/** A wire shard id ("0001") to its index (0); the id's format is checked by the contract. */
export const shardIndex = (id: string) => Number(id) - 1;

/**
 * Memorystore: "size_gb shows the size of the cluster rounded up to the next integer,
 * precise_size_gb the exact size", and a cluster's capacity "is determined by the number of
 * shards" and the node type (About scaling instance capacity). Replicas hold copies of their
 * primary's keyspace and add none, so the size is shardCount x the node type's memory.
 */
export function clusterSize(spec: Pick<StoredClusterSpec, "shardCount" | "nodeType">) {
  // Rounded to MB-ish precision: 3 x 1.4 is 4.2, not 4.199999999999999.
  const preciseSizeGb = Math.round(spec.shardCount * NODE_TYPE_GB[spec.nodeType] * 1000) / 1000;
  return { sizeGb: Math.ceil(preciseSizeGb), preciseSizeGb };
}

/**
 * The wire Cluster. `slotsByShard` is what the worker saw the primaries own; without it, an
 * ACTIVE cluster shows the balanced layout and any other state shows no slots (mid-reshard the
 * api cannot know them without asking a node).
 */
/** Slots are shown as the worker last saw the primaries serve them (the truth, mid-reshard
 *  too), never as the layout the spec implies. */
export function clusterView(record: ClusterRecord) {
  const spec = record.spec as unknown as StoredClusterSpec & StoredMaintenanceSpec;
  const state = clusterState(record.state);
  const slots = servedSlots(record.slotRanges);
  const nodesByShard = new Map<number, ClusterNodeRecord[]>();
  for (let s = 0; s < spec.shardCount; s++) nodesByShard.set(s, []);
  for (const node of record.nodes) (nodesByShard.get(node.shard) ?? nodesByShard.set(node.shard, []).get(node.shard)!).push(node);
  const shards = [...nodesByShard.keys()]
    .sort((a, b) => a - b)
    .map((shard) => ({
      id: shardId(shard),
      ...(slots?.get(shard) ? { slots: [...slots.get(shard)!] } : {}),
      nodes: nodesByShard
        .get(shard)!
        .sort((a, b) => a.ordinal - b.ordinal)
        .map((n) => ({
          id: n.id,
          zone: n.zone,
          role: n.role === "REPLICA" ? ("REPLICA" as const) : ("PRIMARY" as const),
          state: n.state ?? "READY",
          host: n.host,
          port: n.port,
          ...nodeEngineView(n, record.spec),
        })),
    }));
  const view: Record<string, unknown> = {
    name: clusterName(record.projectId, record.locationId, record.instanceId),
    uid: record.uid,
    createTime: record.createTime.toISOString(),
    state,
    ...(state === "UPDATING" ? { stateInfo: { updateInfo: { targetShardCount: spec.shardCount, targetReplicaCount: spec.replicaCount } } } : {}),
    shardCount: spec.shardCount,
    replicaCount: spec.replicaCount,
    nodeType: spec.nodeType,
    ...clusterSize(spec),
    authorizationMode: spec.authorizationMode,
    transitEncryptionMode: spec.transitEncryptionMode,
    redisConfigs: spec.redisConfigs,
    persistenceConfig: spec.persistenceConfig,
    zoneDistributionConfig: spec.zoneDistributionConfig,
    deletionProtectionEnabled: spec.deletionProtectionEnabled,
    aclName: spec.aclName ?? OPEN_ACCESS,
    automatedBackupConfig: spec.automatedBackupConfig,
    redisVersion: spec.redisVersion,
    maintenancePolicy: maintenancePolicyView(spec.maintenancePolicy),
    maintenanceVersion: maintenanceVersionOf(record.spec),
    maintenanceSchedule: maintenanceScheduleView(record.maintenanceSchedule),
    labels: spec.labels,
    description: spec.description,
    parameterGroupName: spec.parameterGroupName,
    subnetGroupName: spec.subnetGroupName,
    ...(record.host && record.port ? { discoveryEndpoints: [{ address: record.host, port: record.port }] } : {}),
    shards,
    statusMessage: record.statusMessage || undefined,
  };
  for (const key of Object.keys(view)) if (view[key] === undefined) delete view[key];
  return view;
}
