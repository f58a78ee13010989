// Prisma and the hot reads of a database that takes one connection only (the embedded PGlite:
// it serves one session for all its socket connections, and interleaved extended-protocol
// messages of two connections get mixed up). Both go through one pg pool of one connection, so
// the pool serializes them whole (a transaction holds the connection; a read waits for it).
//
// PGlite runs Postgres in Wasm on this process's event loop, so what a query costs there is
// taken from the api and the worker. Measured with bench/run.ts --only get-instance (GET
// instance on `cacheplane up`, c=16): 643 req/s when GET ran through Prisma's unnamed
// statements, planned on every request (a CPU profile: ~50% of the process in PGlite), ~600-900
// with the named statement alone, 8,535 with the cache below (healthz 17,417 in that run).
// Hence:
// - named prepared statements, for Prisma's queries too (its adapter's statementNameGenerator):
//   each SQL text is planned once per connection (bounded: text beyond MAX_NAMED runs unnamed);
// - the connection is kept while idle (a new one re-plans everything), and a new one starts with
//   DEALLOCATE ALL: the session outlives a dropped connection, and with it the names;
// - GET instance served from cachedReads between writes, which trackWrites sees all of here.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/client/index.js";
import { CONNECT_TIMEOUT_MS } from "./client.js";
import { cachedReads } from "./repos/cached-reads.js";
import { createPooledReads, type InstanceReads } from "./repos/instance-reads.js";
import { trackWrites } from "./write-epoch.js";

type StatementNameGenerator = NonNullable<NonNullable<ConstructorParameters<typeof PrismaPg>[1]>["statementNameGenerator"]>;

export interface SingleConnectionClients {
  prisma: PrismaClient;
  /** Closes the shared pool: after prisma.$disconnect(). */
  reads: InstanceReads;
}

/** Distinct SQL texts given a name; Prisma's texts are few (IN lists of many lengths are the
 *  exception), and each name holds a plan in the session. */
const MAX_NAMED = 2_000;

function statementNames(): StatementNameGenerator {
  const names = new Map<string, string>();
  // undefined is an unnamed statement (the adapter passes the name on to pg as it is).
  return (({ sql }: { sql: string }): string | undefined => {
    const known = names.get(sql);
    if (known !== undefined || names.size >= MAX_NAMED) return known;
    const name = `cp_prisma_${names.size}`;
    names.set(sql, name);
    return name;
  }) as StatementNameGenerator;
}

export function createSingleConnectionClients(databaseUrl: string): SingleConnectionClients {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 1,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Before the connection is handed out (pg-pool awaits what it returns, though typed void).
    onConnect: async (client) => {
      await client.query("DEALLOCATE ALL");
    },
  });
  const writes = trackWrites(pool);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { statementNameGenerator: statementNames() }) });
  return { prisma, reads: cachedReads(createPooledReads(pool), writes) };
}
