// What every mutation of an instance or cluster shares: the requestId replay (AIP-155) and the
// Operation opened in the mutation's own transaction, so spec and Operation commit together.
import { newOperationId, transition, type InstanceState } from "@cacheplane/core";
import { Prisma, type Operation as OperationRow, type PrismaClient } from "@cacheplane/db";
import { operationView } from "./operation-view.js";
import { ApiError } from "../errors.js";

export type Tx = Prisma.TransactionClient;

export const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

/** Thrown inside a transaction whose generation check found a concurrent change: retry. */
export class ConcurrentChange extends Error {}

/** Returns the operation already made for this requestId, if any. */
export async function replayOperation(prisma: PrismaClient, project: string, requestId: string | undefined) {
  if (!requestId) return undefined;
  const existing = await prisma.operation.findUnique({ where: { projectId_requestId: { projectId: project, requestId } } });
  return existing ? operationView(existing) : undefined;
}

export interface OpenOperation {
  project: string;
  location: string;
  /** Full resource name of the instance or cluster. */
  target: string;
  instanceUid: string;
  verb: string;
  targetGeneration: number;
  requestId: string | undefined;
  statusDetail: string;
  /** What was asked, for later checks (an update's fields: cluster-service's reshape guard). */
  request?: Prisma.InputJsonObject;
}

/** The Operation a mutation answers with, opened in the mutation's own transaction. */
export function openOperation(tx: Tx, op: OpenOperation): Promise<OperationRow> {
  return tx.operation.create({
    data: {
      id: newOperationId(),
      projectId: op.project,
      locationId: op.location,
      instanceUid: op.instanceUid,
      target: op.target,
      verb: op.verb,
      targetGeneration: op.targetGeneration,
      requestId: op.requestId ?? null,
      statusDetail: op.statusDetail,
      ...(op.request ? { request: op.request } : {}),
    },
  });
}

export interface SpecUpdate {
  row: { uid: string; generation: number; state: string };
  spec: object;
  fields: readonly string[];
  open: (tx: Tx, statusDetail: string) => ReturnType<typeof openOperation>;
  /** The engine build changes: a maintenance scheduled for the old one is dropped. */
  clearSchedule?: boolean;
  /** What the Operation and the status say (default: "Updating <fields>"). */
  detail?: string;
  /** The event recorded (default: UPDATE_REQUESTED naming the fields). */
  event?: { type: string; message: string };
}

/** A new desired spec (generation + 1), its event and its Operation, in one transaction that
 *  applies only to the generation the caller read: throws ConcurrentChange otherwise. */
export function updateSpec(prisma: PrismaClient, change: SpecUpdate) {
  const { row, fields } = change;
  const detail = change.detail ?? `Updating ${fields.join(", ")}`;
  const event = change.event ?? { type: "UPDATE_REQUESTED", message: `Update requested: ${fields.join(", ")}` };
  return prisma.$transaction(async (tx) => {
    const updated = await tx.instance.updateMany({
      where: { uid: row.uid, generation: row.generation, deleteRequested: false },
      data: {
        spec: change.spec as Prisma.InputJsonObject,
        generation: row.generation + 1,
        state: transition(row.state as InstanceState, "specChanged"),
        statusMessage: detail,
        ...(change.clearSchedule ? { maintenanceSchedule: Prisma.DbNull } : {}),
      },
    });
    if (updated.count === 0) throw new ConcurrentChange();
    await tx.event.create({ data: { instanceUid: row.uid, type: event.type, message: event.message } });
    return change.open(tx, detail);
  });
}

/** A spec change with AIP-155 replay. `attempt` reads the row, checks it and commits; it is run
 *  again when a concurrent change won the generation check (ABORTED after five tries), and a
 *  request with the same requestId that committed first answers with its Operation. */
export async function mutation<T>(
  prisma: PrismaClient,
  project: string,
  requestId: string | undefined,
  attempt: () => Promise<T>,
): Promise<T | ReturnType<typeof operationView>> {
  const replayed = await replayOperation(prisma, project, requestId);
  if (replayed) return replayed;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof ConcurrentChange) {
        if (tries < 6) continue;
        throw new ApiError("ABORTED", "the resource kept changing meanwhile; retry");
      }
      if (isUniqueViolation(error)) {
        const raced = await replayOperation(prisma, project, requestId);
        if (raced) return raced;
      }
      throw error;
    }
  }
}
