// The runtime runner and `prisma migrate deploy` must be interchangeable: same table, same
// rows, same checksums, and either one finds nothing to do after the other.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { defaultMigrationsDir, migrate, readMigrations } from "../src/index.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";
import { runPrisma } from "./prisma-cli.js";

const explain = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("migrate()", () => {
  const dbs: TestDatabase[] = [];
  const fresh = async () => {
    const db = await createTestDatabase({ migrate: false });
    dbs.push(db);
    return db;
  };
  afterEach(async () => {
    await Promise.all(dbs.splice(0).map((db) => db.drop()));
  });

  it("applies every migration once, recording rows Prisma accepts", async () => {
    const db = await fresh();
    const local = await readMigrations();
    expect(local.length).toBeGreaterThan(0);

    expect((await migrate(db.url)).applied).toEqual(local.map((m) => m.name));
    expect((await migrate(db.url)).applied).toEqual([]);

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      logs: string | null;
      applied_steps_count: number;
      started_at: Date;
    }>(db.url, `SELECT * FROM _prisma_migrations ORDER BY migration_name`);
    expect(rows).toHaveLength(local.length);
    for (const [i, row] of rows.entries()) {
      const file = await readFile(join(defaultMigrationsDir, row.migration_name, "migration.sql"));
      expect(row.migration_name).toBe(local[i]!.name);
      expect(row.checksum).toBe(createHash("sha256").update(file).digest("hex"));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }

    const status = await runPrisma(["migrate", "status"], db.url);
    expect(status.code, explain(status)).toBe(0);
    expect(status.stdout).toContain("Database schema is up to date");
  });

  // The other direction is `migrate status` above. (Each `migrate deploy` takes ~12 s: the
  // 6.19 Wasm schema engine leaves a 10 s timer running after it is done.)
  it("finds nothing to do after prisma migrate deploy", async () => {
    const db = await fresh();
    const deploy = await runPrisma(["migrate", "deploy"], db.url);
    expect(deploy.code, explain(deploy)).toBe(0);
    expect(deploy.stdout).toContain("All migrations have been successfully applied");
    expect((await migrate(db.url)).applied).toEqual([]);
  });

  it("lets only one of several concurrent starters apply", async () => {
    const db = await fresh();
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate(db.url)));
    const local = await readMigrations();
    expect(results.flatMap((r) => r.applied).sort()).toEqual(local.map((m) => m.name).sort());
    const [{ count }] = (await query<{ count: string }>(db.url, `SELECT count(*) FROM _prisma_migrations`)) as [{ count: string }];
    expect(Number(count)).toBe(local.length);
  });

  it("refuses to run over a failed, unresolved migration (like Prisma's P3009)", async () => {
    const db = await fresh();
    await migrate(db.url);
    await query(db.url, `INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ('x', 'y', '29990101000000_broken')`);
    await expect(migrate(db.url)).rejects.toThrow(/29990101000000_broken failed earlier/);
  });
});
