// The engine catalogue: which builds (a redisVersion at a maintenanceVersion) exist, which of
// them are in effect, and which way a version change may go. The catalogue comes from
// configuration (CACHEPLANE_ENGINES) or the app's default; this file only reads it.

export interface EngineEntry {
  redisVersion: string;
  maintenanceVersion: string;
  /** Absolute path to redis-server / valkey-server, for the process driver. */
  binary?: string | undefined;
  /** Image reference, for the docker driver. */
  image?: string | undefined;
}

/** The version every engine without a configured maintenance version has (the built-in default). */
export const BASE_MAINTENANCE_VERSION = "20261101_00_00";

/** REDIS_6_X, REDIS_7_2, VALKEY_8_0: Memorystore's names. */
export const REDIS_VERSION_PATTERN = /^(REDIS|VALKEY)_\d+_(\d+|X)$/;
/** Memorystore's patch version is date-shaped (20261115_00_00), so the strings sort as dates. */
export const MAINTENANCE_VERSION_PATTERN = /^\d{8}_\d{2}_\d{2}$/;

export const engineKey = (redisVersion: string, maintenanceVersion: string) => `${redisVersion}@${maintenanceVersion}`;

interface ParsedVersion {
  family: "REDIS" | "VALKEY";
  major: number;
  minor: number;
}

// "X" (REDIS_6_X: whatever 6 is) is below every numbered minor, so that any numbered 6.n is
// an upgrade from it and the order stays total.
const X_MINOR = -1;

// REDIS_VERSION_PATTERN with the major captured too.
const PARTS = /^(REDIS|VALKEY)_(\d+)_(\d+|X)$/;

function parseRedisVersion(v: string): ParsedVersion {
  const m = PARTS.exec(v);
  // Callers validate with REDIS_VERSION_PATTERN first; a bad name here is a programming error.
  if (!m) throw new RangeError(`not a redisVersion: ${v}`);
  const [, family, major, minor] = m as unknown as [string, "REDIS" | "VALKEY", string, string];
  return { family, major: Number(major), minor: minor === "X" ? X_MINOR : Number(minor) };
}

/**
 * Negative when a is older than b. Major then minor; at the same number VALKEY comes after REDIS,
 * because MemoryDB lets Redis OSS move to Valkey and never back.
 */
export function compareRedisVersions(a: string, b: string): number {
  const x = parseRedisVersion(a);
  const y = parseRedisVersion(b);
  return x.major - y.major || x.minor - y.minor || familyRank(x.family) - familyRank(y.family);
}

const familyRank = (f: ParsedVersion["family"]) => (f === "REDIS" ? 0 : 1);

/**
 * True when moving from → to goes backwards: to an older number, or from Valkey to Redis at any
 * number (the move to Valkey is one-way, so VALKEY_7_2 → REDIS_7_4 is refused too).
 */
export function isDowngrade(from: string, to: string): boolean {
  if (parseRedisVersion(from).family === "VALKEY" && parseRedisVersion(to).family === "REDIS") return true;
  return compareRedisVersions(to, from) < 0;
}

/**
 * The maintenance versions of redisVersion in effect, ascending. The earliest in the catalogue
 * is always in effect (there must be something to create instances on); later ones only once
 * the admin has released them.
 */
export function releasedVersions(catalogue: readonly EngineEntry[], redisVersion: string, released: ReadonlySet<string>): string[] {
  const all = [...new Set(catalogue.filter((e) => e.redisVersion === redisVersion).map((e) => e.maintenanceVersion))].sort();
  return all.filter((v, i) => i === 0 || released.has(v));
}

/** The newest version in effect: what a new instance, or an upgraded one, gets. */
export function latestReleased(catalogue: readonly EngineEntry[], redisVersion: string, released: ReadonlySet<string>): string | undefined {
  return releasedVersions(catalogue, redisVersion, released).at(-1);
}

/** Versions in effect that are newer than current: Memorystore's `availableMaintenanceVersions`. */
export function availableMaintenanceVersions(
  catalogue: readonly EngineEntry[],
  redisVersion: string,
  current: string,
  released: ReadonlySet<string>,
): string[] {
  return releasedVersions(catalogue, redisVersion, released).filter((v) => v > current);
}

export function findEngine(catalogue: readonly EngineEntry[], redisVersion: string, maintenanceVersion: string): EngineEntry | undefined {
  return catalogue.find((e) => e.redisVersion === redisVersion && e.maintenanceVersion === maintenanceVersion);
}

/** Distinct redisVersions in catalogue order (the configured order is the order offered). */
export const redisVersionsOf = (catalogue: readonly EngineEntry[]) => [...new Set(catalogue.map((e) => e.redisVersion))];

/** Without CACHEPLANE_ENGINES: one build per version the runtime can run (the host's redis-server,
 *  or the configured image per version), all at the built-in maintenance version. */
export const defaultCatalogue = (redisVersions: readonly string[]): EngineEntry[] =>
  redisVersions.map((redisVersion) => ({ redisVersion, maintenanceVersion: BASE_MAINTENANCE_VERSION }));
