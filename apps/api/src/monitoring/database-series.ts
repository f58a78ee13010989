// What the database knows, read at scrape time: the node series (fresh samples joined to the
// nodes that still exist), operations, failovers and deployments by state, each limited to the
// scraper's projects. Counters here are counts of rows: deleting an Operation, or an instance
// (its events go with it), lowers them, which Prometheus's rate() reads as a counter reset.
import { latestSamples, type PrismaClient } from "@cacheplane/db";
import type { Family } from "./exposition.js";
import { nodeFamilies, type Deployment } from "./node-series.js";
import type { Scope } from "./scope.js";

/** A node counts as up while its newest sample is younger than this many sampling intervals:
 *  one missed tick (a slow INFO, a busy worker) is not an outage, three are. */
export const FRESH_INTERVALS = 3;

const projectFilter = (scope: Scope) => (scope === "all" ? {} : { projectId: { in: scope } });
const all = (scope: Scope) => scope === "all";
const projects = (scope: Scope) => (scope === "all" ? [] : scope);

async function deployments(prisma: PrismaClient, scope: Scope): Promise<Deployment[]> {
  const rows = await prisma.instance.findMany({
    where: projectFilter(scope),
    select: {
      kind: true,
      projectId: true,
      locationId: true,
      instanceId: true,
      spec: true,
      nodes: { select: { id: true, shard: true, zone: true, role: true, host: true, port: true, redisVersion: true }, orderBy: { ordinal: "asc" } },
    },
    orderBy: [{ projectId: "asc" }, { kind: "asc" }, { instanceId: "asc" }],
  });
  return rows.map((r) => ({
    kind: r.kind === "CLUSTER" ? "CLUSTER" : "INSTANCE",
    project: r.projectId,
    location: r.locationId,
    id: r.instanceId,
    redisVersion: String((r.spec as { redisVersion?: unknown } | null)?.redisVersion ?? ""),
    nodes: r.nodes,
  }));
}

export async function nodeSeries(prisma: PrismaClient, scope: Scope, sampleIntervalMs: number, now = Date.now()): Promise<Family[]> {
  const [rows, samples] = await Promise.all([
    deployments(prisma, scope),
    // Sampling off (interval 0): no sample is ever fresh, and no node is called down for it.
    sampleIntervalMs > 0 ? latestSamples(prisma, new Date(now - FRESH_INTERVALS * sampleIntervalMs)) : Promise.resolve(null),
  ]);
  return samples ? nodeFamilies(rows, samples) : [];
}

/** failover.ts records every promotion as a FAILOVER event whose message begins with how it came. */
const FAILOVER_KIND = `CASE WHEN e."message" LIKE 'Automatic%' THEN 'automatic' WHEN e."message" LIKE 'Manual%' THEN 'manual' ELSE 'upgrade' END`;

export async function controlPlaneSeries(prisma: PrismaClient, scope: Scope): Promise<Family[]> {
  const [operations, failovers, states] = await Promise.all([
    prisma.$queryRaw<{ verb: string; outcome: string; n: number }[]>`
      SELECT "verb", CASE WHEN NOT "done" THEN 'running' WHEN "error" IS NULL OR "error" = 'null'::jsonb THEN 'done' ELSE 'error' END AS "outcome", count(*)::int AS "n"
      FROM "Operation" WHERE ${all(scope)} OR "projectId" = ANY(${projects(scope)}::text[])
      GROUP BY 1, 2 ORDER BY 1, 2`,
    prisma.$queryRawUnsafe<{ kind: string; n: number }[]>(
      `SELECT ${FAILOVER_KIND} AS "kind", count(*)::int AS "n" FROM "Event" e JOIN "Instance" i ON i."uid" = e."instanceUid"
       WHERE e."type" = 'FAILOVER' AND ($1 OR i."projectId" = ANY($2::text[])) GROUP BY 1 ORDER BY 1`,
      all(scope),
      projects(scope),
    ),
    prisma.instance.groupBy({ by: ["kind", "state"], where: projectFilter(scope), _count: { _all: true }, orderBy: [{ kind: "asc" }, { state: "asc" }] }),
  ]);
  return [
    {
      name: "cacheplane_operations_total",
      type: "counter",
      help: "Long-running Operations that finished, by verb and outcome (done | error), as the Operation table holds them.",
      samples: operations.filter((o) => o.outcome !== "running").map((o) => ({ labels: { verb: o.verb, outcome: o.outcome }, value: o.n })),
    },
    {
      name: "cacheplane_operations_running",
      type: "gauge",
      help: "Long-running Operations not done yet, by verb.",
      samples: operations.filter((o) => o.outcome === "running").map((o) => ({ labels: { verb: o.verb }, value: o.n })),
    },
    {
      name: "cacheplane_failovers_total",
      type: "counter",
      help: "Primary promotions of existing instances and clusters, by kind (automatic | manual | upgrade).",
      samples: failovers.map((f) => ({ labels: { kind: f.kind }, value: f.n })),
    },
    {
      name: "cacheplane_instances",
      type: "gauge",
      help: "Instances and clusters by kind (instance | cluster) and state.",
      samples: states.map((s) => ({ labels: { kind: s.kind.toLowerCase(), state: s.state }, value: s._count._all })),
    },
  ];
}
