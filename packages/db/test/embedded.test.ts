// The all-in-one mode's database: PGlite behind a Postgres socket, used by Prisma and the
// migration runner at once, persisted across restarts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, migrate, readMigrations, startEmbeddedPostgres, type EmbeddedPostgres } from "../src/index.js";

const spec = { tier: "BASIC", memorySizeGb: 1 };

describe("startEmbeddedPostgres", () => {
  let dataDir: string;
  let server: EmbeddedPostgres | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "cp-pglite-"));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("serves Prisma and the runner concurrently, and keeps data across a restart", async () => {
    server = await startEmbeddedPostgres({ dataDir, port: 0 });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toContain(`127.0.0.1:${server.port}`);

    // Two runners at once: one applies, the other then finds nothing (server serializes
    // transactions across its connections).
    const runs = await Promise.all([migrate(server.url), migrate(server.url)]);
    const all = (await readMigrations()).map((m) => m.name);
    expect(runs.flatMap((r) => r.applied)).toEqual(all);

    const prisma = createPrisma(server.url);
    try {
      await prisma.project.create({ data: { id: "p1" } });
      const instance = await prisma.instance.create({
        data: { uid: "u1", projectId: "p1", locationId: "local", instanceId: "cache", spec, state: "CREATING" },
      });
      expect(instance.generation).toBe(1);
      expect(instance.spec).toEqual(spec);

      // Interactive transaction: reads its own write, and a throw rolls it back.
      await prisma.$transaction(async (tx) => {
        const row = await tx.instance.update({ where: { uid: "u1" }, data: { generation: { increment: 1 } } });
        await tx.event.create({ data: { instanceUid: "u1", type: "UPDATE", message: `generation ${row.generation}` } });
      });
      await expect(
        prisma.$transaction(async (tx) => {
          await tx.instance.update({ where: { uid: "u1" }, data: { state: "BROKEN" } });
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      expect(await prisma.instance.findUniqueOrThrow({ where: { uid: "u1" } })).toMatchObject({
        generation: 2,
        state: "CREATING",
      });

      // 20 concurrent inserts over the pool, plus a transaction and the runner in the mix;
      // each row must come back with exactly its own values (no crossed statements).
      const inserts = Array.from({ length: 20 }, (_, i) =>
        prisma.node.create({
          data: {
            id: `u1-${i}`,
            instanceUid: "u1",
            ordinal: i,
            zone: `z${i % 3}`,
            role: i === 0 ? "PRIMARY" : "REPLICA",
            driver: "process",
            host: "127.0.0.1",
            port: 7000 + i,
            dataDir: `/data/${i}`,
          },
        }),
      );
      const [nodes, , again] = await Promise.all([
        Promise.all(inserts),
        prisma.$transaction(async (tx) => tx.event.create({ data: { instanceUid: "u1", type: "T", message: "m" } })),
        migrate(server.url),
      ]);
      expect(again.applied).toEqual([]);
      for (const [i, n] of nodes.entries()) expect(n).toMatchObject({ id: `u1-${i}`, ordinal: i, port: 7000 + i });
      expect(await prisma.node.count()).toBe(20);
      expect(await prisma.event.count()).toBe(2);
    } finally {
      await prisma.$disconnect();
    }

    // Plain pg clients (psql, tools) see the same data.
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    expect((await client.query(`SELECT count(*)::int AS n FROM "Node"`)).rows[0]).toEqual({ n: 20 });
    await client.end();

    await server.stop();
    server = await startEmbeddedPostgres({ dataDir });
    expect((await migrate(server.url)).applied).toEqual([]);
    const reopened = createPrisma(server.url);
    try {
      const instance = await reopened.instance.findUniqueOrThrow({ where: { uid: "u1" }, include: { nodes: true } });
      expect(instance.generation).toBe(2);
      expect(instance.nodes).toHaveLength(20);
    } finally {
      await reopened.$disconnect();
    }
  });

  it("refuses a second server on the same port", async () => {
    const taken = server!.port;
    const other = await mkdtemp(join(tmpdir(), "cp-pglite-"));
    try {
      await expect(startEmbeddedPostgres({ dataDir: other, port: taken })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
