// The stored desired spec of a cluster (the Cluster's input fields, normalized by the api) and
// what follows from it for every node. Shared by the api (sizes it shows) and the worker.
import type { StoredAutomatedBackupConfig } from "./backup-schedule.js";

/** Memory per node of each Memorystore for Redis Cluster node type, in GB (Google's figures). */
export const NODE_TYPE_GB = {
  REDIS_SHARED_CORE_NANO: 1.4,
  REDIS_STANDARD_SMALL: 6.5,
  REDIS_HIGHMEM_MEDIUM: 13,
  REDIS_HIGHMEM_XLARGE: 58,
} as const;
export type NodeType = keyof typeof NODE_TYPE_GB;
export const DEFAULT_NODE_TYPE: NodeType = "REDIS_HIGHMEM_MEDIUM";

export interface StoredClusterSpec {
  shardCount: number;
  /** Replicas per shard. */
  replicaCount: number;
  nodeType: NodeType;
  redisVersion: string;
  authorizationMode: "AUTH_MODE_DISABLED";
  /** SERVER_AUTHENTICATION: TLS only, with the cluster's own CA (tls-plan.ts). */
  transitEncryptionMode: "TRANSIT_ENCRYPTION_MODE_DISABLED" | "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION";
  persistenceConfig: {
    mode: "DISABLED" | "RDB" | "AOF";
    rdbConfig?: { rdbSnapshotPeriod?: "ONE_HOUR" | "SIX_HOURS" | "TWELVE_HOURS" | "TWENTY_FOUR_HOURS"; rdbSnapshotStartTime?: string };
    aofConfig?: { appendFsync?: "NO" | "EVERYSEC" | "ALWAYS" };
  };
  redisConfigs: Record<string, string>;
  zoneDistributionConfig: { mode: "MULTI_ZONE" | "SINGLE_ZONE"; zone?: string };
  deletionProtectionEnabled: boolean;
  /** The ACL whose users every node has; absent on clusters made before ACLs: open-access. */
  aclName?: string;
  /** Absent on clusters made before automated backups existed: disabled. */
  automatedBackupConfig?: StoredAutomatedBackupConfig;
  labels: Record<string, string>;
  /** MemoryDB's attributes with no Memorystore twin (absent when never set). */
  description?: string;
  parameterGroupName?: string;
  subnetGroupName?: string;
}
