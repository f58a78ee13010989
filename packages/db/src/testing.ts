// Test helper: each test file gets its own migrated database on the real Postgres, so files
// running in parallel forks never share state.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "./migrate.js";

export const defaultTestDatabaseUrl = "postgresql://postgres@127.0.0.1:5432/test";

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Apply prisma/migrations with the runner (default true). */
  migrate?: boolean;
}

/** Creates a uniquely named database next to TEST_DATABASE_URL's and migrates it. */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const baseUrl = process.env.TEST_DATABASE_URL || defaultTestDatabaseUrl;
  // pid + time + random: unique across forks and across runs; lowercase, under 63 bytes.
  const name = `cp_test_${process.pid}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await admin(baseUrl, `CREATE DATABASE "${name}"`);
  const url = withDatabase(baseUrl, name);
  let dropped: Promise<void> | undefined;
  const drop = () => (dropped ??= admin(baseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  try {
    if (options.migrate ?? true) await migrate(url);
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  return { url, name, drop };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin(baseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}
