// What the api needs from the outside, passed in explicitly (no globals, no process.env).
import type { InstanceReads, PrismaClient } from "@cacheplane/db";

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
  /** Engine versions the configured runtime can run, first is the default. */
  redisVersions: string[];
}
