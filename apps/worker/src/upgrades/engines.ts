// Which engine build a deployment should run, which one each node runs, and the binary or image
// that build is. Builds come only from the catalogue (CACHEPLANE_ENGINES, or the default of one
// build per version the runtime can run), never from an API call.
import { BASE_MAINTENANCE_VERSION, engineKey, findEngine, type EngineEntry } from "@cacheplane/core";
import type { Instance as InstanceRow, Node as NodeRow } from "@cacheplane/db";

export interface Engine {
  redisVersion: string;
  maintenanceVersion: string;
}

const specOf = (row: InstanceRow) => row.spec as { redisVersion: string; maintenanceVersion?: string };

/** What every node of the deployment should run: its spec's version at its maintenance version. */
export const desiredEngine = (row: InstanceRow): Engine => ({
  redisVersion: specOf(row).redisVersion,
  maintenanceVersion: specOf(row).maintenanceVersion ?? BASE_MAINTENANCE_VERSION,
});

/** What a node was last started on (recorded on its row when it is created or upgraded). */
export const nodeEngine = (row: InstanceRow, node: NodeRow): Engine => ({
  redisVersion: node.redisVersion ?? specOf(row).redisVersion,
  maintenanceVersion: node.maintenanceVersion ?? specOf(row).maintenanceVersion ?? BASE_MAINTENANCE_VERSION,
});

export const keyOf = (engine: Engine) => engineKey(engine.redisVersion, engine.maintenanceVersion);

export const describeEngine = (engine: Engine) => `${engine.redisVersion} (${engine.maintenanceVersion})`;

/** The binary (process driver) or image (docker driver) of a build; nothing when the catalogue
 *  has no entry for it (then the driver's own default for the version is used). */
export function engineBuild(catalogue: readonly EngineEntry[], engine: Engine): { binary?: string; image?: string } | undefined {
  const entry = findEngine(catalogue, engine.redisVersion, engine.maintenanceVersion);
  if (!entry || (!entry.binary && !entry.image)) return undefined;
  return { ...(entry.binary ? { binary: entry.binary } : {}), ...(entry.image ? { image: entry.image } : {}) };
}
