// The engine catalogue as the api uses it: the redisVersions offered, what the operator released
// (the MaintenanceRelease table) and, from both, every resource's availableMaintenanceVersions.
// Reads take the released set through a short cache, so a GET costs no extra query; a release
// through this api is seen at once, one through another api process within RELEASES_CACHE_MS.
// Mutations validate against a fresh read.
import { availableMaintenanceVersions, redisVersionsOf, type EngineEntry } from "@cacheplane/core";
import { readReleases, type PrismaClient } from "@cacheplane/db";

export const RELEASES_CACHE_MS = 1_000;

export interface Releases {
  /** Released versions, for core's engine functions. */
  versions: ReadonlySet<string>;
  /** When each was released. */
  times: ReadonlyMap<string, Date>;
}

export function createCatalogue(prisma: PrismaClient, engines: readonly EngineEntry[], ttlMs = RELEASES_CACHE_MS) {
  const offered = redisVersionsOf(engines);
  let cached: { until: number; releases: Promise<Releases> } | undefined;

  async function read(): Promise<Releases> {
    const times = await readReleases(prisma);
    return { versions: new Set(times.keys()), times };
  }

  function releasesNow(): Promise<Releases> {
    const releases = read();
    cached = { until: Date.now() + ttlMs, releases };
    // A failed read is not remembered: the next request tries again.
    releases.catch(() => {
      if (cached?.releases === releases) cached = undefined;
    });
    return releases;
  }

  return {
    engines,
    /** The redisVersions a resource may be created on or upgraded to, the default first. */
    offered,
    /** For what the api shows: at most ttlMs old. */
    releases: (): Promise<Releases> => (cached && cached.until > Date.now() ? cached.releases : releasesNow()),
    /** For what a mutation decides: read now. */
    releasesNow,
    /** A resource view with Memorystore's availableMaintenanceVersions (released, newer than its own). */
    withAvailable<T extends Record<string, unknown>>(view: T, releases: Releases): T & { availableMaintenanceVersions: string[] } {
      const available = availableMaintenanceVersions(engines, String(view.redisVersion), String(view.maintenanceVersion), releases.versions);
      return { ...view, availableMaintenanceVersions: available };
    },
  };
}
export type Catalogue = ReturnType<typeof createCatalogue>;
