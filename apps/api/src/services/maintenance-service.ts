// Maintenance versions (our addition: the catalogue's versions and the operator's release of
// them) and Memorystore's RescheduleMaintenance for instances and clusters. Releasing only
// records the release: the worker's scheduler gives each affected resource its schedule.
// Rescheduling moves a schedule within its deadline and changes no spec, so its Operation is
// done when it is answered.
import {
  newOperationId,
  redisVersionsOf,
  releasedVersions,
  reschedule,
  scheduledMaintenance,
  storedMaintenance,
  type StoredMaintenanceSpec,
} from "@cacheplane/core";
import { type Prisma, recordRelease } from "@cacheplane/db";
import type { ServiceContext } from "../context.js";
import { ApiError, failedPrecondition, invalidArgument, notFound, permissionDenied } from "../errors.js";
import type { Principal } from "../plugins/auth.js";
import type { Releases } from "./catalogue.js";
import { CLUSTER_TYPE, deploymentName, deploymentView, findDeployment, INSTANCE_TYPE, type DeploymentKey, type DeploymentKind } from "./deployments.js";
import { ConcurrentChange, isUniqueViolation, replayOperation } from "./mutations.js";
import { operationView } from "./operation-view.js";

export interface RescheduleBody {
  rescheduleType: "RESCHEDULE_TYPE_UNSPECIFIED" | "IMMEDIATE" | "NEXT_AVAILABLE_WINDOW" | "SPECIFIC_TIME";
  scheduleTime?: string | undefined;
}

export function createMaintenanceService(ctx: ServiceContext) {
  const { prisma, catalogue } = ctx;
  const all = [...new Set(catalogue.engines.map((e) => e.maintenanceVersion))].sort();

  /** RELEASED once in effect for every engine it has a build of (the earliest of an engine is
   *  from the start); releaseTime only for a release the operator made. */
  function versionView(version: string, releases: Releases) {
    const engines = catalogue.engines.filter((e) => e.maintenanceVersion === version);
    const redisVersions = redisVersionsOf(engines);
    const inEffect = redisVersions.every((v) => releasedVersions(catalogue.engines, v, releases.versions).includes(version));
    const releaseTime = releases.times.get(version);
    return {
      name: `maintenanceVersions/${version}`,
      maintenanceVersion: version,
      redisVersions,
      state: inEffect ? ("RELEASED" as const) : ("AVAILABLE" as const),
      ...(releaseTime ? { releaseTime: releaseTime.toISOString() } : {}),
    };
  }

  return {
    async listVersions() {
      const releases = await catalogue.releasesNow();
      return { maintenanceVersions: all.map((v) => versionView(v, releases)) };
    },

    /** Admin only: a release changes what every project's resources run. Idempotent. */
    async release(principal: Principal | undefined, version: string) {
      if (!principal?.projects.includes("*")) {
        throw permissionDenied("releasing a maintenance version affects every project; it needs a key with access to every project");
      }
      if (!all.includes(version)) throw notFound(`maintenanceVersions/${version}`);
      try {
        await recordRelease(prisma, version);
      } catch (error) {
        // Two releases at once: the other one recorded it.
        if (!isUniqueViolation(error)) throw error;
      }
      return versionView(version, await catalogue.releasesNow());
    },

    /** Memorystore's RescheduleMaintenance (rescheduleClusterMaintenance for clusters). */
    async reschedule(kind: DeploymentKind, key: DeploymentKey, body: RescheduleBody, requestId?: string) {
      const replayed = await replayOperation(prisma, key.project, requestId);
      if (replayed) return replayed;
      const target = deploymentName(kind, key);
      for (let attempt = 0; ; attempt++) {
        const row = await findDeployment(prisma, ctx.locations, kind, key);
        if (row.deleteRequested) throw failedPrecondition(`${target} is being deleted`);
        const stored = row.maintenanceSchedule as Record<string, unknown> | null;
        const scheduled = scheduledMaintenance(stored);
        if (!stored || !scheduled) throw failedPrecondition(`no maintenance is scheduled for ${target}`);
        const now = new Date();
        const spec = row.spec as unknown as StoredMaintenanceSpec;
        const result = reschedule(
          scheduled,
          {
            rescheduleType: body.rescheduleType as Exclude<RescheduleBody["rescheduleType"], "RESCHEDULE_TYPE_UNSPECIFIED">,
            scheduleTime: body.scheduleTime ? new Date(body.scheduleTime) : undefined,
          },
          spec.maintenancePolicy?.weeklyMaintenanceWindow,
          now,
        );
        if (!result.ok) {
          throw result.code === "INVALID_ARGUMENT" ? invalidArgument(result.field ?? "rescheduleType", result.reason) : failedPrecondition(result.reason);
        }
        // Whatever else the worker keeps with the schedule stays.
        const next = { ...stored, ...storedMaintenance(result.schedule, scheduled.maintenanceVersion) };
        const how = body.rescheduleType === "SPECIFIC_TIME" ? `to ${next.startTime}` : `${body.rescheduleType} (${next.startTime})`;
        const detail = `Maintenance rescheduled ${how}`;
        const view = catalogue.withAvailable(deploymentView(kind, { ...row, maintenanceSchedule: next }), await catalogue.releases());
        try {
          const op = await prisma.$transaction(async (tx) => {
            // Applies only to the schedule read: the scheduler may have started or replaced it.
            const moved = await tx.instance.updateMany({
              where: { uid: row.uid, generation: row.generation, deleteRequested: false, maintenanceSchedule: { equals: stored as Prisma.InputJsonObject } },
              data: { maintenanceSchedule: next as Prisma.InputJsonObject },
            });
            if (moved.count === 0) throw new ConcurrentChange();
            await tx.event.create({ data: { instanceUid: row.uid, type: "MAINTENANCE_RESCHEDULED", message: detail } });
            return tx.operation.create({
              data: {
                id: newOperationId(),
                projectId: key.project,
                locationId: key.location,
                instanceUid: row.uid,
                target,
                verb: "rescheduleMaintenance",
                targetGeneration: row.generation,
                requestId: requestId ?? null,
                statusDetail: detail,
                done: true,
                endTime: now,
                response: { "@type": kind === "CLUSTER" ? CLUSTER_TYPE : INSTANCE_TYPE, ...view } as Prisma.InputJsonObject,
              },
            });
          });
          return operationView(op);
        } catch (error) {
          if (error instanceof ConcurrentChange) {
            if (attempt < 5) continue;
            throw new ApiError("ABORTED", `${target} kept changing meanwhile; retry`);
          }
          if (isUniqueViolation(error)) {
            const raced = await replayOperation(prisma, key.project, requestId);
            if (raced) return raced;
          }
          throw error;
        }
      }
    },
  };
}
export type MaintenanceService = ReturnType<typeof createMaintenanceService>;
