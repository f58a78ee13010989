// Path, query and body shapes of the v1 methods. Query strings arrive as text, so numbers
// and durations are parsed here, and unknown query parameters are rejected.
import { z } from "zod";
import { BackupId, ClusterId, InstanceId, LocationId, OperationId, ProjectId, RequestId } from "./ids.js";

export const LocationParams = z.object({ project: ProjectId, location: LocationId });
export const ProjectParams = z.object({ project: ProjectId });
export const InstanceParams = LocationParams.extend({ instance: InstanceId });
export const ClusterParams = LocationParams.extend({ cluster: ClusterId });
export const OperationParams = LocationParams.extend({ operation: OperationId });

export const PageQuery = z.strictObject({
  pageSize: z.coerce.number().int().min(0).max(1000).optional(),
  pageToken: z.string().max(512).optional(),
});

/** listOperations: AIP-160's filter, as far as an Operation has fields to filter on: `done=true`
 *  or `done=false`; empty (Google's clients send `filter=`) is no filter. */
export const ListOperationsQuery = PageQuery.extend({
  filter: z
    .string()
    .max(100)
    .regex(/^(|done\s*=\s*(true|false))$/, "supports only done=true or done=false (or empty)")
    .optional(),
});

export const CreateInstanceQuery = z.strictObject({ instanceId: InstanceId, requestId: RequestId.optional() });
export const UpdateInstanceQuery = z.strictObject({
  updateMask: z.string().min(1, "updateMask is required").max(512),
  requestId: RequestId.optional(),
});
export const DeleteInstanceQuery = z.strictObject({ requestId: RequestId.optional() });

export const CreateClusterQuery = z.strictObject({ clusterId: ClusterId, requestId: RequestId.optional() });
/** Clusters take the same update and idempotency parameters as instances. */
export const UpdateClusterQuery = UpdateInstanceQuery;
export const DeleteClusterQuery = DeleteInstanceQuery.extend({
  finalBackupId: BackupId.optional().meta({
    description:
      "cacheplane addition (MemoryDB's FinalSnapshotName): back the cluster up to this backup id first; its nodes go only once the backup is ACTIVE. The cluster must be ACTIVE with no update in progress.",
  }),
});

/** A protobuf Duration as JSON writes it: "30s", "1.5s". */
export const Duration = z
  .string()
  .regex(/^\d{1,6}(\.\d{1,9})?s$/, "must be a duration such as '30s'")
  .transform((v) => Math.round(Number(v.slice(0, -1)) * 1000));

export const WaitOperationQuery = z.strictObject({ timeout: Duration.optional() });
export const WaitOperationBody = z.strictObject({ timeout: z.string().optional() }).optional();
