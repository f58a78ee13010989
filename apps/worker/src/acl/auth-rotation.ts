// :rotateAuthString as the worker converges it, decided each pass from the Operation's request and
// what the nodes accept (plan() in core checks the nodes):
//   adding    the request holds the new string: the default user accepts the old one (requirepass,
//             what the control plane and the replicas use) and the new one, on every node;
//   publish   once every node does, the new string becomes the instance's AUTH string (GET
//             …/authString shows it) in one transaction that keeps the old one in the request;
//   grace     for GRACE_MS the default user still accepts both: a client that read the old string
//             a moment before is not refused. Replicas already authenticate with the new one;
//             requirepass stays the old one, since CONFIG SET requirepass resets the default
//             user's passwords (it would drop the new one, mid-rotation);
//   done      then requirepass becomes the new string (which drops the old one on every node), the
//             old string is forgotten, and the plan converges, which completes the Operation.
import { createHash } from "node:crypto";
import type { AuthRotation } from "@cacheplane/core";
import type { Prisma } from "@cacheplane/db";
import type { WorkerContext } from "../context.js";
import type { Row, StepInput } from "../reconcile/step-input.js";

export const ROTATE_AUTH_STRING = "rotateAuthString";
/** How long the old AUTH string keeps working once the new one is published. */
export const GRACE_MS = 2_000;

interface RotationRequest {
  newAuthString?: string;
  previousAuthString?: string;
  publishedAt?: string;
}

const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

export interface RotationState {
  /** For plan(). */
  plan?: AuthRotation;
  /** Passwords the default user accepts besides requirepass. */
  extraPasswords: string[];
  /** What requirepass must be instead of the instance's AUTH string, during the grace. */
  requirepass?: string;
}

/** The rotation in progress on this instance, as far as it has come. */
export async function rotationState(ctx: WorkerContext, row: Row, now = Date.now()): Promise<RotationState | undefined> {
  if (!(row.spec as { authEnabled?: boolean }).authEnabled || !row.authString) return undefined;
  const op = await ctx.prisma.operation.findFirst({
    where: { instanceUid: row.uid, done: false, verb: ROTATE_AUTH_STRING },
    orderBy: { createTime: "asc" },
    select: { id: true, request: true },
  });
  const request = (op?.request ?? {}) as RotationRequest;
  if (!op) return undefined;
  if (request.newAuthString && request.newAuthString !== row.authString) {
    return { plan: { stage: "adding", newPasswordHash: sha256(request.newAuthString) }, extraPasswords: [request.newAuthString] };
  }
  if (request.previousAuthString && request.publishedAt) {
    const remainingMs = Date.parse(request.publishedAt) + GRACE_MS - now;
    if (remainingMs > 0) {
      return { plan: { stage: "grace", remainingMs }, extraPasswords: [row.authString], requirepass: request.previousAuthString };
    }
    // It no longer works anywhere once the nodes converge: nothing keeps it.
    await ctx.prisma.operation.updateMany({ where: { id: op.id, done: false }, data: { request: { publishedAt: request.publishedAt } } });
  }
  return { extraPasswords: [] };
}

/** The new string is on every node beside the old one: it becomes the instance's. */
export async function publishAuthString(ctx: WorkerContext, { row, lease }: StepInput): Promise<void> {
  const op = await ctx.prisma.operation.findFirst({ where: { instanceUid: row.uid, done: false, verb: ROTATE_AUTH_STRING }, orderBy: { createTime: "asc" } });
  const request = (op?.request ?? {}) as RotationRequest;
  if (!op || !request.newAuthString || !row.authString) return;
  const published = await ctx.prisma.$transaction(async (tx) => {
    const moved = await tx.instance.updateMany({
      where: { uid: row.uid, leaseEpoch: lease.epoch, authString: row.authString },
      data: { authString: request.newAuthString },
    });
    if (moved.count === 0) return false;
    const next: RotationRequest = { previousAuthString: row.authString!, publishedAt: new Date().toISOString() };
    await tx.operation.update({
      where: { id: op.id },
      data: { request: next as Prisma.InputJsonObject, statusDetail: "The new AUTH string is on every node" },
    });
    await tx.event.create({
      data: {
        instanceUid: row.uid,
        type: "AUTH_STRING_ROTATED",
        message: `The new AUTH string is on every node and is the instance's now; the previous one stops working in ${GRACE_MS / 1000} s`,
      },
    });
    return true;
  });
  if (!published) throw new Error("lost the instance lease while publishing the new AUTH string");
}
