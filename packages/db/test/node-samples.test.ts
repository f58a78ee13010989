// The metrics history on the real Postgres: newest per node, one instance's samples in order,
// pruning by age, duplicates kept once, and the history going with its instance.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPrisma, latestSamples, pruneSamples, recordSamples, samplesOf, type PrismaClient } from "../src/index.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";

let db: TestDatabase;
let prisma: PrismaClient;
const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 0, 0, s));

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  await prisma.project.create({ data: { id: "p" } });
  for (const uid of ["u1", "u2"]) {
    await prisma.instance.create({ data: { uid, kind: "INSTANCE", projectId: "p", locationId: "l", instanceId: uid, spec: {}, state: "READY" } });
  }
  await recordSamples(prisma, [
    { instanceUid: "u1", nodeId: "u1-0", time: at(0), role: "PRIMARY", values: { used_memory: 100 } },
    { instanceUid: "u1", nodeId: "u1-0", time: at(10), role: "REPLICA", values: { used_memory: 110 } },
    { instanceUid: "u1", nodeId: "u1-1", time: at(10), role: "PRIMARY", values: { used_memory: 90 } },
    { instanceUid: "u2", nodeId: "u2-0", time: at(20), role: "PRIMARY", values: { used_memory: 7 } },
  ]);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

it("gives the newest sample of each node, with the role it had then", async () => {
  const latest = await latestSamples(prisma, at(0));
  expect(latest.map((s) => [s.nodeId, s.role, s.values.used_memory])).toEqual([
    ["u1-0", "REPLICA", 110],
    ["u1-1", "PRIMARY", 90],
    ["u2-0", "PRIMARY", 7],
  ]);
  expect((await latestSamples(prisma, at(15))).map((s) => s.nodeId)).toEqual(["u2-0"]);
});

it("gives one instance's samples by node, oldest first, and records a repeated tick once", async () => {
  await recordSamples(prisma, [{ instanceUid: "u1", nodeId: "u1-0", time: at(10), role: "REPLICA", values: { used_memory: 999 } }]);
  const rows = await samplesOf(prisma, "u1", at(0));
  expect(rows.map((s) => [s.nodeId, s.time.toISOString(), s.values.used_memory])).toEqual([
    ["u1-0", at(0).toISOString(), 100],
    ["u1-0", at(10).toISOString(), 110],
    ["u1-1", at(10).toISOString(), 90],
  ]);
});

it("prunes by age, and deleting an instance deletes its history", async () => {
  expect(await pruneSamples(prisma, at(5))).toBe(1);
  await prisma.instance.delete({ where: { uid: "u2" } });
  expect((await latestSamples(prisma, at(0))).map((s) => s.nodeId)).toEqual(["u1-0", "u1-1"]);
});
