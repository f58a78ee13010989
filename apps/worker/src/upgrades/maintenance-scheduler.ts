// Maintenance windows. Each pass, for every deployment: when a released maintenance version of
// its engine is newer than the one it runs, it gets a maintenanceSchedule in its next window (at
// once without a policy, as Memorystore may); when that schedule is due and the deployment is
// settled, the new version becomes its desired state and the rolling upgrade does the rest
// (state MAINTENANCE, an Operation to follow). Level-triggered: a release, a policy, a restart of
// the worker or a missed window all come down to the same comparison. The clock is ctx.now.
import {
  availableMaintenanceVersions,
  BASE_MAINTENANCE_VERSION,
  failedMaintenanceVersion,
  isDue,
  newOperationId,
  nextWindowStart,
  scheduledMaintenance,
  scheduleMaintenance,
  storedMaintenance,
  type ScheduledMaintenance,
  type WeeklyMaintenanceWindow,
} from "@cacheplane/core";
import { Prisma, type Instance as InstanceRow } from "@cacheplane/db";
import type { WorkerContext } from "../context.js";
import { resourceName } from "../reconcile/completion.js";

interface MaintainedSpec {
  redisVersion: string;
  maintenanceVersion?: string;
  maintenancePolicy?: { weeklyMaintenanceWindow?: WeeklyMaintenanceWindow[] };
}

const isSettled = (row: InstanceRow) => row.state === "READY" && row.observedGeneration === row.generation && !row.deleteRequested && row.dataJob === null;

export async function maintenancePassOnce(ctx: WorkerContext): Promise<{ scheduled: number; started: number }> {
  const now = ctx.now?.() ?? new Date();
  const released = new Set((await ctx.prisma.maintenanceRelease.findMany({ select: { version: true } })).map((r) => r.version));
  const rows = await ctx.prisma.instance.findMany({ where: { deleteRequested: false } });
  let scheduled = 0;
  let started = 0;
  for (const row of rows) {
    const spec = row.spec as unknown as MaintainedSpec;
    const windows = spec.maintenancePolicy?.weeklyMaintenanceWindow;
    const current = spec.maintenanceVersion ?? BASE_MAINTENANCE_VERSION;
    const failed = failedMaintenanceVersion(row.maintenanceSchedule);
    const latest = availableMaintenanceVersions(ctx.engines, spec.redisVersion, current, released)
      .filter((v) => v !== failed)
      .at(-1);
    const schedule = scheduledMaintenance(row.maintenanceSchedule);
    if (!latest) {
      // Applied meanwhile (a self-service update or an upgrade): nothing is left to schedule.
      if (schedule) await writeSchedule(ctx, row, null);
      continue;
    }
    if (!schedule || schedule.maintenanceVersion !== latest) {
      // A newer release while one is scheduled keeps its start and deadline, and applies the newest.
      const next: ScheduledMaintenance = schedule
        ? { ...schedule, maintenanceVersion: latest }
        : { ...scheduleMaintenance(windows, now), maintenanceVersion: latest };
      if (await writeSchedule(ctx, row, next)) {
        scheduled++;
        await event(ctx, row.uid, "MAINTENANCE_SCHEDULED", `Maintenance version ${latest} scheduled for ${next.startTime.toISOString()}`);
      }
      continue;
    }
    if (!isDue(schedule, now) || !isSettled(row)) continue;
    // A window missed (the worker was down, or the deployment busy) moves to the next one, as
    // long as that is before the deadline; at the deadline the maintenance runs regardless.
    const nextWindow = windows?.length && now >= schedule.endTime ? nextWindowStart(windows, now) : undefined;
    if (nextWindow && nextWindow <= schedule.scheduleDeadlineTime) {
      await writeSchedule(ctx, row, {
        ...schedule,
        startTime: nextWindow,
        endTime: new Date(nextWindow.getTime() + (schedule.endTime.getTime() - schedule.startTime.getTime())),
      });
      continue;
    }
    if (await startMaintenance(ctx, row, spec, latest)) started++;
  }
  return { scheduled, started };
}

/** Writes the schedule if nobody changed it since this pass read it. */
async function writeSchedule(ctx: WorkerContext, row: InstanceRow, next: ScheduledMaintenance | null): Promise<boolean> {
  const value = next ? (storedMaintenance(next, next.maintenanceVersion) as Prisma.InputJsonObject) : Prisma.DbNull;
  const previous = row.maintenanceSchedule === null ? { equals: Prisma.DbNull } : { equals: row.maintenanceSchedule as Prisma.InputJsonValue };
  const done = await ctx.prisma.instance.updateMany({ where: { uid: row.uid, maintenanceSchedule: previous }, data: { maintenanceSchedule: value } });
  return done.count === 1;
}

/** The due maintenance becomes the desired version, with an Operation, in one transaction that
 *  applies only to the generation this pass read. */
async function startMaintenance(ctx: WorkerContext, row: InstanceRow, spec: MaintainedSpec, version: string): Promise<boolean> {
  const started = await ctx.prisma.$transaction(async (tx) => {
    const moved = await tx.instance.updateMany({
      where: { uid: row.uid, generation: row.generation, state: "READY", deleteRequested: false },
      data: {
        spec: { ...spec, maintenanceVersion: version } as unknown as Prisma.InputJsonObject,
        generation: row.generation + 1,
        state: "MAINTENANCE",
        statusMessage: `Applying maintenance version ${version}`,
        maintenanceSchedule: Prisma.DbNull,
      },
    });
    if (moved.count === 0) return false;
    await tx.operation.create({
      data: {
        id: newOperationId(),
        projectId: row.projectId,
        locationId: row.locationId,
        instanceUid: row.uid,
        target: resourceName(row),
        verb: "applyMaintenance",
        targetGeneration: row.generation + 1,
        statusDetail: `Applying maintenance version ${version}`,
      },
    });
    await tx.event.create({
      data: { instanceUid: row.uid, type: "MAINTENANCE_STARTED", message: `Applying maintenance version ${version} (${spec.redisVersion})` },
    });
    return true;
  });
  if (started) await ctx.queue.enqueue(row.uid);
  return started;
}

const event = (ctx: WorkerContext, instanceUid: string, type: string, message: string) => ctx.prisma.event.create({ data: { instanceUid, type, message } });
