// A data job (import or export) that cannot succeed however often it is retried: a tampered
// backup, a missing object, a path out of the buckets root, a file that is not an RDB. It ends
// the job's Operation with its canonical code and leaves the data as it was; a cluster being
// created from it is removed (a half-restored cluster is never ACTIVE).
import type { DataJob } from "@cacheplane/core";
import { Prisma } from "@cacheplane/db";
import type { WorkerContext } from "../context.js";
import { failPermanently } from "../reconcile/completion.js";
import type { Lease } from "../reconcile/lease.js";
import type { Row } from "../reconcile/step-input.js";

/** Canonical codes (google.rpc.Code) a data job fails with. */
export const CODES = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, FAILED_PRECONDITION: 9, DATA_LOSS: 15 } as const;

export class DataJobError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const dataJobOf = (row: Row) => (row.dataJob ?? undefined) as DataJob | undefined;

export async function failDataJob(ctx: WorkerContext, row: Row, lease: Lease, job: DataJob, error: DataJobError) {
  if (row.state === "CREATING") {
    await ctx.prisma.instance.updateMany({ where: { uid: row.uid, leaseEpoch: lease.epoch }, data: { dataJob: Prisma.DbNull } });
    await failPermanently(ctx, row, error.message);
    return;
  }
  await ctx.prisma.$transaction([
    // The data is as it was and the job ran only once all else had converged: the instance is
    // READY again at once, with the job's generation observed, so a retry is not refused.
    ctx.prisma.instance.updateMany({
      where: { uid: row.uid, leaseEpoch: lease.epoch, generation: row.generation },
      data: { dataJob: Prisma.DbNull, state: "READY", statusMessage: "", observedGeneration: row.generation },
    }),
    ctx.prisma.operation.updateMany({
      where: { id: job.operationId, done: false },
      data: { done: true, endTime: new Date(), statusDetail: "Failed", error: { code: error.code, message: error.message } as Prisma.InputJsonObject },
    }),
    ctx.prisma.event.create({ data: { instanceUid: row.uid, type: job.kind === "import" ? "IMPORT_FAILED" : "EXPORT_FAILED", message: error.message } }),
  ]);
}

/** The job is done: cleared on the row (fenced by the lease), with its event. */
export async function finishDataJob(ctx: WorkerContext, row: Row, lease: Lease, type: string, message: string) {
  await ctx.prisma.$transaction([
    ctx.prisma.instance.updateMany({ where: { uid: row.uid, leaseEpoch: lease.epoch }, data: { dataJob: Prisma.DbNull } }),
    ctx.prisma.event.create({ data: { instanceUid: row.uid, type, message } }),
  ]);
}
