// Test caches for vitest and jest: a real instance per test file or suite, its URL handed to
// the tests, deleted afterwards even when a test (or the setup itself) fails, and a ttl makes
// the control plane delete it anyway if the test process is killed. With `from`, the cache
// holds a backup's data before the first test runs.
import { createCacheplaneClient, type CacheplaneClient, type ClientOptions } from "../client.js";
import type { Instance, InstanceInput, Tier } from "../types.js";
import { deleteAndWait, once, registerTestResource, testCacheId, type Hooks } from "./shared.js";

export interface TestCacheOptions extends ClientOptions {
  /** BASIC (default) or STANDARD_HA. */
  tier?: Tier;
  memorySizeGb?: number;
  authEnabled?: boolean;
  /** Any other Instance fields (redisConfigs, replicaCount, labels, …). */
  instance?: InstanceInput;
  /**
   * A backup's full name (projects/…/backupCollections/…/backups/…): its data is imported into
   * the cache before the tests get it, so a CI job starts from a known dataset.
   */
  from?: string;
  /** Deleted by the control plane after this long even if teardown never runs (default "3600s"). */
  ttl?: string;
  /** Start of the generated instance id (default "test"). */
  idPrefix?: string;
  /** How long setup waits for READY, the import included (default 120 s); teardown gets as long. */
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

const deleteInstance = (client: CacheplaneClient, id: string, timeoutMs: number) => deleteAndWait(client, () => client.instances.delete(id), timeoutMs);

/**
 * Creates a cache and resolves once it is READY (and, with `from`, holds the backup's data); on
 * any failure whatever was made is deleted.
 */
export async function provisionTestCache(options: TestCacheOptions, id = testCacheId(options.idPrefix)): Promise<TestCache> {
  const client = createCacheplaneClient(options);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
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
    // Instances are created empty (the API has no restore-at-create for them): import, then read
    // the instance again, READY with the data in it.
    if (options.from !== undefined) {
      await client.operations.wait(await client.instances.import(id, { backup: options.from }), { timeoutMs: Math.max(1, deadline - Date.now()) });
      instance = await client.instances.get(id);
    }
  } catch (error) {
    await deleteInstance(client, id, timeoutMs).catch(() => undefined);
    throw error;
  }
  const url = await client.instances.redisUrl(instance);
  const dispose = once(() => deleteInstance(client, id, timeoutMs));
  return { id, url, instance, client, dispose, [Symbol.asyncDispose]: dispose };
}

/**
 * Registers setup and teardown hooks: `beforeAll` provisions, `afterAll` deletes. Pass the
 * framework's own hooks (`import { beforeAll, afterAll } from "vitest"`, or jest's globals).
 * Read `cache.url` inside tests, after setup has run.
 */
export function useTestCache(hooks: Hooks, options: TestCacheOptions | (() => TestCacheOptions)) {
  const ready = registerTestResource(hooks, options, "test cache", provisionTestCache, (opts, id) =>
    deleteInstance(createCacheplaneClient(opts), id, opts.timeoutMs ?? 120_000),
  );
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
