// @cacheplane/sdk — a typed client for the cacheplane API (Memorystore for Redis v1 shape).
export { createCacheplaneClient, type CacheplaneClient, type ClientOptions } from "./client.js";
export type { Backup, BackupCollection, BackupOptions, BackupState } from "./backups.js";
export { CacheplaneError, OperationError, type ErrorDetail } from "./errors.js";
export { createApiClient, type ApiClient } from "./http.js";
export type { DataProtectionMode, ImportSource, MutateOptions, RescheduleRequest } from "./instances.js";
export type { WaitOptions } from "./operations.js";
export { paginate, toArray, type Page } from "./paging.js";
export { clusterRedisUrl, redisUrl } from "./redis-url.js";
export type * from "./types.js";
