// The Instance resource, in the shape of Memorystore for Redis v1 (camelCase JSON).
// One schema for input and output, as Google's APIs do: output-only fields are marked
// readOnly and ignored when a client sends them back.
import { z } from "zod";
import { RedisConfigs } from "./redis-configs.js";
import { LocationId } from "./ids.js";
import { AutomatedBackupConfig } from "./automated-backup.js";
import { maintenanceFields, RedisVersion } from "./maintenance.js";
import { AclName } from "./acl-name.js";
import { TlsCertificate } from "./tls.js";

export { RedisVersion };

/** An output-only field: shown in responses, ignored when a client sends it back. */
export const outputOnly = <T extends z.ZodType>(schema: T, description: string) => schema.optional().meta({ readOnly: true, description });

const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
export const Labels = z
  .record(
    z.string().regex(LABEL_KEY, "label keys are 1-63 lowercase letters, digits, '_' or '-', starting with a letter"),
    z.string().regex(LABEL_VALUE, "label values are 0-63 lowercase letters, digits, '_' or '-'"),
  )
  .refine((labels) => Object.keys(labels).length <= 64, "at most 64 labels")
  .meta({ description: "Resource labels, as Google Cloud labels." });

export const Tier = z.enum(["BASIC", "STANDARD_HA"]);
export const InstanceState = z.enum([
  "STATE_UNSPECIFIED",
  "CREATING",
  "READY",
  "UPDATING",
  "DELETING",
  "REPAIRING",
  "MAINTENANCE",
  "IMPORTING",
  "FAILING_OVER",
]);
export type InstanceState = z.infer<typeof InstanceState>;

export const PersistenceConfig = z
  .strictObject({
    persistenceMode: z.enum(["DISABLED", "RDB"]).optional(),
    rdbSnapshotPeriod: z.enum(["ONE_HOUR", "SIX_HOURS", "TWELVE_HOURS", "TWENTY_FOUR_HOURS"]).optional(),
    rdbSnapshotStartTime: z.iso.datetime().optional(),
    rdbNextSnapshotTime: outputOnly(z.iso.datetime(), "Output only. When the next snapshot is due."),
  })
  .meta({ id: "PersistenceConfig" });
export type PersistenceConfig = z.infer<typeof PersistenceConfig>;

export const NodeInfo = z
  .object({
    id: z.string(),
    zone: z.string(),
    role: z.enum(["PRIMARY", "REPLICA"]).meta({ description: "cacheplane addition." }),
    state: z.enum(["CREATING", "READY", "UNHEALTHY", "DELETING"]).meta({ description: "cacheplane addition." }),
    host: z.string().meta({ description: "cacheplane addition: this node's own endpoint." }),
    port: z.number().int(),
    redisVersion: z.string().optional().meta({ description: "cacheplane addition: the engine version this node runs." }),
    maintenanceVersion: z.string().optional().meta({ description: "cacheplane addition: the maintenance version this node runs." }),
  })
  .meta({ id: "NodeInfo" });

export const Instance = z
  .strictObject({
    name: outputOnly(z.string().max(300), "projects/{project}/locations/{location}/instances/{instance}"),
    displayName: z.string().max(256).optional(),
    labels: Labels.optional(),
    locationId: LocationId.max(63).optional().meta({ description: "Zone of the primary node; chosen when omitted." }),
    alternativeLocationId: LocationId.max(63).optional(),
    redisVersion: RedisVersion.optional(),
    tier: Tier.optional().meta({ description: "Required on create." }),
    memorySizeGb: z.number().int().min(1).max(300).optional().meta({ description: "Required on create. Sets maxmemory." }),
    replicaCount: z.number().int().min(0).max(5).optional(),
    readReplicasMode: z.enum(["READ_REPLICAS_MODE_UNSPECIFIED", "READ_REPLICAS_DISABLED", "READ_REPLICAS_ENABLED"]).optional(),
    authEnabled: z.boolean().optional(),
    aclName: AclName.optional(),
    transitEncryptionMode: z
      .enum(["TRANSIT_ENCRYPTION_MODE_UNSPECIFIED", "SERVER_AUTHENTICATION", "DISABLED"])
      .optional()
      .meta({
        description:
          "SERVER_AUTHENTICATION: the endpoint speaks TLS only (replication too), with a certificate from the instance's own CA " +
          "(serverCaCerts). Set at create only; a PATCH naming it is FAILED_PRECONDITION.",
      }),
    persistenceConfig: PersistenceConfig.optional(),
    redisConfigs: RedisConfigs.optional(),
    automatedBackupConfig: AutomatedBackupConfig.optional().meta({
      description: "cacheplane addition, as Memorystore for Redis Cluster has it: a daily backup, kept for retention.",
    }),
    ...maintenanceFields,
    state: outputOnly(InstanceState, "Output only."),
    statusMessage: outputOnly(z.string(), "Output only. Why the instance is in its state."),
    host: outputOnly(z.string(), "Output only. The primary endpoint's address."),
    port: outputOnly(z.number().int(), "Output only. The primary endpoint's port."),
    readEndpoint: outputOnly(z.string(), "Output only."),
    readEndpointPort: outputOnly(z.number().int(), "Output only."),
    currentLocationId: outputOnly(z.string(), "Output only. Zone of the current primary."),
    serverCaCerts: outputOnly(
      z.array(TlsCertificate),
      "Output only. With SERVER_AUTHENTICATION: the CAs to verify the instance with (two during a rotation: trust both).",
    ),
    nodes: outputOnly(z.array(NodeInfo), "Output only. The instance's data nodes."),
    createTime: outputOnly(z.iso.datetime(), "Output only."),
    ttl: z
      .string()
      .regex(/^\d{1,7}s$/, "must be a duration in seconds such as '1800s'")
      .refine((v) => {
        const seconds = Number(v.slice(0, -1));
        return seconds >= 10 && seconds <= 30 * 86400;
      }, "must be between 10s and 30 days")
      .optional()
      .meta({ writeOnly: true, description: "cacheplane addition, create only: delete the instance this long after creation (for test caches)." }),
    expireTime: outputOnly(z.iso.datetime(), "cacheplane addition. When the instance is deleted, if it was created with a ttl."),
  })
  .meta({ id: "Instance" });
export type Instance = z.infer<typeof Instance>;

/** Fields a client may name in `updateMask`, with the snake_case spelling Google also accepts. */
export const UPDATABLE_FIELDS = {
  displayName: "display_name",
  labels: "labels",
  memorySizeGb: "memory_size_gb",
  redisConfigs: "redis_configs",
  authEnabled: "auth_enabled",
  aclName: "acl_name",
  persistenceConfig: "persistence_config",
  replicaCount: "replica_count",
  readReplicasMode: "read_replicas_mode",
  automatedBackupConfig: "automated_backup_config",
  maintenancePolicy: "maintenance_policy",
  maintenanceVersion: "maintenance_version",
} as const;
export type UpdatableField = keyof typeof UPDATABLE_FIELDS;

export const ListInstancesResponse = z
  .object({
    instances: z.array(Instance),
    nextPageToken: z.string().optional(),
    unreachable: z.array(z.string()),
  })
  .meta({ id: "ListInstancesResponse" });

export const InstanceAuthString = z.object({ authString: z.string().optional() }).meta({ id: "InstanceAuthString" });

/** Memorystore's FailoverInstanceRequest. */
export const FailoverInstanceRequest = z
  .strictObject({
    dataProtectionMode: z
      .enum(["LIMITED_DATA_LOSS", "FORCE_DATA_LOSS"])
      .optional()
      .meta({ description: "LIMITED_DATA_LOSS (default) refuses when the best replica lags more than 30 MB, and otherwise loses no acknowledged write." }),
  })
  .meta({ id: "FailoverInstanceRequest" });

export const InstanceEvent = z
  .object({ time: z.iso.datetime(), type: z.string(), message: z.string() })
  .meta({ id: "InstanceEvent", description: "cacheplane addition: what happened to an instance." });

export const ListInstanceEventsResponse = z
  .object({ events: z.array(InstanceEvent), nextPageToken: z.string().optional() })
  .meta({ id: "ListInstanceEventsResponse" });
