import { randomUUID } from "node:crypto";
import pg from "pg";
import { defaultMigrationsDir, readMigrations } from "./migrations.js";

/** The key `prisma migrate deploy` locks (pg_advisory_lock(72707369)), so the two exclude each other. */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

// Prisma's own DDL for its bookkeeping table (schema engine, Postgres flavour).
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrateOptions {
  migrationsDir?: string;
  /** How long to wait for another migrator (this runner or the Prisma CLI). Default 60 s. */
  lockTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface MigrateResult {
  /** Names of the migrations this call applied, in order (empty when up to date). */
  applied: string[];
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies pending migrations from prisma/migrations, recording them in _prisma_migrations
 * exactly as `prisma migrate deploy` does (same table, same sha256 checksums), so either
 * can run after the other. Needs no Prisma CLI and no download, so services call it at start.
 *
 * Everything runs in one transaction holding a transaction-level advisory lock: concurrent
 * starters wait, then see the committed rows and apply nothing; a failing migration rolls
 * back whole, so a retry after fixing it is safe. (On PGlite, whose socket server shares one
 * session among connections, the server's transaction queue gives the same exclusion.)
 * Migrations must therefore be transactional (no CREATE INDEX CONCURRENTLY).
 */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = await readMigrations(options.migrationsDir ?? defaultMigrationsDir);
  const log = options.log ?? (() => {});
  const client = new pg.Client({ connectionString: databaseUrl });
  // An idle client's socket error must not crash the process; the awaited query rejects.
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("BEGIN");
    try {
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, options.lockTimeoutMs ?? 60_000)}`);
      await client.query("SELECT pg_advisory_xact_lock($1)", [PRISMA_MIGRATE_LOCK_KEY]);
      await client.query("SET LOCAL lock_timeout = 0");
      await client.query(CREATE_MIGRATIONS_TABLE);
      const { rows } = await client.query<MigrationRow>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at`,
      );
      const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
      if (failed) {
        // Same rule as Prisma's P3009: a half-applied migration needs a human decision.
        throw new Error(
          `migration ${failed.migration_name} failed earlier and was never resolved; ` +
            `fix the database, then run \`prisma migrate resolve --rolled-back ${failed.migration_name}\` (or --applied)`,
        );
      }
      const done = new Map(rows.filter((r) => r.rolled_back_at === null).map((r) => [r.migration_name, r.checksum]));
      const applied: string[] = [];
      for (const m of migrations) {
        const recorded = done.get(m.name);
        if (recorded !== undefined) {
          if (recorded !== m.checksum) log(`warning: migration ${m.name} was edited after it was applied`);
          continue;
        }
        const id = randomUUID();
        await client.query(
          `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, $3, clock_timestamp(), 0)`,
          [id, m.checksum, m.name],
        );
        try {
          await client.query(m.sql);
        } catch (error) {
          throw new Error(`migration ${m.name} failed: ${(error as Error).message}`, { cause: error });
        }
        await client.query(`UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`, [id]);
        applied.push(m.name);
        log(`applied migration ${m.name}`);
      }
      await client.query("COMMIT");
      return { applied };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  } finally {
    await client.end().catch(() => {});
  }
}
