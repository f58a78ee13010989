// Clusters (Memorystore for Redis Cluster v1): the same helpers as instances — typed CRUD,
// create-and-wait, every page of a list, upgrades and rescheduling a maintenance — plus per-shard
// failover, the event log, and the discovery endpoint's URL for a cluster client. A cluster is restored from a backup at create
// (`managedBackupSource`, or `gcsSource` for RDB files in a bucket).
import { backupBody, type Backup, type BackupOptions, type BackupsApi } from "./backups.js";
import { CacheplaneError } from "./errors.js";
import { dataOf, type ApiClient } from "./http.js";
import { clusterMetrics, type MetricsOptions } from "./metrics.js";
import type { DataProtectionMode, MutateOptions, RescheduleRequest } from "./instances.js";
import { clusterNodeLogs, type NodeLogsOptions } from "./node-logs.js";
import { parseName, type Scope } from "./names.js";
import type { OperationsApi, WaitOptions } from "./operations.js";
import { paginate } from "./paging.js";
import { clusterRedisUrl } from "./redis-url.js";
import type { Cluster, ClusterInput, InstanceEvent, Operation, RedisVersion } from "./types.js";

const BASE = "/v1/projects/{project}/locations/{location}/clusters" as const;
const ONE = "/v1/projects/{project}/locations/{location}/clusters/{cluster}" as const;

type PageOptions = { pageSize?: number; pageToken?: string; signal?: AbortSignal };

export function clustersApi(api: ApiClient, scope: Scope, operations: OperationsApi, backups: BackupsApi) {
  const path = (idOrName: string) => {
    const n = parseName("clusters", idOrName, scope);
    return { project: n.project, location: n.location, cluster: n.id };
  };

  const clusters = {
    /** Starts a create (`shardCount` is required); the answer is the Operation (see createAndWait). */
    async create(clusterId: string, cluster: ClusterInput, opts: MutateOptions = {}): Promise<Operation> {
      return dataOf(await api.POST(BASE, { params: { path: scope, query: { clusterId, requestId: opts.requestId } }, body: cluster, signal: opts.signal }));
    },

    /** Creates the cluster and resolves with it once it is ACTIVE (every slot served). */
    async createAndWait(clusterId: string, cluster: ClusterInput, opts: MutateOptions & WaitOptions = {}): Promise<Cluster> {
      const op = await clusters.create(clusterId, cluster, opts);
      const done = await operations.wait(op, opts);
      const response = done.response as Cluster | undefined;
      return response?.state === "ACTIVE" ? response : clusters.get(clusterId, opts);
    },

    async get(idOrName: string, opts: { signal?: AbortSignal } = {}): Promise<Cluster> {
      return dataOf(await api.GET(ONE, { params: { path: path(idOrName) }, signal: opts.signal }));
    },
    /** The cluster's time series (cacheplane addition): memory, ops/s, clients, hit ratio, evictions, replication lag, per node. */
    metrics: (idOrName: string, opts: MetricsOptions = {}) => clusterMetrics(api, path(idOrName), opts),

    /** One page. */
    async list(opts: PageOptions = {}) {
      return dataOf(await api.GET(BASE, { params: { path: scope, query: { pageSize: opts.pageSize, pageToken: opts.pageToken } }, signal: opts.signal }));
    },

    /** Every cluster, page after page: `for await (const c of cp.clusters.all())`. */
    all(opts: { pageSize?: number } = {}): AsyncGenerator<Cluster, void, undefined> {
      return paginate(async (pageToken) => {
        const page = await clusters.list({ pageSize: opts.pageSize, ...(pageToken ? { pageToken } : {}) });
        return { items: page.clusters, nextPageToken: page.nextPageToken };
      });
    },

    /**
     * Changes the given fields; updateMask defaults to the keys of `patch`. A change of
     * shardCount (resharding: slots move live) or replicaCount is refused with
     * FAILED_PRECONDITION until an earlier one has converged.
     */
    async update(idOrName: string, patch: ClusterInput, opts: MutateOptions & { updateMask?: string[] } = {}): Promise<Operation> {
      const updateMask = (opts.updateMask ?? Object.keys(patch)).join(",");
      return dataOf(
        await api.PATCH(ONE, { params: { path: path(idOrName), query: { updateMask, requestId: opts.requestId } }, body: patch, signal: opts.signal }),
      );
    },

    /**
     * Upgrades to a newer engine, shard by shard. Memorystore for Redis Cluster has no upgrade
     * method: this is a PATCH with updateMask redisVersion, so the Operation's verb is "update".
     * Refused as instances' `upgrade` is (INVALID_ARGUMENT, FAILED_PRECONDITION).
     */
    async upgrade(idOrName: string, redisVersion: RedisVersion, opts: MutateOptions = {}): Promise<Operation> {
      return clusters.update(idOrName, { redisVersion }, { ...opts, updateMask: ["redisVersion"] });
    },

    /** Upgrades and resolves with the cluster once every node runs the new engine (ACTIVE). */
    async upgradeAndWait(idOrName: string, redisVersion: RedisVersion, opts: MutateOptions & WaitOptions = {}): Promise<Cluster> {
      const done = await operations.wait(await clusters.upgrade(idOrName, redisVersion, opts), opts);
      const response = done.response as Cluster | undefined;
      return response?.state === "ACTIVE" ? response : clusters.get(idOrName, opts);
    },

    /** As instances' `rescheduleMaintenance` (`:rescheduleClusterMaintenance`); the Operation is done, its response the Cluster. */
    async rescheduleMaintenance(idOrName: string, request: RescheduleRequest, opts: MutateOptions = {}): Promise<Operation> {
      return dataOf(
        await api.POST(`${ONE}:rescheduleClusterMaintenance`, {
          params: { path: path(idOrName), query: { requestId: opts.requestId } },
          body: request,
          signal: opts.signal,
        }),
      );
    },

    /** Refused with FAILED_PRECONDITION while deletionProtectionEnabled is true. */
    /** A node's own log lines, newest `tail` (default 100), secrets redacted (cacheplane addition); `node` is a shard's nodes[].id. */
    logs: (idOrName: string, node: string, opts: NodeLogsOptions = {}) => clusterNodeLogs(api, path(idOrName), node, opts),

    async delete(idOrName: string, opts: MutateOptions = {}): Promise<Operation> {
      return dataOf(await api.DELETE(ONE, { params: { path: path(idOrName), query: { requestId: opts.requestId } }, signal: opts.signal }));
    },

    /** Promotes the best replica of one shard ("0001" is the first); needs replicaCount ≥ 1. */
    async failoverShard(idOrName: string, opts: MutateOptions & { shard: string; dataProtectionMode?: DataProtectionMode }): Promise<Operation> {
      return dataOf(
        await api.POST(`${ONE}:failoverShard`, {
          params: { path: path(idOrName), query: { requestId: opts.requestId } },
          body: { shard: opts.shard, dataProtectionMode: opts.dataProtectionMode ?? "LIMITED_DATA_LOSS" },
          signal: opts.signal,
        }),
      );
    },

    /**
     * Starts a backup: one RDB per shard, each from an in-sync replica when the shard has one.
     * The Operation's response is the Cluster. FAILED_PRECONDITION while another backup or an
     * update runs.
     */
    async backup(idOrName: string, opts: BackupOptions = {}): Promise<Operation> {
      return dataOf(await api.POST(`${ONE}:backup`, { params: { path: path(idOrName) }, body: backupBody(opts), signal: opts.signal }));
    },

    /** Backs up and resolves with the ACTIVE Backup (its `name` is what a restore takes). */
    async backupAndWait(idOrName: string, opts: BackupOptions & WaitOptions = {}): Promise<Backup> {
      const done = await operations.wait(await clusters.backup(idOrName, opts), opts);
      const cluster = (done.response as Cluster | undefined)?.uid ? (done.response as Cluster) : await clusters.get(idOrName, opts);
      // A cluster's backup collection is named by its uid.
      return opts.backupId !== undefined
        ? backups.get(collectionOf(cluster), opts.backupId, opts)
        : backups.latestOf(cluster.name!, { collection: collectionOf(cluster), signal: opts.signal });
    },

    /** One page of what happened to the cluster, newest first (cacheplane addition). */
    async events(idOrName: string, opts: PageOptions = {}) {
      return dataOf(
        await api.GET(`${ONE}/events`, {
          params: { path: path(idOrName), query: { pageSize: opts.pageSize, pageToken: opts.pageToken } },
          signal: opts.signal,
        }),
      );
    },

    /** Every event, newest first, page after page. */
    allEvents(idOrName: string, opts: { pageSize?: number } = {}): AsyncGenerator<InstanceEvent, void, undefined> {
      return paginate(async (pageToken) => {
        const page = await clusters.events(idOrName, { pageSize: opts.pageSize, ...(pageToken ? { pageToken } : {}) });
        return { items: page.events, nextPageToken: page.nextPageToken };
      });
    },

    /** `redis://host:port` of the discovery endpoint (by id, name or the Cluster itself). */
    async redisUrl(cluster: string | Cluster, opts: { signal?: AbortSignal } = {}): Promise<string> {
      const got = typeof cluster === "string" ? await clusters.get(cluster, opts) : cluster;
      if (!got.discoveryEndpoints?.length) {
        throw CacheplaneError.of("FAILED_PRECONDITION", `cluster ${got.name} has no discovery endpoint yet (state ${got.state})`);
      }
      return clusterRedisUrl(got);
    },
  };
  return clusters;
}
export type ClustersApi = ReturnType<typeof clustersApi>;

const collectionOf = (cluster: Cluster) => {
  const [, project, location] = /^projects\/([^/]+)\/locations\/([^/]+)\//.exec(cluster.name ?? "") ?? [];
  return `projects/${project}/locations/${location}/backupCollections/${cluster.uid}`;
};
