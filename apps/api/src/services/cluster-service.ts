// Clusters: rows of the Instance table with kind CLUSTER, reconciled by the same worker path.
// Every mutation writes the desired spec and an Operation in one transaction and asks for a
// reconcile after it commits. Nothing here touches a node.
import { randomUUID } from "node:crypto";
import {
  clusterName,
  clusterView,
  newOperationId,
  shardId,
  shardIndex,
  transition,
  type DataJob,
  type InstanceState,
  type StoredClusterSpec,
} from "@cacheplane/core";
import { type Operation as OperationRow, type Prisma, requestDeletion, SourceChangedError, SpecChangedError, type PrismaClient } from "@cacheplane/db";
import { CLUSTER_UPDATABLE_FIELDS, type Cluster } from "@cacheplane/contracts";
import type { ServiceContext } from "../context.js";
import { alreadyExists, ApiError, failedPrecondition, invalidArgument, notFound } from "../errors.js";
import { listPage } from "./listing.js";
import { resolveImportSource } from "./data-job-service.js";
import { BACKUP_IN_PROGRESS, findSettled, type NameOptions } from "./backup-service.js";
import { requestFinalBackupDeletion } from "./final-backup-deletion.js";
import { normalizeClusterSpec, type StoredCluster } from "./cluster-spec.js";
import { refuseDuringDataWork } from "./engine-guard.js";
import type { SpecContext } from "./instance-spec.js";
import { engineChanged } from "./maintenance-spec.js";
import { listEvents } from "./events.js";
import { isUniqueViolation, mutation, openOperation, replayOperation, updateSpec, type Tx } from "./mutations.js";
import { operationView } from "./operation-view.js";
import { updateMaskParser } from "./update-mask.js";
import { refuseTransitEncryptionChange } from "./tls-service.js";
import { resolveAclName } from "./acls-service.js";
import { applyParameterGroup } from "./parameter-group-service.js";

interface ClusterKey {
  project: string;
  location: string;
  cluster: string;
}

export const parseClusterUpdateMask = updateMaskParser(CLUSTER_UPDATABLE_FIELDS);

/** Fields whose change moves slots or nodes between shards: one such change at a time. */
const RESHAPING_FIELDS = new Set<string>(["shardCount", "replicaCount"]);
export const RESHAPE_IN_PROGRESS = "a resharding or scaling of this cluster is in progress; retry when it is ACTIVE";
/** Fields applied to the nodes in place, leaving every shard's nodes and slots as they are: a
 *  reshard may start while such a change is still reaching the nodes (MemoryDB accepts an
 *  UpdateCluster of the shard count right after UpdateParameterGroup, as Terraform sends them). */
const IN_PLACE_FIELDS = new Set<string>([
  "labels",
  "redisConfigs",
  "parameterGroupName",
  "aclName",
  "deletionProtectionEnabled",
  "automatedBackupConfig",
  "maintenancePolicy",
]);
const inPlaceUpdate = (request: unknown) => {
  const fields = (request as { fields?: unknown } | null)?.fields;
  return Array.isArray(fields) && fields.every((f) => IN_PLACE_FIELDS.has(String(f)));
};

const nameOf = (key: ClusterKey) => clusterName(key.project, key.location, key.cluster);
const specOf = <T extends { spec: unknown }>(row: T) => ({ ...row, spec: row.spec as Record<string, unknown> });

export function createClusterService(ctx: ServiceContext) {
  const { prisma, catalogue } = ctx;
  /** What a spec is checked against: the catalogue and what is released right now. */
  const specContext = async (): Promise<SpecContext> => ({
    locations: ctx.locations,
    catalogue,
    released: (await catalogue.releasesNow()).versions,
    now: new Date(),
  });
  const replay = (project: string, requestId: string | undefined) => replayOperation(prisma, project, requestId);

  function checkLocation(location: string) {
    if (location !== ctx.locations.location) throw notFound(`location ${location}`);
  }

  async function findRow(db: PrismaClient | Tx, key: ClusterKey) {
    checkLocation(key.location);
    const row = await db.instance.findUnique({
      where: { projectId_locationId_kind_instanceId: { projectId: key.project, locationId: key.location, kind: "CLUSTER", instanceId: key.cluster } },
      include: { nodes: true },
    });
    if (!row) throw notFound(`cluster ${nameOf(key)}`);
    return row;
  }

  const open = (
    tx: Tx,
    key: ClusterKey,
    op: { instanceUid: string; verb: string; targetGeneration: number; requestId: string | undefined; statusDetail: string; request?: Prisma.InputJsonObject },
  ) => openOperation(tx, { ...op, project: key.project, location: key.location, target: nameOf(key) });

  /**
   * Whether a reshard or scaling must wait: the cluster is not ACTIVE, or a generation it has not
   * reached changes more than settings applied in place (an earlier reshard, a node type, an
   * engine). Each unreached generation must be an open update of in-place fields; one without
   * (a deleted Operation, an ACL change from elsewhere) counts as a reshape, to be safe.
   */
  async function reshapeBlocked(row: { uid: string; state: string; generation: number; observedGeneration: number }) {
    if (row.state === "READY" && row.observedGeneration >= row.generation) return false;
    if (row.state !== "UPDATING") return true;
    const pending = await prisma.operation.findMany({
      where: { instanceUid: row.uid, done: false, verb: "update", targetGeneration: { gt: row.observedGeneration } },
      select: { request: true },
    });
    return pending.length < row.generation - row.observedGeneration || !pending.every((op) => inPlaceUpdate(op.request));
  }

  return {
    async create(key: ClusterKey, body: Cluster, requestId?: string) {
      checkLocation(key.location);
      const replayed = await replay(key.project, requestId);
      if (replayed) return replayed;
      const spec = await applyParameterGroup(prisma, key.project, key.location, normalizeClusterSpec(body, await specContext()));
      await resolveAclName(prisma, key.project, key.location, spec.aclName);
      const source = await resolveImportSource(prisma, key.project, body);
      const uid = randomUUID();
      let op: OperationRow;
      try {
        op = await prisma.$transaction(async (tx) => {
          await tx.project.upsert({ where: { id: key.project }, create: { id: key.project }, update: {} });
          await tx.instance.create({
            data: {
              uid,
              kind: "CLUSTER",
              projectId: key.project,
              locationId: key.location,
              // Never shown: the default user's password once the cluster uses an ACL other than
              // open-access (the control plane's own access, core's controlPassword).
              authString: randomUUID(),
              instanceId: key.cluster,
              spec: spec as unknown as Prisma.InputJsonObject,
              state: "CREATING",
              statusMessage: "Creating the cluster",
            },
          });
          const shape = `${spec.shardCount} shards x ${1 + spec.replicaCount} nodes, ${spec.nodeType}`;
          await tx.event.create({ data: { instanceUid: uid, type: "CREATE_REQUESTED", message: `Create requested (${shape})` } });
          const op = await open(tx, key, { instanceUid: uid, verb: "create", targetGeneration: 1, requestId, statusDetail: "Creating the cluster" });
          // Restored once the cluster has formed: ACTIVE only with the data in it.
          if (source) {
            const job: DataJob = { kind: "import", operationId: op.id, source };
            await tx.instance.update({ where: { uid }, data: { dataJob: job as unknown as Prisma.InputJsonObject } });
          }
          return op;
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Either the cluster exists, or a concurrent retry with the same requestId won.
        const raced = await replay(key.project, requestId);
        if (raced) return raced;
        throw alreadyExists(`cluster ${nameOf(key)}`);
      }
      await ctx.enqueueReconcile(uid);
      return operationView(op);
    },

    async get(key: ClusterKey) {
      checkLocation(key.location);
      const row = await ctx.reads.findInstanceWithNodes({ projectId: key.project, locationId: key.location, instanceId: key.cluster, kind: "CLUSTER" });
      if (!row) throw notFound(`cluster ${nameOf(key)}`);
      return catalogue.withAvailable(clusterView(specOf(row)), await catalogue.releases());
    },

    async list(project: string, location: string, pageSize?: number, pageToken?: string) {
      checkLocation(location);
      const { page, nextPageToken } = await listPage(prisma, { projectId: project, locationId: location, kind: "CLUSTER" }, pageSize, pageToken);
      const releases = await catalogue.releases();
      return {
        clusters: page.map((row) => catalogue.withAvailable(clusterView(row), releases)),
        ...(nextPageToken ? { nextPageToken } : {}),
        unreachable: [] as string[],
      };
    },

    async update(key: ClusterKey, body: Cluster, updateMask: string, requestId?: string) {
      refuseTransitEncryptionChange(updateMask);
      const fields = parseClusterUpdateMask(updateMask);
      const reshapes = fields.some((f) => RESHAPING_FIELDS.has(f));
      // Retried on a concurrent change: the generation check makes each update apply to the
      // spec it read, never silently over another's.
      return mutation(prisma, key.project, requestId, async () => {
        const row = await findRow(prisma, key);
        if (row.deleteRequested) throw failedPrecondition(`cluster ${key.cluster} is being deleted`);
        // Slot migrations and replica changes are planned against one target; a second target
        // while the first is half-reached would leave the worker chasing both.
        if (reshapes && (await reshapeBlocked(row))) throw failedPrecondition(RESHAPE_IN_PROGRESS);
        const current = row.spec as unknown as StoredCluster;
        const merged: Record<string, unknown> = { ...current };
        for (const field of fields) {
          // AIP-134: a field named in the mask but absent from the body is cleared.
          merged[field] = body[field];
        }
        const normalized = normalizeClusterSpec(merged as Cluster, await specContext(), { current, fields });
        // A new group, or the same group named again, brings the group's parameters now.
        const spec = fields.includes("parameterGroupName") ? await applyParameterGroup(prisma, key.project, key.location, normalized) : normalized;
        // A new redisVersion or maintenanceVersion is a rolling restart, shard by shard, from now.
        const restarts = engineChanged(current, spec);
        if (restarts) await refuseDuringDataWork(prisma, row);
        if (fields.includes("aclName")) {
          await resolveAclName(prisma, key.project, key.location, spec.aclName);
          // Clusters made before ACLs have no secret for their default user yet: one now, before
          // the spec that needs it (idempotent, and never shown).
          if (row.authString === null) await prisma.instance.updateMany({ where: { uid: row.uid, authString: null }, data: { authString: randomUUID() } });
        }
        const op = await updateSpec(prisma, {
          row,
          spec,
          fields,
          clearSchedule: restarts,
          ...(spec.redisVersion !== current.redisVersion
            ? {
                detail: `Upgrading to ${spec.redisVersion} (${spec.maintenanceVersion})`,
                event: {
                  type: "UPGRADE_REQUESTED",
                  message: `Upgrade requested: ${current.redisVersion} to ${spec.redisVersion} (${spec.maintenanceVersion}); ${fields.join(", ")}`,
                },
              }
            : {}),
          open: (tx, statusDetail) =>
            open(tx, key, {
              instanceUid: row.uid,
              verb: "update",
              targetGeneration: row.generation + 1,
              requestId,
              statusDetail,
              request: { fields: [...fields] },
            }),
        });
        await ctx.enqueueReconcile(row.uid);
        return operationView(op);
      });
    },

    /** With finalBackupId (our addition, for MemoryDB's FinalSnapshotName) the cluster is backed
     *  up first and deleted once that backup is ACTIVE; it must then be settled, as for any backup. */
    async remove(key: ClusterKey, requestId?: string, options: { finalBackupId?: string | undefined } & NameOptions = {}) {
      const replayed = await replay(key.project, requestId);
      if (replayed) return replayed;
      // The protection is checked on the generation the delete applies to, so a PATCH that
      // turns it on at the same moment either lands first (refused) or after (too late).
      for (let attempt = 0; ; attempt++) {
        const row = options.finalBackupId
          ? (await findSettled(prisma, { project: key.project, location: key.location, id: key.cluster }, "CLUSTER")).row
          : await findRow(prisma, key);
        if ((row.spec as unknown as StoredClusterSpec).deletionProtectionEnabled && !row.deleteRequested) {
          throw failedPrecondition(`cluster ${key.cluster} has deletionProtectionEnabled; update it to false before deleting`);
        }
        try {
          if (options.finalBackupId) {
            const op = await requestFinalBackupDeletion(prisma, {
              row,
              project: key.project,
              location: key.location,
              target: nameOf(key),
              backupId: options.finalBackupId,
              requestId,
              options,
            });
            await ctx.enqueueReconcile(row.uid);
            return op;
          }
          const op = await requestDeletion(prisma, {
            uid: row.uid,
            projectId: key.project,
            locationId: key.location,
            target: nameOf(key),
            operationId: newOperationId(),
            requestId,
            eventType: "DELETE_REQUESTED",
            reason: "Deleting the cluster",
            ifGeneration: row.generation,
          });
          await ctx.enqueueReconcile(row.uid);
          return operationView(op);
        } catch (error) {
          const changed = error instanceof SpecChangedError || error instanceof SourceChangedError;
          if (changed && attempt < 5) continue;
          if (error instanceof SourceChangedError) throw failedPrecondition(BACKUP_IN_PROGRESS);
          throw error;
        }
      }
    },

    /** Manual failover of one shard (our addition, after MemoryDB's FailoverShard): the worker
     *  promotes that shard's best replica once the cluster is converged; LIMITED_DATA_LOSS may be
     *  refused there, which fails the Operation. */
    async failoverShard(key: ClusterKey, shard: string, mode: "LIMITED_DATA_LOSS" | "FORCE_DATA_LOSS", requestId?: string) {
      const replayed = await replay(key.project, requestId);
      if (replayed) return replayed;
      const row = await findRow(prisma, key);
      const spec = row.spec as unknown as StoredClusterSpec;
      const index = shardIndex(shard);
      if (index >= spec.shardCount) {
        throw invalidArgument("shard", `cluster ${key.cluster} has no shard ${shard}; its shards are ${shardId(0)}-${shardId(spec.shardCount - 1)}`);
      }
      if (row.deleteRequested) throw failedPrecondition(`cluster ${key.cluster} is being deleted`);
      if (spec.replicaCount < 1) throw failedPrecondition("failoverShard needs replicaCount of at least 1: this cluster's shards have no replica");
      if (row.failoverMode) throw new ApiError("ABORTED", "a failover in this cluster is already in progress");
      const op = await prisma.$transaction(async (tx) => {
        const updated = await tx.instance.updateMany({
          where: { uid: row.uid, generation: row.generation, failoverMode: null, deleteRequested: false },
          data: {
            failoverMode: mode,
            failoverShard: index,
            generation: row.generation + 1,
            state: transition(row.state as InstanceState, "failingOver"),
          },
        });
        if (updated.count === 0) throw new ApiError("ABORTED", "the cluster changed meanwhile; retry");
        await tx.event.create({ data: { instanceUid: row.uid, type: "FAILOVER_REQUESTED", message: `Manual failover of shard ${shard} requested (${mode})` } });
        return open(tx, key, {
          instanceUid: row.uid,
          verb: "failoverShard",
          targetGeneration: row.generation + 1,
          requestId,
          statusDetail: `Failover of shard ${shard} requested (${mode})`,
        });
      });
      await ctx.enqueueReconcile(row.uid);
      return operationView(op);
    },

    async events(key: ClusterKey, pageSize?: number, pageToken?: string) {
      const row = await findRow(prisma, key);
      return listEvents(prisma, row.uid, pageSize, pageToken);
    },
  };
}
export type ClusterService = ReturnType<typeof createClusterService>;
