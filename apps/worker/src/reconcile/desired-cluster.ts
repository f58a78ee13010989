// From a stored cluster to what planCluster() and the driver need.
import {
  clusterNodeConfig,
  controlPassword,
  OPEN_ACCESS,
  NODE_TYPE_GB,
  nodeId,
  ORDINALS_PER_SHARD,
  placeNodes,
  type DesiredCluster,
  type StoredClusterSpec,
} from "@cacheplane/core";
import type { Instance as InstanceRow, Node as NodeRow } from "@cacheplane/db";
import { desiredEngine, keyOf } from "../upgrades/engines.js";

const GIB = 1024 ** 3;

export const storedClusterSpec = (row: InstanceRow) => row.spec as unknown as StoredClusterSpec;
export const isCluster = (row: Pick<InstanceRow, "kind">) => row.kind === "CLUSTER";

/** The recorded primary of a shard: the node recorded as PRIMARY, else the shard's first. */
export function shardPrimary(row: InstanceRow & { nodes: NodeRow[] }, shard: number): string {
  return row.nodes.find((n) => n.shard === shard && n.role === "PRIMARY")?.id ?? nodeId(row.uid, shard * ORDINALS_PER_SHARD);
}

export function clusterConfig(row: InstanceRow): Record<string, string> {
  const spec = storedClusterSpec(row);
  return clusterNodeConfig({
    // With an ACL other than open-access the default user is closed to clients (the control plane's own).
    controlPassword: controlPassword(row.authString, false, (spec.aclName ?? OPEN_ACCESS) !== OPEN_ACCESS) || undefined,
    maxmemoryBytes: Math.floor(NODE_TYPE_GB[spec.nodeType] * GIB),
    persistence: {
      mode: spec.persistenceConfig.mode,
      rdbSnapshotPeriod: spec.persistenceConfig.rdbConfig?.rdbSnapshotPeriod,
      appendFsync: spec.persistenceConfig.aofConfig?.appendFsync,
    },
    redisConfigs: spec.redisConfigs,
  });
}

export function desiredCluster(
  row: InstanceRow & { nodes: NodeRow[] },
  zones: string[],
  discoveryHost: string,
  downZones: string[],
  maxLagBytes: number,
): DesiredCluster {
  const spec = storedClusterSpec(row);
  const { mode, zone } = spec.zoneDistributionConfig;
  const shards = new Set([...Array.from({ length: spec.shardCount }, (_, i) => i), ...row.nodes.map((n) => n.shard)]);
  return {
    uid: row.uid,
    deleting: row.deleteRequested,
    shardCount: spec.shardCount,
    replicaCount: spec.replicaCount,
    // MULTI_ZONE: primaries go round the zones, each replica to a zone other than its primary's.
    zonesOf: (shard) =>
      mode === "SINGLE_ZONE" && zone
        ? new Array<string>(ORDINALS_PER_SHARD).fill(zone)
        : placeNodes({ zones, locationId: zones[shard % zones.length], nodeCount: ORDINALS_PER_SHARD }),
    primaryIds: new Map([...shards].map((s) => [s, shardPrimary(row, s)])),
    config: clusterConfig(row),
    discoveryHost,
    maxLagBytes,
    downZones,
    failover:
      row.failoverShard !== null && (row.failoverMode === "LIMITED_DATA_LOSS" || row.failoverMode === "FORCE_DATA_LOSS")
        ? { shard: row.failoverShard, mode: row.failoverMode }
        : undefined,
    engine: keyOf(desiredEngine(row)),
  };
}
