// What the api needs from the outside, passed in explicitly (no globals, no process.env).
import type { EngineEntry } from "@cacheplane/core";
import type { InstanceReads, PrismaClient } from "@cacheplane/db";
import type { NodeRuntime } from "@cacheplane/runtime";
import type { Registry } from "prom-client";
import type { Catalogue } from "./services/catalogue.js";

export interface LocationConfig {
  /** The one location this control plane serves, e.g. "local1". */
  location: string;
  zones: string[];
}

export interface ApiContext {
  prisma: PrismaClient;
  /** The hot read path (GET instance), outside Prisma; see packages/db instance-reads. */
  reads: InstanceReads;
  /** Asks the worker to reconcile an instance; called only after the transaction commits. */
  enqueueReconcile(instanceUid: string): Promise<void>;
  locations: LocationConfig;
  /**
   * The engine catalogue the workers run (CACHEPLANE_ENGINES, or defaultCatalogue). The versions
   * offered are its redisVersions in catalogue order; the first is the default.
   */
  engines: EngineEntry[];
  /** Seals the secrets the api must read again (AWS-style signing secrets) under the master key;
   *  the same key the worker seals backups with (CACHEPLANE_MASTER_KEY or {dataDir}/master.key). */
  secrets: SecretBox;
  /** Read-only use of this machine's node drivers, for the nodes' own logs (see
   *  services/node-logs-service.ts). Absent: this api runs where the nodes are not, and their
   *  logs are UNAVAILABLE. */
  nodeLogs?: NodeLogReaders;
  /** GET /metrics; every part optional (a test's app serves it with a private registry). */
  monitoring?: MonitoringContext;
}

export interface MonitoringContext {
  /** The process's prom-client registry (monitoring/process-metrics.ts createProcessRegistry): in
   *  `cacheplane up` the worker records into the same one, so one scrape shows both. */
  registry?: Registry;
  /** CACHEPLANE_METRICS_TOKEN: a bearer token GET /metrics accepts besides API keys. Secret. */
  metricsToken?: string | undefined;
  /** The reconcile queue's job counts by state (BullMQ's getJobCounts), read at scrape time. */
  jobCounts?: () => Promise<Record<string, number>>;
  /** The worker's sampling interval (CACHEPLANE_METRICS_INTERVAL; 0 is off): a node is up while
   *  sampled within three of them. Default 10 s. */
  sampleIntervalMs?: number;
}

/** By driver (the one recorded on each node): what reads a node's log lines. */
export type NodeLogReaders = Partial<Record<NodeRuntime["driver"], Pick<NodeRuntime, "logs">>>;

/** packages/runtime's createSecretBox satisfies it. */
export interface SecretBox {
  seal(purpose: string, plaintext: string): string;
  open(purpose: string, sealed: string): string;
}

/** What the services are built from: the context plus what buildApp derives from it once. */
export interface ServiceContext extends ApiContext {
  catalogue: Catalogue;
}
