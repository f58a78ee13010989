// What test caches and test clusters share: ids chosen before the create is sent (so teardown
// can always find what setup may have made), delete-and-wait that treats "already gone" as
// done, and the beforeAll/afterAll pair that provisions once and always cleans up.
import { randomBytes } from "node:crypto";
import type { CacheplaneClient } from "../client.js";
import { CacheplaneError } from "../errors.js";
import type { Operation } from "../types.js";

export function testCacheId(prefix = "test") {
  const base =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-")
      .replace(/^[^a-z]+/, "")
      .slice(0, 22) || "test";
  return `${base}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

/** Starts the delete and waits for it; a resource that is not there (any more) counts as deleted. */
export async function deleteAndWait(client: CacheplaneClient, startDelete: () => Promise<Operation>, timeoutMs: number) {
  try {
    await client.operations.wait(await startDelete(), { timeoutMs });
  } catch (error) {
    if (error instanceof CacheplaneError && error.status === "NOT_FOUND") return;
    throw error;
  }
}

export type Hook = (fn: () => Promise<void>, timeout?: number) => unknown;
export interface Hooks {
  beforeAll: Hook;
  afterAll: Hook;
}

interface Provisioned {
  id: string;
  dispose(): Promise<void>;
}

/**
 * Registers `beforeAll` (provision) and `afterAll` (dispose) and returns a getter for the
 * provisioned resource. When setup failed or timed out after the create was sent, teardown
 * still deletes by the id chosen up front.
 */
export function registerTestResource<O extends { idPrefix?: string; timeoutMs?: number }, R extends Provisioned>(
  hooks: Hooks,
  options: O | (() => O),
  what: string,
  provision: (options: O, id: string) => Promise<R>,
  deleteById: (options: O, id: string) => Promise<void>,
): () => R {
  // Options may be a function, read when setup runs (e.g. a URL known only after global setup).
  const resolve = typeof options === "function" ? options : () => options;
  const hookTimeout = (typeof options === "function" ? undefined : options.timeoutMs) ?? 120_000;
  let id: string | undefined;
  let resource: R | undefined;
  hooks.beforeAll(async () => {
    const opts = resolve();
    id = testCacheId(opts.idPrefix);
    resource = await provision(opts, id);
  }, hookTimeout + 10_000);
  hooks.afterAll(async () => {
    if (resource) return resource.dispose();
    if (id) await deleteById(resolve(), id);
  }, hookTimeout + 10_000);
  return () => {
    if (!resource) throw new Error(`${what}${id ? ` ${id}` : ""} is not ready: read it inside a test, after beforeAll`);
    return resource;
  };
}

/** dispose() that runs once however often it is called. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
