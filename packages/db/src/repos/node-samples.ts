// The metrics history: one row per data node per sampling tick (the worker's sampler writes,
// GET /metrics and the per-instance series read). Rows carry the parsed INFO numbers as JSON,
// so adding a field to what is sampled needs no migration.
import type { PrismaClient } from "../../generated/client/index.js";

export type SampledRole = "PRIMARY" | "REPLICA";

export interface NodeSampleRow {
  instanceUid: string;
  nodeId: string;
  time: Date;
  role: SampledRole;
  /** INFO fields as numbers: used_memory, maxmemory, connected_clients, total_commands_processed, … */
  values: Record<string, number>;
}

const rowOf = (r: { instanceUid: string; nodeId: string; time: Date; role: string; values: unknown }): NodeSampleRow => ({
  instanceUid: r.instanceUid,
  nodeId: r.nodeId,
  time: r.time,
  role: r.role === "REPLICA" ? "REPLICA" : "PRIMARY",
  values: r.values as Record<string, number>,
});

/** One tick's samples in one statement; a sample already recorded (same node, same time) is kept. */
export async function recordSamples(prisma: PrismaClient, rows: NodeSampleRow[]): Promise<void> {
  if (rows.length === 0) return;
  await prisma.nodeSample.createMany({ data: rows, skipDuplicates: true });
}

/** Drops samples older than `before`; returns how many. */
export async function pruneSamples(prisma: PrismaClient, before: Date): Promise<number> {
  return (await prisma.nodeSample.deleteMany({ where: { time: { lt: before } } })).count;
}

/** The newest sample of every node sampled since `since` (one per node). */
export async function latestSamples(prisma: PrismaClient, since: Date): Promise<NodeSampleRow[]> {
  const rows = await prisma.$queryRaw<{ instanceUid: string; nodeId: string; time: Date; role: string; values: unknown }[]>`
    SELECT DISTINCT ON ("nodeId") "instanceUid", "nodeId", "time", "role", "values"
    FROM "NodeSample" WHERE "time" >= ${since}
    ORDER BY "nodeId", "time" DESC`;
  return rows.map(rowOf);
}

/** Every sample of one instance or cluster since `since`, by node, oldest first. */
export async function samplesOf(prisma: PrismaClient, instanceUid: string, since: Date): Promise<NodeSampleRow[]> {
  const rows = await prisma.nodeSample.findMany({ where: { instanceUid, time: { gte: since } }, orderBy: [{ nodeId: "asc" }, { time: "asc" }] });
  return rows.map(rowOf);
}
