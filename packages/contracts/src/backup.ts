// Backups and backup collections, in the shape of Memorystore for Redis Cluster v1
// (…/backupCollections/{bc}/backups/{b}); instances have them too, as a cacheplane addition.
import { z } from "zod";
import { NodeType } from "./cluster.js";
import { LocationParams } from "./requests.js";
import { BackupId, RequestId } from "./ids.js";
import { GcsBucket, GcsUri, ManagedBackupSource } from "./gcs.js";

/** Backup collections are named by the uid of the instance or cluster they hold backups of. */
export const BackupCollectionId = z
  .string()
  .max(63)
  .regex(/^[a-z0-9-]{1,63}$/, "must be a backup collection id");

const DAY_S = 86_400;
const HUNDRED_YEARS_S = 100 * 365 * DAY_S;
/** A protobuf Duration ("86400s"), 1 day to 100 years, as Memorystore bounds a backup's ttl. */
export const BackupTtl = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,9})?s$/, "must be a duration such as '86400s'")
  .transform((v) => Number(v.slice(0, -1)))
  .refine((s) => s >= DAY_S && s <= HUNDRED_YEARS_S, "must be between 1 day (86400s) and 100 years")
  .transform((s) => Math.round(s * 1000));

export const BackupRequest = z
  .strictObject({
    backupId: BackupId.optional().meta({ description: "Default: YYYYMMDDHHMMSS_ followed by the first 8 characters of the source's uid." }),
    ttl: BackupTtl.optional().meta({ description: "How long the backup is kept (1 day to 100 years; default 100 years)." }),
    requestId: RequestId.optional(),
  })
  .meta({ id: "BackupRequest" });

export const BackupFile = z
  .object({ fileName: z.string(), sizeBytes: z.string().meta({ description: "int64, as a string" }), createTime: z.iso.datetime() })
  .meta({ id: "BackupFile", description: "One shard's RDB (its size is the RDB's, before encryption)." });

export const Backup = z
  .object({
    name: z.string().meta({ description: "projects/{project}/locations/{location}/backupCollections/{collection}/backups/{backup}" }),
    uid: z.string(),
    createTime: z.iso.datetime(),
    cluster: z.string().optional().meta({ description: "The cluster it was taken from." }),
    clusterUid: z.string().optional(),
    instance: z.string().optional().meta({ description: "cacheplane addition: the instance it was taken from." }),
    instanceUid: z.string().optional().meta({ description: "cacheplane addition." }),
    totalSizeBytes: z.string().meta({ description: "int64, as a string" }),
    expireTime: z.iso.datetime().optional(),
    engineVersion: z.string(),
    backupFiles: z.array(BackupFile),
    nodeType: NodeType.optional(),
    replicaCount: z.number().int(),
    shardCount: z.number().int(),
    backupType: z.enum(["BACKUP_TYPE_UNSPECIFIED", "ON_DEMAND", "AUTOMATED"]),
    state: z.enum(["STATE_UNSPECIFIED", "CREATING", "ACTIVE", "DELETING", "SUSPENDED"]),
    encryptionInfo: z.object({ encryptionType: z.enum(["ENCRYPTION_TYPE_UNSPECIFIED", "GOOGLE_DEFAULT_ENCRYPTION", "CUSTOMER_MANAGED_ENCRYPTION"]) }).meta({
      description:
        "GOOGLE_DEFAULT_ENCRYPTION here means: sealed with AES-256-GCM under the project's data key, itself wrapped by the control plane's master key.",
    }),
  })
  .meta({ id: "Backup" });
export type Backup = z.infer<typeof Backup>;

export const BackupCollection = z
  .object({
    name: z.string().meta({ description: "projects/{project}/locations/{location}/backupCollections/{collection}" }),
    uid: z.string(),
    cluster: z.string().optional(),
    clusterUid: z.string().optional(),
    instance: z.string().optional().meta({ description: "cacheplane addition." }),
    instanceUid: z.string().optional().meta({ description: "cacheplane addition." }),
    createTime: z.iso.datetime(),
  })
  .meta({ id: "BackupCollection" });
export type BackupCollection = z.infer<typeof BackupCollection>;

export const ListBackupCollectionsResponse = z
  .object({ backupCollections: z.array(BackupCollection), nextPageToken: z.string().optional(), unreachable: z.array(z.string()) })
  .meta({ id: "ListBackupCollectionsResponse" });
export const ListBackupsResponse = z
  .object({ backups: z.array(Backup), nextPageToken: z.string().optional(), unreachable: z.array(z.string()) })
  .meta({ id: "ListBackupsResponse" });

export const BackupCollectionParams = LocationParams.extend({ backupCollection: BackupCollectionId });
export const BackupParams = BackupCollectionParams.extend({ backup: BackupId });

export const ExportBackupRequest = z
  .strictObject({
    gcsBucket: GcsBucket.meta({ description: "Files are written to gs://{gcsBucket}/{backupId}/ (a directory under the buckets root)." }),
    requestId: RequestId.optional(),
  })
  .meta({ id: "ExportBackupRequest" });
export const BackupQuery = z.strictObject({ requestId: RequestId.optional() });

export const ImportInstanceRequest = z
  .strictObject({
    inputConfig: z
      .strictObject({
        gcsSource: z.strictObject({ uri: GcsUri }).optional(),
        managedBackupSource: ManagedBackupSource.optional().meta({ description: "cacheplane addition: restore a backup into the instance." }),
      })
      .refine((c) => (c.gcsSource ? 1 : 0) + (c.managedBackupSource ? 1 : 0) === 1, "needs exactly one of gcsSource or managedBackupSource"),
    requestId: RequestId.optional(),
  })
  .meta({ id: "ImportInstanceRequest" });
export const ExportInstanceRequest = z
  .strictObject({ outputConfig: z.strictObject({ gcsDestination: z.strictObject({ uri: GcsUri }) }), requestId: RequestId.optional() })
  .meta({ id: "ExportInstanceRequest" });
