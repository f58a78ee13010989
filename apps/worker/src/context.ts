// What the worker needs from the outside, passed in explicitly.
import type { PrismaClient } from "@cacheplane/db";
import type { ReconcileQueue } from "@cacheplane/queue";
import type { NodeRuntime } from "@cacheplane/runtime";

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface WorkerContext {
  prisma: PrismaClient;
  runtime: NodeRuntime;
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
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
