// Test caches for vitest and jest: a real instance per test file or suite, its URL handed to
// the tests, deleted afterwards even when a test (or the setup itself) fails. The id is chosen
// here before the create is sent, so teardown can always find what setup may have made, and a
// ttl makes the control plane delete it anyway if the test process is killed.
import { randomBytes } from "node:crypto";
import { createCacheplaneClient, type CacheplaneClient, type ClientOptions } from "./client.js";
import { CacheplaneError } from "./errors.js";
import type { Instance, InstanceInput, Tier } from "./types.js";

export interface TestCacheOptions extends ClientOptions {
  /** BASIC (default) or STANDARD_HA. */
  tier?: Tier;
  memorySizeGb?: number;
  authEnabled?: boolean;
  /** Any other Instance fields (redisConfigs, replicaCount, labels, …). */
  instance?: InstanceInput;
  /** Deleted by the control plane after this long even if teardown never runs (default "3600s"). */
  ttl?: string;
  /** Start of the generated instance id (default "test"). */
  idPrefix?: string;
  /** How long setup waits for READY (default 120 s); teardown gets as long. */
  timeoutMs?: number;
}

export interface TestCache {
  id: string;
  /** `redis://[:auth@]host:port` */
  url: string;
  instance: Instance;
  client: CacheplaneClient;
  /** Deletes the instance and waits for it to be gone. Safe to call twice. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function testCacheId(prefix = "test") {
  const base = prefix.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^[^a-z]+/, "").slice(0, 22) || "test";
  return `${base}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

async function deleteAndWait(client: CacheplaneClient, id: string, timeoutMs: number) {
  try {
    const op = await client.instances.delete(id);
    await client.operations.wait(op, { timeoutMs });
  } catch (error) {
    if (error instanceof CacheplaneError && error.status === "NOT_FOUND") return;
    throw error;
  }
}

/** Creates a cache and resolves once it is READY; on any failure whatever was made is deleted. */
export async function provisionTestCache(options: TestCacheOptions, id = testCacheId(options.idPrefix)): Promise<TestCache> {
  const client = createCacheplaneClient(options);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const body: InstanceInput = {
    ...options.instance,
    tier: options.tier ?? options.instance?.tier ?? "BASIC",
    memorySizeGb: options.memorySizeGb ?? options.instance?.memorySizeGb ?? 1,
    ...(options.authEnabled !== undefined ? { authEnabled: options.authEnabled } : {}),
    labels: { ...options.instance?.labels, "cacheplane-test": "true" },
    ttl: options.ttl ?? options.instance?.ttl ?? "3600s",
  };
  let instance: Instance;
  try {
    instance = await client.instances.createAndWait(id, body, { timeoutMs });
  } catch (error) {
    await deleteAndWait(client, id, timeoutMs).catch(() => undefined);
    throw error;
  }
  const url = await client.instances.redisUrl(instance);
  let disposed: Promise<void> | undefined;
  const dispose = () => (disposed ??= deleteAndWait(client, id, timeoutMs));
  return { id, url, instance, client, dispose, [Symbol.asyncDispose]: dispose };
}

type Hook = (fn: () => Promise<void>, timeout?: number) => unknown;

/**
 * Registers setup and teardown hooks: `beforeAll` provisions, `afterAll` deletes. Pass the
 * framework's own hooks (`import { beforeAll, afterAll } from "vitest"`, or jest's globals).
 * Read `cache.url` inside tests, after setup has run.
 */
export function useTestCache(hooks: { beforeAll: Hook; afterAll: Hook }, options: TestCacheOptions | (() => TestCacheOptions)) {
  // Options may be a function, read when setup runs (e.g. a URL known only after global setup).
  const resolve = typeof options === "function" ? options : () => options;
  const hookTimeout = (typeof options === "function" ? undefined : options.timeoutMs) ?? 120_000;
  let id: string | undefined;
  let cache: TestCache | undefined;
  hooks.beforeAll(async () => {
    const opts = resolve();
    id = testCacheId(opts.idPrefix);
    cache = await provisionTestCache(opts, id);
  }, hookTimeout + 10_000);
  hooks.afterAll(async () => {
    if (cache) return cache.dispose();
    // Setup may have created the instance and then failed or timed out: delete by id.
    const opts = resolve();
    if (id) await deleteAndWait(createCacheplaneClient(opts), id, opts.timeoutMs ?? 120_000);
  }, hookTimeout + 10_000);
  const ready = () => {
    if (!cache) throw new Error(`test cache${id ? ` ${id}` : ""} is not ready: read it inside a test, after beforeAll`);
    return cache;
  };
  return {
    get id() {
      return ready().id;
    },
    get url() {
      return ready().url;
    },
    get instance() {
      return ready().instance;
    },
    get client() {
      return ready().client;
    },
  };
}
