// Instances: the typed CRUD calls plus what people would otherwise write themselves —
// create-and-wait, a ready-to-use Redis URL, and iteration over every page — their data:
// backups, import (an RDB in a bucket, or a backup) and export — and their engine: upgrades and
// rescheduling a maintenance.
import { backupBody, type Backup, type BackupOptions, type BackupsApi } from "./backups.js";
import { CacheplaneError } from "./errors.js";
import { dataOf, type ApiClient } from "./http.js";
import { instanceMetrics, type MetricsOptions } from "./metrics.js";
import { instanceNodeLogs, type NodeLogsOptions } from "./node-logs.js";
import { parseName, type Scope } from "./names.js";
import type { OperationsApi, WaitOptions } from "./operations.js";
import { paginate } from "./paging.js";
import { redisUrl } from "./redis-url.js";
import type { Instance, InstanceEvent, InstanceInput, Operation, RedisVersion, RescheduleType } from "./types.js";

export type DataProtectionMode = "LIMITED_DATA_LOSS" | "FORCE_DATA_LOSS";
export interface MutateOptions {
  /** Makes the call idempotent: a retry with the same id returns the same Operation. */
  requestId?: string;
  signal?: AbortSignal;
}

const BASE = "/v1/projects/{project}/locations/{location}/instances" as const;
const ONE = "/v1/projects/{project}/locations/{location}/instances/{instance}" as const;

/** What `rescheduleMaintenance` takes: `scheduleTime` (RFC 3339, UTC) only with SPECIFIC_TIME. */
export interface RescheduleRequest {
  rescheduleType: RescheduleType;
  scheduleTime?: string;
}

/** What `import` loads: an RDB file in a bucket, or a backup (full name; a cacheplane addition). */
export type ImportSource = { gcsUri: string } | { backup: string };

export function instancesApi(api: ApiClient, scope: Scope, operations: OperationsApi, backups: BackupsApi) {
  const path = (idOrName: string) => {
    const n = parseName("instances", idOrName, scope);
    return { project: n.project, location: n.location, instance: n.id };
  };

  const instances = {
    /** Starts a create; the answer is the Operation (see createAndWait). */
    async create(instanceId: string, instance: InstanceInput, opts: MutateOptions = {}): Promise<Operation> {
      return dataOf(
        await api.POST(BASE, {
          params: { path: scope, query: { instanceId, requestId: opts.requestId } },
          body: instance,
          signal: opts.signal,
        }),
      );
    },

    /** Creates the instance and resolves with it once it is READY. */
    async createAndWait(instanceId: string, instance: InstanceInput, opts: MutateOptions & WaitOptions = {}): Promise<Instance> {
      const op = await instances.create(instanceId, instance, opts);
      const done = await operations.wait(op, opts);
      const response = done.response as Instance | undefined;
      return response?.state === "READY" ? response : instances.get(instanceId, opts);
    },

    async get(idOrName: string, opts: { signal?: AbortSignal } = {}): Promise<Instance> {
      return dataOf(await api.GET(ONE, { params: { path: path(idOrName) }, signal: opts.signal }));
    },
    /** The instance's time series (cacheplane addition): memory, ops/s, clients, hit ratio, evictions, replication lag, per node. */
    metrics: (idOrName: string, opts: MetricsOptions = {}) => instanceMetrics(api, path(idOrName), opts),

    /** One page. */
    async list(opts: { pageSize?: number; pageToken?: string; signal?: AbortSignal } = {}) {
      return dataOf(await api.GET(BASE, { params: { path: scope, query: { pageSize: opts.pageSize, pageToken: opts.pageToken } }, signal: opts.signal }));
    },

    /** Every instance, page after page: `for await (const i of cp.instances.all())`. */
    all(opts: { pageSize?: number } = {}): AsyncGenerator<Instance, void, undefined> {
      return paginate(async (pageToken) => {
        const page = await instances.list({ pageSize: opts.pageSize, ...(pageToken ? { pageToken } : {}) });
        return { items: page.instances, nextPageToken: page.nextPageToken };
      });
    },

    /** Changes the given fields; updateMask defaults to the keys of `patch`. */
    async update(idOrName: string, patch: InstanceInput, opts: MutateOptions & { updateMask?: string[] } = {}): Promise<Operation> {
      const updateMask = (opts.updateMask ?? Object.keys(patch)).join(",");
      return dataOf(
        await api.PATCH(ONE, { params: { path: path(idOrName), query: { updateMask, requestId: opts.requestId } }, body: patch, signal: opts.signal }),
      );
    },

    async delete(idOrName: string, opts: MutateOptions = {}): Promise<Operation> {
      return dataOf(await api.DELETE(ONE, { params: { path: path(idOrName), query: { requestId: opts.requestId } }, signal: opts.signal }));
    },

    /** The AUTH string of an instance with authEnabled (empty otherwise). */
    async authString(idOrName: string, opts: { signal?: AbortSignal } = {}): Promise<string | undefined> {
      const got = dataOf(await api.GET(`${ONE}/authString`, { params: { path: path(idOrName) }, signal: opts.signal }));
      return got.authString || undefined;
    },

    /** A node's own log lines, newest `tail` (default 100), secrets redacted (cacheplane addition); `node` is a nodes[].id. */
    logs: (idOrName: string, node: string, opts: NodeLogsOptions = {}) => instanceNodeLogs(api, path(idOrName), node, opts),

    /** STANDARD_HA: promote a replica (`POST …/instances/{id}:failover`). */
    async failover(idOrName: string, opts: MutateOptions & { dataProtectionMode?: DataProtectionMode } = {}): Promise<Operation> {
      return dataOf(
        await api.POST(`${ONE}:failover`, {
          params: { path: path(idOrName), query: { requestId: opts.requestId } },
          body: { dataProtectionMode: opts.dataProtectionMode ?? "LIMITED_DATA_LOSS" },
          signal: opts.signal,
        }),
      );
    },

    /**
     * Starts an upgrade to a newer engine (`POST …/instances/{id}:upgrade`), node by node: replicas
     * first, then a switchover to an upgraded one. The Operation's statusDetail names the node being
     * upgraded. A version the control plane does not offer is INVALID_ARGUMENT; the version the
     * instance runs, a downgrade, or a backup, import or export in progress is FAILED_PRECONDITION.
     */
    async upgrade(idOrName: string, redisVersion: RedisVersion, opts: MutateOptions = {}): Promise<Operation> {
      return dataOf(
        await api.POST(`${ONE}:upgrade`, {
          params: { path: path(idOrName), query: { requestId: opts.requestId } },
          body: { redisVersion },
          signal: opts.signal,
        }),
      );
    },

    /** Upgrades and resolves with the instance once every node runs the new engine (READY). */
    async upgradeAndWait(idOrName: string, redisVersion: RedisVersion, opts: MutateOptions & WaitOptions = {}): Promise<Instance> {
      const done = await operations.wait(await instances.upgrade(idOrName, redisVersion, opts), opts);
      const response = done.response as Instance | undefined;
      return response?.state === "READY" ? response : instances.get(idOrName, opts);
    },

    /**
     * Moves the scheduled maintenance (FAILED_PRECONDITION when none is: one is scheduled once a
     * newer maintenance version is released). IMMEDIATE starts it now, NEXT_AVAILABLE_WINDOW moves
     * it to the policy's next window, SPECIFIC_TIME to `scheduleTime` — never past the schedule's
     * scheduleDeadlineTime. The Operation is already done; its response is the Instance.
     */
    async rescheduleMaintenance(idOrName: string, request: RescheduleRequest, opts: MutateOptions = {}): Promise<Operation> {
      return dataOf(
        await api.POST(`${ONE}:rescheduleMaintenance`, {
          params: { path: path(idOrName), query: { requestId: opts.requestId } },
          body: request,
          signal: opts.signal,
        }),
      );
    },

    /** One page of what happened to the instance, newest first (cacheplane addition). */
    async events(idOrName: string, opts: { pageSize?: number; pageToken?: string; signal?: AbortSignal } = {}) {
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
        const page = await instances.events(idOrName, { pageSize: opts.pageSize, ...(pageToken ? { pageToken } : {}) });
        return { items: page.events, nextPageToken: page.nextPageToken };
      });
    },

    /**
     * Starts a backup (one RDB, from an in-sync replica when there is one); the Operation's
     * response is the Instance. FAILED_PRECONDITION while another backup or an update runs.
     */
    async backup(idOrName: string, opts: BackupOptions = {}): Promise<Operation> {
      return dataOf(await api.POST(`${ONE}:backup`, { params: { path: path(idOrName) }, body: backupBody(opts), signal: opts.signal }));
    },

    /** Backs up and resolves with the ACTIVE Backup (its `name` is what a restore takes). */
    async backupAndWait(idOrName: string, opts: BackupOptions & WaitOptions = {}): Promise<Backup> {
      await operations.wait(await instances.backup(idOrName, opts), opts);
      const p = path(idOrName);
      return backups.latestOf(`projects/${p.project}/locations/${p.location}/instances/${p.instance}`, opts);
    },

    /**
     * Replaces the instance's data with an RDB file (`{ gcsUri: "gs://bucket/object" }`) or a
     * backup of any instance or cluster (`{ backup: name }`). The state is IMPORTING until the
     * Operation ends; a source that cannot be loaded fails it and leaves the data as it was.
     */
    async import(idOrName: string, source: ImportSource, opts: MutateOptions = {}): Promise<Operation> {
      const inputConfig = "gcsUri" in source ? { gcsSource: { uri: source.gcsUri } } : { managedBackupSource: { backup: source.backup } };
      return dataOf(
        await api.POST(`${ONE}:import`, {
          params: { path: path(idOrName) },
          body: { inputConfig, ...(opts.requestId ? { requestId: opts.requestId } : {}) },
          signal: opts.signal,
        }),
      );
    },

    /** Writes the instance's data as one RDB file to `gs://bucket/object`. */
    async export(idOrName: string, uri: string, opts: MutateOptions = {}): Promise<Operation> {
      return dataOf(
        await api.POST(`${ONE}:export`, {
          params: { path: path(idOrName) },
          body: { outputConfig: { gcsDestination: { uri } }, ...(opts.requestId ? { requestId: opts.requestId } : {}) },
          signal: opts.signal,
        }),
      );
    },

    /** `redis://[:<auth>@]host:port` for an instance (by id, name or the Instance itself). */
    async redisUrl(instance: string | Instance, opts: { signal?: AbortSignal } = {}): Promise<string> {
      const got = typeof instance === "string" ? await instances.get(instance, opts) : instance;
      if (!got.host || !got.port) {
        throw CacheplaneError.of("FAILED_PRECONDITION", `instance ${got.name} has no endpoint yet (state ${got.state})`);
      }
      const auth = got.authEnabled ? await instances.authString(got.name!, opts) : undefined;
      return redisUrl(got, auth);
    },
  };
  return instances;
}
export type InstancesApi = ReturnType<typeof instancesApi>;
