// The embedded database's one connection, shared by Prisma (with named statements) and the hot
// read (served between writes from memory): every kind of write made here is seen by the next
// read — a model write, a raw statement, a transaction once committed — and a read that raced a
// write is never remembered.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSingleConnectionClients, migrate, startEmbeddedPostgres, type EmbeddedPostgres, type SingleConnectionClients } from "../src/index.js";

const key = { projectId: "p", locationId: "l", instanceId: "i" };
let dataDir: string;
let server: EmbeddedPostgres;
let clients: SingleConnectionClients;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "cp-single-"));
  server = await startEmbeddedPostgres({ dataDir });
  await migrate(server.url);
  clients = createSingleConnectionClients(server.url);
  const { prisma } = clients;
  await prisma.project.create({ data: { id: "p" } });
  await prisma.instance.create({ data: { uid: "u1", projectId: "p", locationId: "l", instanceId: "i", spec: {}, state: "CREATING" } });
}, 120_000);
afterAll(async () => {
  await clients?.prisma.$disconnect();
  await clients?.reads.close();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const state = async () => (await clients.reads.findInstanceWithNodes(key))?.state;

describe("createSingleConnectionClients", () => {
  it("reads again after a model write, a raw statement and a committed transaction", async () => {
    const { prisma } = clients;
    expect(await state()).toBe("CREATING");
    expect(await state()).toBe("CREATING"); // served from memory now

    await prisma.instance.update({ where: { uid: "u1" }, data: { state: "READY" } });
    expect(await state()).toBe("READY");

    await prisma.$executeRawUnsafe(`UPDATE "Instance" SET state = 'UPDATING' WHERE uid = 'u1'`);
    expect(await state()).toBe("UPDATING");

    await prisma.$transaction(async (tx) => {
      await tx.instance.update({ where: { uid: "u1" }, data: { state: "REPAIRING" } });
      await tx.node.create({
        data: { id: "u1-0", instanceUid: "u1", ordinal: 0, zone: "l-a", role: "PRIMARY", driver: "process", dataDir: "/d", host: "127.0.0.1", port: 1 },
      });
    });
    const row = await clients.reads.findInstanceWithNodes(key);
    expect(row?.state).toBe("REPAIRING");
    expect(row?.nodes.map((n) => n.id)).toEqual(["u1-0"]);

    // A rolled-back transaction changes nothing, and the read says so.
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.instance.update({ where: { uid: "u1" }, data: { state: "DELETING" } });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await state()).toBe("REPAIRING");
  });

  it("never remembers a read that raced a write", async () => {
    const { prisma } = clients;
    for (const next of ["READY", "MAINTENANCE", "READY"]) {
      const [, during] = await Promise.all([prisma.instance.update({ where: { uid: "u1" }, data: { state: next } }), state()]);
      expect([next, "READY", "MAINTENANCE", "REPAIRING"]).toContain(during);
      expect(await state()).toBe(next);
    }
  });

  it("answers a missing instance until it is created", async () => {
    const other = { ...key, instanceId: "later" };
    expect(await clients.reads.findInstanceWithNodes(other)).toBeUndefined();
    await clients.prisma.instance.create({ data: { uid: "u2", projectId: "p", locationId: "l", instanceId: "later", spec: {}, state: "CREATING" } });
    expect((await clients.reads.findInstanceWithNodes(other))?.uid).toBe("u2");
  });

  it("runs Prisma's queries as named statements, the same text many times and many texts", async () => {
    const { prisma } = clients;
    const counts = await Promise.all(Array.from({ length: 50 }, (_, i) => prisma.instance.count({ where: { state: i % 2 ? "READY" : "CREATING" } })));
    expect(counts.every((c) => c >= 0)).toBe(true);
    // IN lists of every length are distinct texts.
    for (let n = 1; n <= 20; n++) {
      const uids = Array.from({ length: n }, (_, i) => (i === 0 ? "u1" : `none-${i}`));
      expect(await prisma.instance.count({ where: { uid: { in: uids } } })).toBe(1);
    }
  });
});
