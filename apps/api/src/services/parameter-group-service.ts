// MemoryDB parameter groups (our addition to the native model): a cluster that names one gets the
// group's parameters as its redisConfigs. (Stub: filled in with the parameter-group family.)
import type { PrismaClient } from "@cacheplane/db";
import type { StoredCluster } from "./cluster-spec.js";

/** The spec with redisConfigs taken from its parameter group, when it names one. */
export async function applyParameterGroup(_prisma: PrismaClient, _project: string, _location: string, spec: StoredCluster): Promise<StoredCluster> {
  return spec;
}
