export { startWorker, type RunningWorker, type WorkerOptions } from "./worker.js";
export type { WorkerContext, Logger } from "./context.js";
export { silentLogger } from "./context.js";
export { openBackupStorage, type BackupStorage } from "./backups/storage.js";
export { reconcile } from "./reconcile/reconcile.js";
export { removeOrphanReadEndpoints } from "./edge/read-endpoint.js";
export { createRuntimes, hostRedisVersion, NoRuntimeError, type Runtimes, type RuntimeChoice } from "./runtimes.js";
