// Operations: read, list, long-poll wait (AIP-151), best-effort cancel, forget.
import type { Prisma } from "@cacheplane/db";
import type { ApiContext } from "../context.js";
import { notFound } from "../errors.js";
import { decodePageToken, pageOf, pageSizeOf } from "../paging.js";
import { operationView } from "./operation-view.js";

export const CANCELLED_ERROR = { code: 1, message: "Operation was cancelled." };
const MAX_WAIT_MS = 60_000;
const DEFAULT_WAIT_MS = 30_000;

interface OperationKey {
  project: string;
  location: string;
  operation: string;
}

export function createOperationService(ctx: ApiContext) {
  const { prisma } = ctx;

  async function find({ project, location, operation }: OperationKey) {
    const row = await prisma.operation.findUnique({ where: { id: operation } });
    if (!row || row.projectId !== project || row.locationId !== location) {
      throw notFound(`operation ${operation}`);
    }
    return row;
  }

  return {
    async get(key: OperationKey) {
      return operationView(await find(key));
    },

    async list(project: string, location: string, pageSize?: number, pageToken?: string, done?: boolean) {
      const size = pageSizeOf(pageSize);
      const after = decodePageToken(pageToken, ["t", "id"] as const);
      const where: Prisma.OperationWhereInput = { projectId: project, locationId: location, ...(done === undefined ? {} : { done }) };
      if (after) {
        const t = new Date(after.t);
        where.OR = [{ createTime: { lt: t } }, { createTime: t, id: { lt: after.id } }];
      }
      const rows = await prisma.operation.findMany({
        where,
        orderBy: [{ createTime: "desc" }, { id: "desc" }],
        take: size + 1,
      });
      const { page, nextPageToken } = pageOf(rows, size, (last) => ({ t: last.createTime.toISOString(), id: last.id }));
      return { operations: page.map(operationView), ...(nextPageToken ? { nextPageToken } : {}) };
    },

    /** Returns when the operation is done or the timeout passes, whichever is first. */
    async wait(key: OperationKey, timeoutMs = DEFAULT_WAIT_MS, signal?: AbortSignal) {
      const deadline = Date.now() + Math.min(timeoutMs, MAX_WAIT_MS);
      let row = await find(key);
      let pause = 10;
      while (!row.done && Date.now() < deadline && !signal?.aborted) {
        await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(0, deadline - Date.now()))));
        pause = Math.min(pause * 2, 25);
        row = await find(key);
      }
      return operationView(row);
    },

    /** Best effort, as Google's: a create not yet done is rolled back (the instance is deleted)
     *  and ends CANCELLED; other operations record the request and finish their work. */
    async cancel(key: OperationKey) {
      const row = await find(key);
      if (row.done) return;
      let enqueue: string | undefined;
      await prisma.$transaction(async (tx) => {
        await tx.operation.update({ where: { id: row.id }, data: { cancelRequested: true } });
        if (row.verb !== "create" || !row.instanceUid) return;
        const ended = await tx.operation.updateMany({
          where: { id: row.id, done: false },
          data: { done: true, error: CANCELLED_ERROR, endTime: new Date(), statusDetail: "Cancelled" },
        });
        if (ended.count === 0) return;
        await tx.instance.update({
          where: { uid: row.instanceUid },
          data: { deleteRequested: true, state: "DELETING", generation: { increment: 1 } },
        });
        await tx.event.create({ data: { instanceUid: row.instanceUid, type: "CANCELLED", message: "Create cancelled; removing the instance" } });
        enqueue = row.instanceUid;
      });
      if (enqueue) await ctx.enqueueReconcile(enqueue);
    },

    async remove(key: OperationKey) {
      const row = await find(key);
      await prisma.operation.delete({ where: { id: row.id } });
    },
  };
}
export type OperationService = ReturnType<typeof createOperationService>;
