// Test clusters for vitest and jest: a real Redis Cluster (cluster mode on, every slot served)
// per test file or suite, its discovery URL handed to the tests, deleted afterwards even when a
// test or the setup fails. Clusters have no ttl in the API yet, so teardown is the only
// clean-up: a test process killed outright leaves its cluster behind (labelled
// cacheplane-test=true, with deletion protection off so anything may delete it). With `from`,
// the cluster is created from a backup (any shape restores into any other).
import { createCacheplaneClient, type CacheplaneClient, type ClientOptions } from "../client.js";
import type { Cluster, ClusterInput, NodeType } from "../types.js";
import { deleteAndWait, once, registerTestResource, testCacheId, type Hooks } from "./shared.js";

export interface TestClusterOptions extends ClientOptions {
  /** Shards (default 3, the smallest cluster that spreads keys over several primaries). */
  shardCount?: number;
  /** Replicas per shard (default 0). */
  replicaCount?: number;
  nodeType?: NodeType;
  /** Any other Cluster fields (redisConfigs, persistenceConfig, zoneDistributionConfig, labels, …). */
  cluster?: ClusterInput;
  /**
   * A backup's full name (projects/…/backupCollections/…/backups/…), of an instance or a
   * cluster: the cluster is created from it (managedBackupSource), its keys on the shards owning
   * their slots, before the tests get it.
   */
  from?: string;
  /** Start of the generated cluster id (default "test"). */
  idPrefix?: string;
  /** How long setup waits for ACTIVE, the restore included (default 120 s); teardown gets as long. */
  timeoutMs?: number;
}

export interface TestCluster {
  id: string;
  /** `redis://host:port` of the discovery endpoint: `new Cluster([url])` (ioredis). */
  url: string;
  cluster: Cluster;
  client: CacheplaneClient;
  /** Deletes the cluster and waits for it to be gone. Safe to call twice. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const deleteCluster = (client: CacheplaneClient, id: string, timeoutMs: number) => deleteAndWait(client, () => client.clusters.delete(id), timeoutMs);

/**
 * Creates a cluster and resolves once it is ACTIVE (and, with `from`, holds the backup's data);
 * on any failure whatever was made is deleted.
 */
export async function provisionTestCluster(options: TestClusterOptions, id = testCacheId(options.idPrefix)): Promise<TestCluster> {
  const client = createCacheplaneClient(options);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const body: ClusterInput = {
    ...options.cluster,
    shardCount: options.shardCount ?? options.cluster?.shardCount ?? 3,
    replicaCount: options.replicaCount ?? options.cluster?.replicaCount ?? 0,
    ...(options.nodeType ? { nodeType: options.nodeType } : {}),
    labels: { ...options.cluster?.labels, "cacheplane-test": "true" },
    ...(options.from !== undefined ? { managedBackupSource: { backup: options.from } } : {}),
    // Teardown must be able to delete it.
    deletionProtectionEnabled: false,
  };
  let cluster: Cluster;
  try {
    cluster = await client.clusters.createAndWait(id, body, { timeoutMs });
  } catch (error) {
    await deleteCluster(client, id, timeoutMs).catch(() => undefined);
    throw error;
  }
  const url = await client.clusters.redisUrl(cluster);
  const dispose = once(() => deleteCluster(client, id, timeoutMs));
  return { id, url, cluster, client, dispose, [Symbol.asyncDispose]: dispose };
}

/**
 * Registers setup and teardown hooks: `beforeAll` provisions the cluster, `afterAll` deletes
 * it. Pass the framework's own hooks. Read `cluster.url` inside tests, after setup has run.
 */
export function useTestCluster(hooks: Hooks, options: TestClusterOptions | (() => TestClusterOptions)) {
  const ready = registerTestResource(hooks, options, "test cluster", provisionTestCluster, (opts, id) =>
    deleteCluster(createCacheplaneClient(opts), id, opts.timeoutMs ?? 120_000),
  );
  return {
    get id() {
      return ready().id;
    },
    get url() {
      return ready().url;
    },
    get cluster() {
      return ready().cluster;
    },
    get client() {
      return ready().client;
    },
  };
}
