// The Cluster resource, in the shape of Memorystore for Redis Cluster v1 (camelCase JSON): N
// shards of a primary and `replicaCount` replicas each, cluster mode on. As with Instance, one
// schema for input and output; output-only fields are marked readOnly.
import { z } from "zod";
import { GcsSource, ManagedBackupSource } from "./gcs.js";
import { AutomatedBackupConfig } from "./automated-backup.js";
import { RedisConfigs } from "./redis-configs.js";
import { InstanceEvent, Labels, NodeInfo, outputOnly } from "./instance.js";
import { maintenanceFields, RedisVersion } from "./maintenance.js";
import { AclName } from "./acl-name.js";

export const NodeType = z.enum(["REDIS_SHARED_CORE_NANO", "REDIS_STANDARD_SMALL", "REDIS_HIGHMEM_MEDIUM", "REDIS_HIGHMEM_XLARGE"]);
export const ClusterState = z.enum(["STATE_UNSPECIFIED", "CREATING", "ACTIVE", "UPDATING", "DELETING"]);
export type ClusterState = z.infer<typeof ClusterState>;

/** Shard ids on the wire: 1-based and zero-padded, "0001" is the first shard. */
export const SHARD_ID = /^(?!0000)\d{4}$/;
export const ShardId = z.string().regex(SHARD_ID, "must be a shard id such as '0001'");

export const ClusterPersistenceConfig = z
  .strictObject({
    mode: z.enum(["PERSISTENCE_MODE_UNSPECIFIED", "DISABLED", "RDB", "AOF"]).optional().meta({ description: "DISABLED when unspecified." }),
    rdbConfig: z
      .strictObject({
        rdbSnapshotPeriod: z.enum(["SNAPSHOT_PERIOD_UNSPECIFIED", "ONE_HOUR", "SIX_HOURS", "TWELVE_HOURS", "TWENTY_FOUR_HOURS"]).optional(),
        rdbSnapshotStartTime: z.iso.datetime().optional(),
      })
      .optional()
      .meta({ description: "Only with mode RDB; the period defaults to TWENTY_FOUR_HOURS." }),
    aofConfig: z
      .strictObject({ appendFsync: z.enum(["APPEND_FSYNC_UNSPECIFIED", "NO", "EVERYSEC", "ALWAYS"]).optional() })
      .optional()
      .meta({ description: "Only with mode AOF; appendFsync defaults to EVERYSEC." }),
  })
  .meta({ id: "ClusterPersistenceConfig" });

export const ZoneDistributionConfig = z
  .strictObject({
    mode: z.enum(["ZONE_DISTRIBUTION_MODE_UNSPECIFIED", "MULTI_ZONE", "SINGLE_ZONE"]).optional().meta({ description: "MULTI_ZONE when unspecified." }),
    zone: z.string().max(63).optional().meta({ description: "Required with SINGLE_ZONE (one of the location's zones); not allowed with MULTI_ZONE." }),
  })
  .meta({ id: "ZoneDistributionConfig" });

export const DiscoveryEndpoint = z
  .object({ address: z.string(), port: z.number().int() })
  .meta({ id: "DiscoveryEndpoint", description: "Where a cluster client starts: any node answers CLUSTER SLOTS / CLUSTER SHARDS." });

export const ClusterShard = z
  .object({
    id: z.string().meta({ description: "1-based, zero-padded: 0001 is the first shard." }),
    slots: z.array(z.string()).optional().meta({ description: "Hash slot ranges the shard owns, such as 0-5461; shown once the cluster is ACTIVE." }),
    nodes: z.array(NodeInfo),
  })
  .meta({ id: "ClusterShard", description: "cacheplane addition: a shard, its slots and its nodes." });

export const Cluster = z
  .strictObject({
    name: outputOnly(z.string().max(300), "projects/{project}/locations/{location}/clusters/{cluster}"),
    uid: outputOnly(z.string(), "Output only. System assigned, unique identifier."),
    createTime: outputOnly(z.iso.datetime(), "Output only."),
    state: outputOnly(ClusterState, "Output only."),
    stateInfo: outputOnly(
      z.object({
        updateInfo: z.object({ targetShardCount: z.number().int().optional(), targetReplicaCount: z.number().int().optional() }).optional(),
      }),
      "Output only. While UPDATING: the shard and replica counts being converged to.",
    ),
    shardCount: z.number().int().min(1).max(64).optional().meta({ description: "Required on create. Number of shards (1-64)." }),
    replicaCount: z.number().int().min(0).max(5).optional().meta({ description: "Replicas per shard (0-5, default 0)." }),
    nodeType: NodeType.optional().meta({ description: "Memory of each node; default REDIS_HIGHMEM_MEDIUM." }),
    sizeGb: outputOnly(z.number().int(), "Output only. Memory of the whole cluster in GB (the primaries' keyspace), rounded up."),
    preciseSizeGb: outputOnly(z.number(), "Output only. Memory of the whole cluster in GB (the primaries' keyspace)."),
    authorizationMode: z
      .enum(["AUTH_MODE_UNSPECIFIED", "AUTH_MODE_IAM_AUTH", "AUTH_MODE_DISABLED"])
      .optional()
      .meta({ description: "AUTH_MODE_DISABLED (the default) is the only mode available here." }),
    transitEncryptionMode: z
      .enum(["TRANSIT_ENCRYPTION_MODE_UNSPECIFIED", "TRANSIT_ENCRYPTION_MODE_DISABLED", "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION"])
      .optional()
      .meta({
        description:
          "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION: every node speaks TLS only (replication and the cluster bus too), with a " +
          "certificate from the cluster's own CA (GET …/certificateAuthority). Set at create only; a PATCH naming it is FAILED_PRECONDITION.",
      }),
    aclName: AclName.optional(),
    redisConfigs: RedisConfigs.optional(),
    persistenceConfig: ClusterPersistenceConfig.optional(),
    zoneDistributionConfig: ZoneDistributionConfig.optional(),
    deletionProtectionEnabled: z.boolean().optional().meta({ description: "While true, delete is refused (FAILED_PRECONDITION)." }),
    automatedBackupConfig: AutomatedBackupConfig.optional(),
    redisVersion: RedisVersion.optional().meta({
      description: "cacheplane addition: the engine version. Changing it (PATCH) upgrades the cluster shard by shard; downgrades are refused.",
    }),
    ...maintenanceFields,
    labels: Labels.optional(),
    description: z.string().max(255).optional().meta({ description: "cacheplane addition (MemoryDB's Description): free text." }),
    parameterGroupName: z
      .string()
      .max(255)
      .optional()
      .meta({
        description:
          "cacheplane addition: the MemoryDB parameter group (created through the MemoryDB API) whose parameters are this cluster's " +
          "redisConfigs. Set through the MemoryDB API; shown here.",
      }),
    subnetGroupName: z
      .string()
      .max(255)
      .optional()
      .meta({ description: "cacheplane addition: the MemoryDB subnet group (zones) the cluster was placed with. Set through the MemoryDB API; shown here." }),
    discoveryEndpoints: outputOnly(z.array(DiscoveryEndpoint), "Output only. Set once the cluster has an address."),
    shards: outputOnly(z.array(ClusterShard), "Output only. cacheplane addition: each shard with its slot ranges and nodes."),
    statusMessage: outputOnly(z.string(), "Output only. cacheplane addition: why the cluster is in its state."),
    managedBackupSource: ManagedBackupSource.optional().meta({
      description: "Create only: restore this backup (projects/…/backupCollections/…/backups/…) into the new cluster, whatever its shard count.",
    }),
    gcsSource: GcsSource.optional().meta({
      description: "Create only: load these RDB files (gs://bucket/object under the buckets root) into the new cluster.",
    }),
  })
  .meta({ id: "Cluster" });
export type Cluster = z.infer<typeof Cluster>;

/** Fields a client may name in `updateMask`, with the snake_case spelling Google also accepts. */
export const CLUSTER_UPDATABLE_FIELDS = {
  shardCount: "shard_count",
  replicaCount: "replica_count",
  nodeType: "node_type",
  redisConfigs: "redis_configs",
  persistenceConfig: "persistence_config",
  deletionProtectionEnabled: "deletion_protection_enabled",
  aclName: "acl_name",
  automatedBackupConfig: "automated_backup_config",
  redisVersion: "redis_version",
  maintenancePolicy: "maintenance_policy",
  maintenanceVersion: "maintenance_version",
  labels: "labels",
  description: "description",
  parameterGroupName: "parameter_group_name",
} as const;
export type ClusterUpdatableField = keyof typeof CLUSTER_UPDATABLE_FIELDS;

export const ListClustersResponse = z
  .object({
    clusters: z.array(Cluster),
    nextPageToken: z.string().optional(),
    unreachable: z.array(z.string()),
  })
  .meta({ id: "ListClustersResponse" });

/** cacheplane addition, after MemoryDB's FailoverShard: promote a replica of one shard. */
export const FailoverShardRequest = z
  .strictObject({
    shard: ShardId.meta({ description: "The shard's id, such as 0001." }),
    dataProtectionMode: z
      .enum(["LIMITED_DATA_LOSS", "FORCE_DATA_LOSS"])
      .optional()
      .meta({ description: "LIMITED_DATA_LOSS (default) refuses when the shard's best replica lags more than 30 MB." }),
  })
  .meta({ id: "FailoverShardRequest" });

export const ListClusterEventsResponse = z
  .object({ events: z.array(InstanceEvent), nextPageToken: z.string().optional() })
  .meta({ id: "ListClusterEventsResponse" });
