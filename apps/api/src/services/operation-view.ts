// Operation rows on the wire (google.longrunning.Operation with Memorystore's metadata).
import { operationName } from "@cacheplane/core";
import type { Operation as OperationRow } from "@cacheplane/db";
import type { Operation } from "@cacheplane/contracts";

export const OPERATION_METADATA_TYPE = "type.googleapis.com/google.cloud.redis.v1.OperationMetadata" as const;
/** Memorystore for Redis Cluster's own metadata type, for Operations on clusters. */
export const CLUSTER_OPERATION_METADATA_TYPE = "type.googleapis.com/google.cloud.redis.cluster.v1.OperationMetadata" as const;

export function operationView(row: OperationRow): Operation {
  const view: Operation = {
    name: operationName(row.projectId, row.locationId, row.id),
    done: row.done,
    metadata: {
      // Clusters and backups belong to Memorystore for Redis Cluster's API.
      "@type": /\/(clusters|backupCollections)\//.test(row.target) ? CLUSTER_OPERATION_METADATA_TYPE : OPERATION_METADATA_TYPE,
      createTime: row.createTime.toISOString(),
      ...(row.endTime ? { endTime: row.endTime.toISOString() } : {}),
      target: row.target,
      verb: row.verb,
      statusDetail: row.statusDetail,
      cancelRequested: row.cancelRequested,
      apiVersion: "v1",
    },
  };
  if (row.error) view.error = row.error as Operation["error"];
  if (row.response) view.response = row.response as Operation["response"];
  return view;
}
