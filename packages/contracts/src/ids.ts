// Resource id rules, as Memorystore and Google's resource-name rules state them.
import { z } from "zod";

export const PROJECT_ID = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
/** Memorystore: 1-40 chars, lowercase letters, digits and hyphens, starts with a letter,
 *  ends with a letter or digit. */
export const INSTANCE_ID = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
/** Memorystore for Redis Cluster: as an instance id, but 1-63 chars (CreateClusterRequest). */
export const CLUSTER_ID = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const LOCATION_ID = /^[a-z][a-z0-9-]{0,62}$/;
export const OPERATION_ID = /^operation-[a-z0-9-]{1,80}$/;
/** Memorystore for Redis Cluster's backup ids. */
export const BACKUP_ID = /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/;

export const ProjectId = z.string().max(63).regex(PROJECT_ID, "must be a project id: lowercase letters, digits and hyphens");
export const LocationId = z.string().max(63).regex(LOCATION_ID, "must be a location id such as local1");
export const InstanceId = z
  .string()
  .max(40)
  .regex(INSTANCE_ID, "must be 1-40 lowercase letters, digits or hyphens, start with a letter and end with a letter or digit");
export const ClusterId = z
  .string()
  .max(63)
  .regex(CLUSTER_ID, "must be 1-63 lowercase letters, digits or hyphens, start with a letter and end with a letter or digit");
export const OperationId = z.string().max(90).regex(OPERATION_ID, "must be an operation id");
export const BackupId = z.string().max(63).regex(BACKUP_ID, "must be 1-63 lowercase letters, digits, '-' or '_', starting and ending with a letter or digit");
/** Idempotency key for creates and custom methods (AIP-155). */
export const RequestId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, "must be letters, digits, '-', '_', '.' or ':'");
