// The hot read on the real Postgres, both ways (pooled prepared statement, Prisma's adapter):
// the instance's columns, its maintenance schedule, and every node with the build it runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPooledReads, createPrisma, createPrismaReads, readReleases, recordRelease, type InstanceReads, type PrismaClient } from "../src/index.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";

let db: TestDatabase;
let prisma: PrismaClient;
let pooled: InstanceReads;
const schedule = {
  startTime: "2026-12-06T03:00:00.000Z",
  endTime: "2026-12-06T04:00:00.000Z",
  scheduleDeadlineTime: "2026-12-16T00:00:00.000Z",
  maintenanceVersion: "20261201_00_00",
};

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  pooled = createPooledReads(db.url, 1);
  await prisma.project.create({ data: { id: "p" } });
  await prisma.instance.create({
    data: { uid: "u1", projectId: "p", locationId: "l", instanceId: "i", spec: { redisVersion: "REDIS_7_0" }, state: "READY", maintenanceSchedule: schedule },
  });
  const node = { instanceUid: "u1", zone: "l-a", role: "PRIMARY", driver: "process", dataDir: "/d" };
  await prisma.node.create({
    data: { ...node, id: "u1-0", ordinal: 0, host: "127.0.0.1", port: 1, redisVersion: "REDIS_7_0", maintenanceVersion: "20261101_00_00" },
  });
  await prisma.node.create({ data: { ...node, id: "u1-1", ordinal: 1, role: "REPLICA", host: "127.0.0.1", port: 2 } });
  await prisma.instance.create({ data: { uid: "u2", projectId: "p", locationId: "l", instanceId: "bare", spec: {}, state: "CREATING" } });
});
afterAll(async () => {
  await pooled?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

describe.each([
  ["pooled", () => pooled],
  ["prisma", () => createPrismaReads(prisma)],
])("findInstanceWithNodes (%s)", (_, reads) => {
  it("carries the schedule and each node's build (null when none is recorded)", async () => {
    const row = await reads().findInstanceWithNodes({ projectId: "p", locationId: "l", instanceId: "i" });
    expect(row?.maintenanceSchedule).toEqual(schedule);
    const nodes = [...row!.nodes].sort((a, b) => a.ordinal - b.ordinal);
    expect(nodes.map((n) => [n.id, n.redisVersion, n.maintenanceVersion])).toEqual([
      ["u1-0", "REDIS_7_0", "20261101_00_00"],
      ["u1-1", null, null],
    ]);
  });

  it("answers an instance without nodes or schedule, and nothing for another kind", async () => {
    const row = await reads().findInstanceWithNodes({ projectId: "p", locationId: "l", instanceId: "bare" });
    expect(row).toMatchObject({ maintenanceSchedule: null, nodes: [] });
    expect(await reads().findInstanceWithNodes({ projectId: "p", locationId: "l", instanceId: "i", kind: "CLUSTER" })).toBeUndefined();
  });
});

it("records a release once, keeping the first release time", async () => {
  expect((await readReleases(prisma)).size).toBe(0);
  const first = await recordRelease(prisma, "20261201_00_00");
  const again = await recordRelease(prisma, "20261201_00_00");
  expect(again.releaseTime).toEqual(first.releaseTime);
  expect(await readReleases(prisma)).toEqual(new Map([["20261201_00_00", first.releaseTime]]));
});
