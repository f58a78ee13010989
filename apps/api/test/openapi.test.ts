// The committed contract must be exactly what the code serves; `npm run openapi` refreshes it.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openApiDocument, renderOpenApi } from "../src/openapi.js";

const committed = fileURLToPath(new URL("../../../openapi/openapi.json", import.meta.url));

describe("openapi/openapi.json", () => {
  it("matches the document generated from the zod contracts (run `npm run openapi`)", async () => {
    expect(await readFile(committed, "utf8")).toBe(renderOpenApi(await openApiDocument()));
  });

  it("is served at /openapi.json, with an API reference page at /docs", async () => {
    const { buildApp } = await import("../src/app.js");
    const doc = await openApiDocument();
    const app = await buildApp({
      prisma: {} as never,
      reads: {} as never,
      enqueueReconcile: async () => undefined,
      locations: { location: "local1", zones: ["local1-a"] },
      engines: [{ redisVersion: "REDIS_7_0", maintenanceVersion: "20261101_00_00" }],
      secrets: {} as never,
    });
    const served = await app.inject({ method: "GET", url: "/openapi.json" });
    expect(served.statusCode).toBe(200);
    expect(served.json()).toEqual(doc);
    const page = await app.inject({ method: "GET", url: "/docs/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.body).toMatch(/swagger/i);
    await app.close();
  });

  it("describes every v1 method with a unique operationId and the error envelope", async () => {
    const doc = (await openApiDocument()) as any;
    const ops = Object.entries(doc.paths).flatMap(([path, methods]: [string, any]) =>
      Object.entries(methods).map(([method, op]: [string, any]) => ({ path, method, op })),
    );
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        "createInstance",
        "getInstance",
        "listInstances",
        "updateInstance",
        "deleteInstance",
        "getInstanceAuthString",
        "getOperation",
        "listOperations",
        "waitOperation",
        "cancelOperation",
        "deleteOperation",
        "listLocations",
      ]),
    );
    for (const { op } of ops) expect(op.responses["404"]).toBeDefined();
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(JSON.stringify(doc)).not.toContain("(^operation-");
  });
});
