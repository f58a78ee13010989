// Which maintenance versions the operator released (POST /v1/maintenanceVersions/{v}:release),
// read by the api (what a resource may move to) and the worker's scheduler (what to schedule).
import type { PrismaClient } from "../../generated/client/index.js";

/** Every released version with when it was released. */
export async function readReleases(prisma: PrismaClient): Promise<Map<string, Date>> {
  const rows = await prisma.maintenanceRelease.findMany();
  return new Map(rows.map((r) => [r.version, r.releaseTime]));
}

/** Idempotent: a second release keeps the first release time. */
export function recordRelease(prisma: PrismaClient, version: string) {
  return prisma.maintenanceRelease.upsert({ where: { version }, create: { version }, update: {} });
}
