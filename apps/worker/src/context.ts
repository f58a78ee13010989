// What the worker needs from the outside, passed in explicitly.
import type { EngineEntry } from "@cacheplane/core";
import type { PrismaClient } from "@cacheplane/db";
import type { ReconcileQueue } from "@cacheplane/queue";
import type { NodeRuntime } from "@cacheplane/runtime";
import type { Runtimes } from "./runtimes.js";
import type { BackupStorage } from "./backups/storage.js";

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface WorkerContext {
  prisma: PrismaClient;
  /** The drivers: new nodes use runtimes.default, existing ones the driver recorded on them. */
  runtimes: Runtimes;
  queue: ReconcileQueue;
  /** Zones of the one location, in placement order. */
  zones: string[];
  /** Where node data directories are allocated: {nodesRoot}/{node id}. */
  nodesRoot: string;
  /** Address nodes listen on (loopback by default). */
  nodeHost: string;
  /** Inclusive range node ports are allocated from. */
  portRange: { first: number; last: number };
  log: Logger;
  /** Where backups are kept and sealed, and the buckets root for imports and exports. */
  backups: BackupStorage;
  /** The engine builds nodes may run (CACHEPLANE_ENGINES, or one per version the runtime runs). */
  engines: readonly EngineEntry[];
  /** The scheduler's clock (backup expiry, automated backups): injected so tests cross a day in a second. */
  now?: () => Date;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export class DriverUnavailableError extends Error {}

/** The driver that manages a node (the one that made it). */
export function runtimeFor(ctx: WorkerContext, driver: string): NodeRuntime {
  const runtime = ctx.runtimes.byDriver[driver as NodeRuntime["driver"]];
  if (!runtime) throw new DriverUnavailableError(`the ${driver} driver is not available on this worker`);
  return runtime;
}
