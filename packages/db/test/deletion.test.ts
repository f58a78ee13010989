// requestDeletion on the real Postgres: idempotent, and with ifGeneration it never deletes a
// row whose spec changed after the caller checked it (a cluster's deletion protection).
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPrisma, requestDeletion, SpecChangedError, type PrismaClient } from "../src/index.js";
import { createTestDatabase, type TestDatabase } from "../src/testing.js";

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  await prisma.project.create({ data: { id: "p" } });
  await prisma.instance.create({
    data: { uid: "u1", kind: "CLUSTER", projectId: "p", locationId: "l", instanceId: "c", spec: {}, state: "READY", generation: 2 },
  });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

const request = (operationId: string, ifGeneration?: number) =>
  requestDeletion(prisma, {
    uid: "u1",
    projectId: "p",
    locationId: "l",
    target: "projects/p/locations/l/clusters/c",
    operationId,
    eventType: "DELETE_REQUESTED",
    reason: "test",
    ifGeneration,
  });

it("refuses a delete checked against an older generation, touching nothing", async () => {
  await expect(request("op-stale", 1)).rejects.toBeInstanceOf(SpecChangedError);
  const row = await prisma.instance.findUniqueOrThrow({ where: { uid: "u1" } });
  expect(row).toMatchObject({ deleteRequested: false, state: "READY", generation: 2 });
  expect(await prisma.operation.count()).toBe(0);
});

it("deletes at the generation it was checked at, and answers a repeat with the same Operation", async () => {
  const op = await request("op-1", 2);
  expect(op).toMatchObject({ id: "op-1", verb: "delete", targetGeneration: 3 });
  expect(await prisma.instance.findUniqueOrThrow({ where: { uid: "u1" } })).toMatchObject({ deleteRequested: true, state: "DELETING" });
  expect((await request("op-2", 2)).id).toBe("op-1");
});
