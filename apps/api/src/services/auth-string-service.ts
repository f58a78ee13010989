// :rotateAuthString (our addition; Memorystore has no rotation of its own): an instance's AUTH
// string is replaced without a failed login. It is an update (a new generation and an Operation)
// the worker converges in three stages, each decided from what the nodes accept (the worker's
// acl/auth-rotation.ts): the new string is added to the default user of every node beside the
// old one; once every node accepts both, it becomes the instance's (GET …/authString shows it)
// and replicas authenticate with it; a short grace later, the old one is dropped from every node,
// and the Operation is done. The new string is generated here and kept, until it is the
// instance's, only in the Operation's request (which no response shows).
import { randomUUID } from "node:crypto";
import { newOperationId } from "@cacheplane/core";
import type { Prisma } from "@cacheplane/db";
import type { ServiceContext } from "../context.js";
import { ApiError, failedPrecondition } from "../errors.js";
import { deploymentName, findDeployment, type DeploymentKey } from "./deployments.js";
import { mutation, updateSpec } from "./mutations.js";
import { operationView } from "./operation-view.js";

export const ROTATE_AUTH_STRING = "rotateAuthString";

/** Refuses a change of authEnabled while a rotation is under way (it would end it half done). */
export async function refuseDuringAuthRotation(prisma: ServiceContext["prisma"], instanceUid: string) {
  const pending = await prisma.operation.count({ where: { instanceUid, done: false, verb: ROTATE_AUTH_STRING } });
  if (pending > 0) throw new ApiError("ABORTED", "an AUTH string rotation of this instance is in progress; retry when it is done");
}

export function createAuthStringService(ctx: ServiceContext) {
  const { prisma } = ctx;
  return {
    async rotate(key: DeploymentKey, requestId?: string) {
      return mutation(prisma, key.project, requestId, async () => {
        const row = await findDeployment(prisma, ctx.locations, "INSTANCE", key);
        if (row.deleteRequested) throw failedPrecondition(`instance ${key.id} is being deleted`);
        if (!(row.spec as { authEnabled?: boolean }).authEnabled) {
          throw failedPrecondition(`instance ${key.id} has authEnabled false: it has no AUTH string to rotate`);
        }
        await refuseDuringAuthRotation(prisma, row.uid);
        const op = await updateSpec(prisma, {
          row,
          spec: row.spec as object,
          fields: [],
          detail: "Rotating the AUTH string",
          event: { type: "AUTH_STRING_ROTATION_REQUESTED", message: "AUTH string rotation requested" },
          open: (tx, statusDetail) =>
            tx.operation.create({
              data: {
                id: newOperationId(),
                projectId: key.project,
                locationId: key.location,
                instanceUid: row.uid,
                target: deploymentName("INSTANCE", key),
                verb: ROTATE_AUTH_STRING,
                targetGeneration: row.generation + 1,
                requestId: requestId ?? null,
                statusDetail,
                request: { newAuthString: randomUUID() } satisfies Prisma.InputJsonObject,
              },
            }),
        });
        await ctx.enqueueReconcile(row.uid);
        return operationView(op);
      });
    },
  };
}
export type AuthStringService = ReturnType<typeof createAuthStringService>;
