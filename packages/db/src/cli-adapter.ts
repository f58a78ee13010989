// The driver adapter the Prisma CLI uses (prisma.config.ts, engine "js"). Plain PrismaPg
// 7.x has two faults in CLI use, both fixed here:
// - its shadow database (migrate diff --from-migrations, migrate dev) is created by
//   overriding `database`, which a connectionString silently wins over, so the "shadow" was
//   the real database ("relation already exists"); and it drops the shadow database before
//   closing its own pool ("is being accessed by other users"), leaking one per run.
// - it cannot read Postgres's one-byte "char" type (pg_class.relkind and friends), so
//   every command that describes a live database failed with "Column type 'char' could not
//   be deserialized from the database"; its results are reported as text here.
// - the CLI never closes its pool, so each command waited for pg's idle timeout to exit.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { parseIntoClientConfig } from "pg-connection-string";

const CHAR_OID = 18;
const TEXT_OID = 25;

/** A fresh PrismaPg per connect(): after dispose, PrismaPg would reopen an unpatched pool. */
function adapterFor(config: pg.PoolConfig): Promise<SqlDriverAdapter> {
  const pool = new pg.Pool(config);
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<pg.QueryResult>;
  (pool as { query: unknown }).query = async (...args: unknown[]) => {
    const result = await query(...args);
    for (const field of result.fields ?? []) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    return result;
  };
  return new PrismaPg(pool, { disposeExternalPool: true }).connect();
}

export class CliPgAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName = "@prisma/adapter-pg";
  readonly #config: pg.PoolConfig;

  constructor(databaseUrl: string) {
    this.#config = {
      ...parseIntoClientConfig(databaseUrl),
      // One connection: the schema engine's session advisory lock and its unlock must run
      // on the same connection.
      max: 1,
      allowExitOnIdle: true,
    };
  }

  connect(): Promise<SqlDriverAdapter> {
    return adapterFor(this.#config);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const database = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
    await this.#admin(`CREATE DATABASE "${database}"`);
    const adapter = await adapterFor({ ...this.#config, database });
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await this.#admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    };
    return adapter;
  }

  async #admin(sql: string): Promise<void> {
    const client = new pg.Client(this.#config);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
