// Long-running operations (google.longrunning.Operation), with Memorystore's metadata.
import { z } from "zod";
import { Status } from "./errors.js";
import { Instance } from "./instance.js";

export const OperationMetadata = z
  .object({
    "@type": z.enum(["type.googleapis.com/google.cloud.redis.v1.OperationMetadata", "type.googleapis.com/google.cloud.redis.cluster.v1.OperationMetadata"]),
    createTime: z.iso.datetime(),
    endTime: z.iso.datetime().optional(),
    target: z.string().meta({ description: "Resource name of the instance or cluster." }),
    verb: z.string().meta({ description: "create, update, delete, ..." }),
    statusDetail: z.string().meta({ description: "What the operation is doing now." }),
    cancelRequested: z.boolean(),
    apiVersion: z.string(),
  })
  .meta({ id: "OperationMetadata" });

export const Operation = z
  .object({
    name: z.string(),
    done: z.boolean(),
    metadata: OperationMetadata,
    error: Status.optional(),
    response: Instance.or(z.object({ "@type": z.string() }).catchall(z.unknown()))
      .optional()
      .meta({ description: "The Instance or Cluster for create, update and custom methods; empty for delete." }),
  })
  .meta({ id: "Operation" });
export type Operation = z.infer<typeof Operation>;

export const ListOperationsResponse = z.object({ operations: z.array(Operation), nextPageToken: z.string().optional() }).meta({ id: "ListOperationsResponse" });

export const Empty = z.object({}).meta({ id: "Empty" });
