// Backups (Memorystore for Redis Cluster's backup collections; instances have them too, as a
// cacheplane addition): collections and backups page by page or as one stream, get, delete and
// export. Taking a backup is a method of its source (`instances.backup`, `clusters.backup`), and
// so is restoring one (`instances.import`, or a cluster created with managedBackupSource).
import { CacheplaneError } from "./errors.js";
import { dataOf, type ApiClient } from "./http.js";
import type { MutateOptions } from "./instances.js";
import type { Scope } from "./names.js";
import { paginate } from "./paging.js";
import type { components, Operation } from "./types.js";

export type Backup = components["schemas"]["Backup"];
export type BackupCollection = components["schemas"]["BackupCollection"];
export type BackupState = Backup["state"];

/** What `instances.backup` and `clusters.backup` take. */
export interface BackupOptions extends MutateOptions {
  /** Default: YYYYMMDDHHMMSS_ and the first 8 characters of the source's uid (Memorystore's naming). */
  backupId?: string;
  /** How long the backup is kept, a Duration such as "604800s" (1 day to 100 years; default 100 years). */
  ttl?: string;
}

type PageOptions = { pageSize?: number; pageToken?: string; signal?: AbortSignal };

const COLLECTIONS = "/v1/projects/{project}/locations/{location}/backupCollections" as const;
const COLLECTION = "/v1/projects/{project}/locations/{location}/backupCollections/{backupCollection}" as const;
const BACKUPS = "/v1/projects/{project}/locations/{location}/backupCollections/{backupCollection}/backups" as const;
const ONE = "/v1/projects/{project}/locations/{location}/backupCollections/{backupCollection}/backups/{backup}" as const;

const COLLECTION_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/backupCollections\/([^/]+)$/;
const BACKUP_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/backupCollections\/([^/]+)\/backups\/([^/]+)$/;

/** A collection's uid (or "-") in the client's scope, or a full collection name. */
export function collectionPath(uidOrName: string, scope: Scope) {
  const m = COLLECTION_NAME.exec(uidOrName);
  return m ? { project: m[1]!, location: m[2]!, backupCollection: m[3]! } : { ...scope, backupCollection: uidOrName };
}

/**
 * A backup by its full name, or by (collection, backupId). A bare backup id is not enough: the
 * same id may be in every collection, so that is refused here rather than guessed.
 */
export function backupPath(nameOrCollection: string, backupId: string | undefined, scope: Scope) {
  if (backupId !== undefined) return { ...collectionPath(nameOrCollection, scope), backup: backupId };
  const m = BACKUP_NAME.exec(nameOrCollection);
  if (!m) {
    throw CacheplaneError.of(
      "INVALID_ARGUMENT",
      `'${nameOrCollection}' is not a backup name (projects/{p}/locations/{l}/backupCollections/{bc}/backups/{b}); pass (collection, backupId) instead`,
    );
  }
  return { project: m[1]!, location: m[2]!, backupCollection: m[3]!, backup: m[4]! };
}

export function backupsApi(api: ApiClient, scope: Scope) {
  const backups = {
    /** One page of collections: one per instance or cluster ever backed up, named by its uid. */
    async listCollections(opts: PageOptions = {}) {
      return dataOf(
        await api.GET(COLLECTIONS, { params: { path: scope, query: { pageSize: opts.pageSize, pageToken: opts.pageToken } }, signal: opts.signal }),
      );
    },

    /** Every collection, page after page. */
    allCollections(opts: { pageSize?: number } = {}): AsyncGenerator<BackupCollection, void, undefined> {
      return paginate(async (pageToken) => {
        const page = await backups.listCollections({ pageSize: opts.pageSize, ...(pageToken ? { pageToken } : {}) });
        return { items: page.backupCollections, nextPageToken: page.nextPageToken };
      });
    },

    /** By uid (the source's) or full name. */
    async getCollection(uidOrName: string, opts: { signal?: AbortSignal } = {}): Promise<BackupCollection> {
      return dataOf(await api.GET(COLLECTION, { params: { path: collectionPath(uidOrName, scope) }, signal: opts.signal }));
    },

    /** One page of backups of one collection, or of every collection (the default, "-"). */
    async list(opts: PageOptions & { collection?: string } = {}) {
      return dataOf(
        await api.GET(BACKUPS, {
          params: { path: collectionPath(opts.collection ?? "-", scope), query: { pageSize: opts.pageSize, pageToken: opts.pageToken } },
          signal: opts.signal,
        }),
      );
    },

    /** Every backup (of one collection, or of all), page after page. */
    all(opts: { collection?: string; pageSize?: number } = {}): AsyncGenerator<Backup, void, undefined> {
      return paginate(async (pageToken) => {
        const page = await backups.list({ collection: opts.collection, pageSize: opts.pageSize, ...(pageToken ? { pageToken } : {}) });
        return { items: page.backups, nextPageToken: page.nextPageToken };
      });
    },

    /** `get(fullName)` or `get(collection, backupId)`. */
    async get(nameOrCollection: string, backupId?: string, opts: { signal?: AbortSignal } = {}): Promise<Backup> {
      return dataOf(await api.GET(ONE, { params: { path: backupPath(nameOrCollection, backupId, scope) }, signal: opts.signal }));
    },

    /** Removes the backup and its files; refused with FAILED_PRECONDITION while it is CREATING. */
    async delete(name: string, opts: MutateOptions = {}): Promise<Operation> {
      return dataOf(await api.DELETE(ONE, { params: { path: backupPath(name, undefined, scope), query: { requestId: opts.requestId } }, signal: opts.signal }));
    },

    /**
     * Writes the backup's files as plain RDB (any Redis loads them) to gs://{gcsBucket}/{backupId}/
     * shard-0001.rdb, …; the finished Operation's response is the Backup. Only an ACTIVE backup.
     */
    async export(name: string, gcsBucket: string, opts: MutateOptions = {}): Promise<Operation> {
      return dataOf(
        await api.POST(`${ONE}:export`, {
          params: { path: backupPath(name, undefined, scope) },
          body: { gcsBucket, ...(opts.requestId ? { requestId: opts.requestId } : {}) },
          signal: opts.signal,
        }),
      );
    },

    /**
     * The backup a finished `:backup` of `source` (a full instance or cluster name) made: the one
     * named `backupId`, or without one the source's newest. Backups of one source run one at a
     * time, so right after the Operation ends its newest backup is the one it made. Several
     * collections may name the same source (a source deleted and made again gets a new uid);
     * the newest backup of them all is the current source's. `collection` narrows the search
     * to one (a cluster's uid names its collection).
     */
    async latestOf(source: string, opts: { backupId?: string; collection?: string; signal?: AbortSignal } = {}): Promise<Backup> {
      const { backupId } = opts;
      let newest: Backup | undefined;
      for await (const b of backups.all({ collection: opts.collection })) {
        opts.signal?.throwIfAborted();
        if ((b.instance ?? b.cluster) !== source) continue;
        if (backupId !== undefined && !b.name.endsWith(`/backups/${backupId}`)) continue;
        if (!newest || Date.parse(b.createTime) >= Date.parse(newest.createTime)) newest = b;
      }
      if (!newest) throw CacheplaneError.of("NOT_FOUND", `no backup${backupId ? ` ${backupId}` : ""} of ${source} found`);
      return newest;
    },
  };
  return backups;
}
export type BackupsApi = ReturnType<typeof backupsApi>;

/** The body of `:backup` (requestId goes in the body for this custom method). */
export const backupBody = (opts: BackupOptions) => ({
  ...(opts.backupId !== undefined ? { backupId: opts.backupId } : {}),
  ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}),
  ...(opts.requestId !== undefined ? { requestId: opts.requestId } : {}),
});
