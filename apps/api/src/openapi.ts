// The OpenAPI document, derived from the zod contracts through the routes. It depends only on
// the routes, so it is built from an app whose dependencies are never called.
import type { PrismaClient } from "@cacheplane/db";
import { defaultCatalogue } from "@cacheplane/core";
import { buildApp } from "./app.js";

const unused = new Proxy(
  {},
  {
    get() {
      throw new Error("the OpenAPI document is built without a database");
    },
  },
) as PrismaClient;

export async function openApiDocument(): Promise<Record<string, unknown>> {
  const app = await buildApp({
    prisma: unused,
    reads: unused as never,
    enqueueReconcile: async () => undefined,
    locations: { location: "local1", zones: ["local1-a"] },
    engines: defaultCatalogue(["REDIS_7_0"]),
    secrets: unused as never,
  });
  await app.ready();
  const doc = app.swagger() as unknown as Record<string, unknown>;
  await app.close();
  return doc;
}

/** The committed file's exact text: stable key order, two-space indent, final newline. */
export const renderOpenApi = (doc: Record<string, unknown>) => `${JSON.stringify(doc, null, 2)}\n`;
