import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** prisma/migrations at the repo root: the one source of truth for the CLI and the runner. */
export const defaultMigrationsDir = fileURLToPath(new URL("../../../prisma/migrations", import.meta.url));

export interface MigrationFile {
  /** Folder name, e.g. "20261122020228_init"; also `migration_name` in _prisma_migrations. */
  name: string;
  sql: string;
  /** sha256 hex of migration.sql, exactly what `prisma migrate deploy` stores. */
  checksum: string;
}

/** Migration folders in the order Prisma applies them (lexicographic by folder name). */
export async function readMigrations(dir: string = defaultMigrationsDir): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrations: MigrationFile[] = [];
  for (const name of names) {
    const bytes = await readFile(join(dir, name, "migration.sql"));
    const checksum = createHash("sha256").update(bytes).digest("hex");
    migrations.push({ name, sql: bytes.toString("utf8"), checksum });
  }
  return migrations;
}
