// The hot read: GET instance. One SQL statement (the instance with its nodes aggregated) through
// the driver adapter, instead of Prisma's two compiled queries: about five times less CPU per
// request, measured with bench/run.ts's GET scenario.
import type { Instance, Node, PrismaClient } from "../../generated/client/index.js";

export type InstanceWithNodes = Instance & { nodes: Pick<Node, "id" | "ordinal" | "zone" | "role" | "host" | "port" | "state">[] };

export async function findInstanceWithNodes(
  prisma: PrismaClient,
  key: { projectId: string; locationId: string; instanceId: string },
): Promise<InstanceWithNodes | undefined> {
  const rows = await prisma.$queryRaw<(Instance & { nodes: InstanceWithNodes["nodes"] })[]>`
    SELECT i.*,
           COALESCE(json_agg(json_build_object('id', n.id, 'ordinal', n.ordinal, 'zone', n.zone, 'role', n.role,
                                               'host', n.host, 'port', n.port, 'state', n.state))
                    FILTER (WHERE n.id IS NOT NULL), '[]') AS nodes
      FROM "Instance" i
      LEFT JOIN "Node" n ON n."instanceUid" = i.uid
     WHERE i."projectId" = ${key.projectId} AND i."locationId" = ${key.locationId} AND i."instanceId" = ${key.instanceId}
     GROUP BY i.uid`;
  return rows[0];
}
