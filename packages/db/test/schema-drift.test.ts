// The migrations in prisma/migrations and prisma/schema.prisma must describe the same
// database; a schema change without a migration (or the reverse) fails here.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";
import { runPrisma, schemaPath } from "./prisma-cli.js";

const explain = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

describe("migrations and schema.prisma agree", () => {
  let db: TestDatabase;
  let tmp: string;
  beforeAll(async () => {
    db = await createTestDatabase(); // migrated by the runner
    tmp = await mkdtemp(join(tmpdir(), "cp-db-drift-"));
  });
  afterAll(async () => {
    await db?.drop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("replaying the migrations (shadow database) yields the schema", async () => {
    const r = await runPrisma(["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema-datamodel", schemaPath, "--exit-code"], db.url);
    expect(r.code, explain(r)).toBe(0);
  });

  it("the database the runner migrated matches the schema", async () => {
    // --from-url is refused when prisma.config.ts defines an adapter, so introspect the
    // database to a datamodel and diff datamodels.
    const pull = await runPrisma(["db", "pull", "--print"], db.url);
    expect(pull.code, explain(pull)).toBe(0);
    // The CLI prints a datasource-url warning on stdout before the datamodel.
    const start = pull.stdout.search(/^(generator|datasource|model) /m);
    expect(start, pull.stdout).toBeGreaterThanOrEqual(0);
    const pulled = join(tmp, "pulled.prisma");
    await writeFile(pulled, pull.stdout.slice(start));
    const r = await runPrisma(["migrate", "diff", "--from-schema-datamodel", pulled, "--to-schema-datamodel", schemaPath, "--exit-code"], db.url);
    expect(r.code, explain(r)).toBe(0);
  });

  it("detects drift (the check can fail)", async () => {
    const drifted = join(tmp, "drifted.prisma");
    const schema = await readFile(schemaPath, "utf8");
    await writeFile(drifted, schema.replace("model Project {", "model Project {\n  driftProbe String?"));
    const r = await runPrisma(["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema-datamodel", drifted, "--exit-code"], db.url);
    expect(r.code, explain(r)).toBe(2);
    expect(r.stdout).toContain("driftProbe");
  });
});
