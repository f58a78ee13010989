// What the api needs from the outside, passed in explicitly (no globals, no process.env).
import type { EngineEntry } from "@cacheplane/core";
import type { InstanceReads, PrismaClient } from "@cacheplane/db";
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
}

/** packages/runtime's createSecretBox satisfies it. */
export interface SecretBox {
  seal(purpose: string, plaintext: string): string;
  open(purpose: string, sealed: string): string;
}

/** What the services are built from: the context plus what buildApp derives from it once. */
export interface ServiceContext extends ApiContext {
  catalogue: Catalogue;
}
