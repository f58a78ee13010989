// The hot read: GET instance, one SQL statement (the instance with its nodes aggregated). Two
// ways to run it: a named prepared statement on a small pg pool of its own (Postgres plans it
// once per connection: ~3x the throughput of an unnamed statement, measured with bench/run.ts
// get-instance), or through Prisma's driver adapter where only one connection may exist (the
// embedded PGlite). `i.*` carries every Instance column (maintenanceSchedule too); each node
// carries the engine build it was last started on.
import { CONNECT_TIMEOUT_MS } from "../client.js";
import pg from "pg";
import type { Instance, Node, PrismaClient } from "../../generated/client/index.js";

export type InstanceWithNodes = Instance & {
  nodes: Pick<Node, "id" | "ordinal" | "shard" | "zone" | "role" | "host" | "port" | "state" | "redisVersion" | "maintenanceVersion">[];
};

export interface InstanceKey {
  projectId: string;
  locationId: string;
  instanceId: string;
  /** INSTANCE or CLUSTER: the two have separate id namespaces. */
  kind?: "INSTANCE" | "CLUSTER";
}

export interface InstanceReads {
  findInstanceWithNodes(key: InstanceKey): Promise<InstanceWithNodes | undefined>;
  close(): Promise<void>;
}

const SQL = `
  SELECT i.*,
         COALESCE(json_agg(json_build_object('id', n.id, 'ordinal', n.ordinal, 'shard', n.shard, 'zone', n.zone, 'role', n.role,
                                             'host', n.host, 'port', n.port, 'state', n.state,
                                             'redisVersion', n."redisVersion", 'maintenanceVersion', n."maintenanceVersion"))
                  FILTER (WHERE n.id IS NOT NULL), '[]') AS nodes
    FROM "Instance" i
    LEFT JOIN "Node" n ON n."instanceUid" = i.uid
   WHERE i."projectId" = $1 AND i."locationId" = $2 AND i."instanceId" = $3 AND i.kind = $4
   GROUP BY i.uid`;

export function createPooledReads(databaseUrl: string, max = 8): InstanceReads {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  pool.on("error", () => undefined); // a dropped idle connection is replaced on the next query
  return {
    async findInstanceWithNodes(key) {
      const result = await pool.query<InstanceWithNodes>({
        name: "cacheplane_get_instance",
        text: SQL,
        values: [key.projectId, key.locationId, key.instanceId, key.kind ?? "INSTANCE"],
      });
      return result.rows[0];
    },
    close: () => pool.end(),
  };
}

export function createPrismaReads(prisma: PrismaClient): InstanceReads {
  return {
    async findInstanceWithNodes(key) {
      const rows = await prisma.$queryRawUnsafe<InstanceWithNodes[]>(SQL, key.projectId, key.locationId, key.instanceId, key.kind ?? "INSTANCE");
      return rows[0];
    },
    close: async () => undefined,
  };
}
