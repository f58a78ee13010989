// The hot read: GET instance, one SQL statement (the instance with its nodes aggregated). Two
// ways to run it: a named prepared statement on a pg pool (Postgres plans it once per
// connection: ~3x the throughput of an unnamed statement on Postgres, measured with
// bench/run.ts get-instance; ~5x on PGlite, whose planner runs in Wasm: 775 → 3,758 q/s with
// c=16 on one connection), or through Prisma's driver adapter (unnamed, planned every time).
// The embedded PGlite may have one connection only: there the pool is the one Prisma's adapter
// queries through too (see single-connection.ts), so the named statement still applies. `i.*`
// carries every Instance column (maintenanceSchedule too); each node carries the engine build
// it was last started on. The nodes come from a correlated subquery rather than a LEFT JOIN
// with GROUP BY: no grouping of the wide instance row (~1.3x on PGlite, same answer).
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
         (SELECT COALESCE(json_agg(json_build_object('id', n.id, 'ordinal', n.ordinal, 'shard', n.shard, 'zone', n.zone, 'role', n.role,
                                                      'host', n.host, 'port', n.port, 'state', n.state,
                                                      'redisVersion', n."redisVersion", 'maintenanceVersion', n."maintenanceVersion")), '[]')
            FROM "Node" n WHERE n."instanceUid" = i.uid) AS nodes
    FROM "Instance" i
   WHERE i."projectId" = $1 AND i."locationId" = $2 AND i."instanceId" = $3 AND i.kind = $4`;

/** On a pool of its own (a URL), or on a pool shared with Prisma, which it then ends on close(). */
export function createPooledReads(database: string | pg.Pool, max = 8): InstanceReads {
  const pool = typeof database === "string" ? new pg.Pool({ connectionString: database, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }) : database;
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
