// Instances: every mutation writes the desired spec and an Operation in one transaction and
// asks for a reconcile after it commits. Nothing here touches a node.
import { randomUUID } from "node:crypto";
import { instanceName, instanceView, newOperationId, transition, type InstanceState } from "@cacheplane/core";
import { type Operation as OperationRow, type Prisma, requestDeletion, type PrismaClient } from "@cacheplane/db";
import { UPDATABLE_FIELDS, type Instance } from "@cacheplane/contracts";
import type { ServiceContext } from "../context.js";
import { alreadyExists, ApiError, failedPrecondition, notFound } from "../errors.js";
import { listEvents } from "./events.js";
import { listPage } from "./listing.js";
import { refuseDuringDataWork } from "./engine-guard.js";
import { normalizeSpec, type SpecContext, type StoredSpec } from "./instance-spec.js";
import { engineChanged } from "./maintenance-spec.js";
import { isUniqueViolation, mutation, openOperation as openAnyOperation, replayOperation, updateSpec, type Tx } from "./mutations.js";
import { operationView } from "./operation-view.js";
import { updateMaskParser } from "./update-mask.js";
import { refuseTransitEncryptionChange, serverCasOf } from "./tls-service.js";
import { resolveAclName } from "./acls-service.js";
import { refuseDuringAuthRotation } from "./auth-string-service.js";

interface InstanceKey {
  project: string;
  location: string;
  instance: string;
}

/** Parses "displayName,labels" (or snake_case) into field names; unknown paths are errors. */
export const parseUpdateMask = updateMaskParser(UPDATABLE_FIELDS);

export function createInstanceService(ctx: ServiceContext) {
  const { prisma, catalogue } = ctx;

  /** What a spec is checked against: the catalogue and what is released right now. */
  const specContext = async (): Promise<SpecContext> => ({
    locations: ctx.locations,
    catalogue,
    released: (await catalogue.releasesNow()).versions,
    now: new Date(),
  });

  function checkLocation(location: string) {
    if (location !== ctx.locations.location) throw notFound(`location ${location}`);
  }

  async function findRow(db: PrismaClient | Tx, { project, location, instance }: InstanceKey) {
    checkLocation(location);
    const row = await db.instance.findUnique({
      where: { projectId_locationId_kind_instanceId: { projectId: project, locationId: location, kind: "INSTANCE", instanceId: instance } },
      include: { nodes: true },
    });
    if (!row) throw notFound(`instance ${instanceName(project, location, instance)}`);
    return row;
  }

  const replay = (project: string, requestId: string | undefined) => replayOperation(prisma, project, requestId);

  async function afterCommit(instanceUid: string) {
    await ctx.enqueueReconcile(instanceUid);
  }

  return {
    async create(key: InstanceKey, body: Instance, requestId?: string) {
      checkLocation(key.location);
      const replayed = await replay(key.project, requestId);
      if (replayed) return replayed;
      const spec = normalizeSpec(body, await specContext());
      await resolveAclName(prisma, key.project, key.location, spec.aclName);
      const expireTime = body.ttl ? new Date(Date.now() + Number(body.ttl.slice(0, -1)) * 1000) : null;
      const uid = randomUUID();
      const name = instanceName(key.project, key.location, key.instance);
      let op: OperationRow;
      try {
        op = await prisma.$transaction(async (tx) => {
          await tx.project.upsert({ where: { id: key.project }, create: { id: key.project }, update: {} });
          await tx.instance.create({
            data: {
              uid,
              projectId: key.project,
              locationId: key.location,
              instanceId: key.instance,
              spec: spec as unknown as Prisma.InputJsonObject,
              authString: randomUUID(),
              expireTime,
              state: "CREATING",
              statusMessage: "Creating the instance",
            },
          });
          await tx.event.create({ data: { instanceUid: uid, type: "CREATE_REQUESTED", message: `Create requested (${spec.tier}, ${spec.memorySizeGb} GB)` } });
          return openOperation(tx, key, { instanceUid: uid, verb: "create", targetGeneration: 1, requestId, statusDetail: "Creating the instance" });
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Either the instance exists, or a concurrent retry with the same requestId won.
        const raced = await replay(key.project, requestId);
        if (raced) return raced;
        throw alreadyExists(`instance ${name}`);
      }
      await afterCommit(uid);
      return operationView(op);
    },

    async get(key: InstanceKey) {
      checkLocation(key.location);
      const row = await ctx.reads.findInstanceWithNodes({ projectId: key.project, locationId: key.location, instanceId: key.instance });
      if (!row) throw notFound(`instance ${instanceName(key.project, key.location, key.instance)}`);
      const serverCas = (await serverCasOf(prisma, [row])).get(row.uid);
      return catalogue.withAvailable(instanceView({ ...specOf(row), serverCas }), await catalogue.releases());
    },

    async list(project: string, location: string, pageSize?: number, pageToken?: string) {
      checkLocation(location);
      const { page, nextPageToken } = await listPage(prisma, { projectId: project, locationId: location, kind: "INSTANCE" }, pageSize, pageToken);
      const releases = await catalogue.releases();
      const serverCas = await serverCasOf(prisma, page);
      return {
        instances: page.map((row) => catalogue.withAvailable(instanceView({ ...row, serverCas: serverCas.get(row.uid) }), releases)),
        ...(nextPageToken ? { nextPageToken } : {}),
        unreachable: [] as string[],
      };
    },

    async update(key: InstanceKey, body: Instance, updateMask: string, requestId?: string) {
      refuseTransitEncryptionChange(updateMask);
      const fields = parseUpdateMask(updateMask);
      // Retried on a concurrent change: the generation check makes each update apply to the
      // spec it read, never silently over another's.
      return mutation(prisma, key.project, requestId, async () => {
        const row = await findRow(prisma, key);
        if (row.deleteRequested) throw failedPrecondition(`instance ${key.instance} is being deleted`);
        const current = row.spec as unknown as StoredSpec;
        const merged: Instance = { ...current };
        for (const field of fields) {
          // AIP-134: a field named in the mask but absent from the body is cleared.
          (merged as Record<string, unknown>)[field] = body[field];
        }
        const spec = normalizeSpec(merged, await specContext(), { current, fields });
        // A newer maintenanceVersion is a rolling restart of every node, starting now.
        const restarts = engineChanged(current, spec);
        if (restarts) await refuseDuringDataWork(prisma, row);
        if (fields.includes("aclName")) await resolveAclName(prisma, key.project, key.location, spec.aclName);
        if (fields.includes("authEnabled")) await refuseDuringAuthRotation(prisma, row.uid);
        const op = await updateSpec(prisma, {
          row,
          spec,
          fields,
          clearSchedule: restarts,
          open: (tx, statusDetail) =>
            openOperation(tx, key, { instanceUid: row.uid, verb: "update", targetGeneration: row.generation + 1, requestId, statusDetail }),
        });
        await afterCommit(row.uid);
        return operationView(op);
      });
    },

    async remove(key: InstanceKey, requestId?: string) {
      const replayed = await replay(key.project, requestId);
      if (replayed) return replayed;
      const row = await findRow(prisma, key);
      const op = await requestDeletion(prisma, {
        uid: row.uid,
        projectId: key.project,
        locationId: key.location,
        target: instanceName(key.project, key.location, key.instance),
        operationId: newOperationId(),
        requestId,
        eventType: "DELETE_REQUESTED",
        reason: "Deleting the instance",
      });
      await afterCommit(row.uid);
      return operationView(op);
    },

    /** Manual failover (Memorystore's FailoverInstance): the worker runs it once the instance
     *  is converged; LIMITED_DATA_LOSS may be refused there, which fails the Operation. */
    async failover(key: InstanceKey, mode: "LIMITED_DATA_LOSS" | "FORCE_DATA_LOSS", requestId?: string) {
      const replayed = await replay(key.project, requestId);
      if (replayed) return replayed;
      const row = await findRow(prisma, key);
      const spec = row.spec as unknown as StoredSpec;
      if (spec.tier !== "STANDARD_HA") throw failedPrecondition("manual failover needs a STANDARD_HA instance with a replica");
      if (row.deleteRequested) throw failedPrecondition(`instance ${key.instance} is being deleted`);
      if (row.failoverMode) throw new ApiError("ABORTED", "a failover of this instance is already in progress");
      const op = await prisma.$transaction(async (tx) => {
        const updated = await tx.instance.updateMany({
          where: { uid: row.uid, generation: row.generation, failoverMode: null, deleteRequested: false },
          data: { failoverMode: mode, generation: row.generation + 1, state: transition(row.state as InstanceState, "failingOver") },
        });
        if (updated.count === 0) throw new ApiError("ABORTED", "the instance changed meanwhile; retry");
        await tx.event.create({ data: { instanceUid: row.uid, type: "FAILOVER_REQUESTED", message: `Manual failover requested (${mode})` } });
        return openOperation(tx, key, {
          instanceUid: row.uid,
          verb: "failover",
          targetGeneration: row.generation + 1,
          requestId,
          statusDetail: `Failover requested (${mode})`,
        });
      });
      await afterCommit(row.uid);
      return operationView(op);
    },

    async events(key: InstanceKey, pageSize?: number, pageToken?: string) {
      const row = await findRow(prisma, key);
      return listEvents(prisma, row.uid, pageSize, pageToken);
    },

    async authString(key: InstanceKey) {
      const row = await findRow(prisma, key);
      const spec = row.spec as unknown as StoredSpec;
      return spec.authEnabled && row.authString ? { authString: row.authString } : {};
    },
  };
}
export type InstanceService = ReturnType<typeof createInstanceService>;

/** The Operation a mutation answers with, targeting the instance. */
function openOperation(
  tx: Tx,
  key: InstanceKey,
  op: { instanceUid: string; verb: string; targetGeneration: number; requestId: string | undefined; statusDetail: string },
) {
  return openAnyOperation(tx, { ...op, project: key.project, location: key.location, target: instanceName(key.project, key.location, key.instance) });
}

function specOf<T extends { spec: unknown }>(row: T) {
  return { ...row, spec: row.spec as Record<string, unknown> };
}
