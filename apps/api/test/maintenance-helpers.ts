// Shared by the maintenance suites: the engine catalogue they run against and how a refusal is
// checked.
import { expect } from "vitest";
import type { TestControlPlane } from "../../../test/support/control-plane.js";

export const LOC = "/v1/projects/default/locations/local1";
export const V1101 = "20261101_00_00";
export const V1115 = "20261115_00_00";
export const V1201 = "20261201_00_00";

/** REDIS_7_0 has a later build (not released at first); REDIS_7_2 and REDIS_6_X one each. */
export const CATALOGUE = [
  { redisVersion: "REDIS_7_0", maintenanceVersion: V1101 },
  { redisVersion: "REDIS_7_0", maintenanceVersion: V1201 },
  { redisVersion: "REDIS_7_2", maintenanceVersion: V1115 },
  { redisVersion: "REDIS_6_X", maintenanceVersion: V1101 },
];

export function expectError(res: { status: number; body: any }, status: string, code: number) {
  expect(res.status).toBe(code);
  expect(res.body.error).toMatchObject({ status, code });
}

export function expectInvalid(res: { status: number; body: any }, field: string) {
  expectError(res, "INVALID_ARGUMENT", 400);
  const fields = res.body.error.details?.[0]?.fieldViolations?.map((v: any) => v.field) ?? [];
  expect(fields).toContain(field);
  expect(res.body.error.message).toContain(field);
}

export const expectRefused = (res: { status: number; body: any }, message: RegExp) => {
  expectError(res, "FAILED_PRECONDITION", 400);
  expect(res.body.error.message).toMatch(message);
};

export const rowOf = (cp: TestControlPlane, kind: "INSTANCE" | "CLUSTER", id: string) =>
  cp.prisma.instance.findUniqueOrThrow({
    where: { projectId_locationId_kind_instanceId: { projectId: "default", locationId: "local1", kind, instanceId: id } },
  });

/** What the worker records when a deployment has converged. */
export async function markReady(cp: TestControlPlane, kind: "INSTANCE" | "CLUSTER", id: string) {
  const row = await rowOf(cp, kind, id);
  await cp.prisma.instance.update({ where: { uid: row.uid }, data: { state: "READY", observedGeneration: row.generation } });
}

/** A maintenance the worker's scheduler would have written. */
export async function scheduleMaintenance(cp: TestControlPlane, kind: "INSTANCE" | "CLUSTER", id: string, startInMs: number, deadlineInMs: number) {
  const now = Date.now();
  const schedule = {
    startTime: new Date(now + startInMs).toISOString(),
    endTime: new Date(now + startInMs + 3_600_000).toISOString(),
    scheduleDeadlineTime: new Date(now + deadlineInMs).toISOString(),
    maintenanceVersion: V1201,
  };
  const row = await rowOf(cp, kind, id);
  await cp.prisma.instance.update({ where: { uid: row.uid }, data: { maintenanceSchedule: schedule } });
  return schedule;
}
