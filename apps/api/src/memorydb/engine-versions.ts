// The engine versions a MemoryDB client sees: which one CreateCluster picks, how each is named
// (Engine, EngineVersion, EnginePatchVersion, ParameterGroupFamily), and DescribeEngineVersions.
import type { RedisVersion as RedisVersionSchema } from "@cacheplane/contracts";
import type { z } from "zod";
import { engineOf, parameterGroupFamilyOf, redisVersionOf } from "./names.js";

type RedisVersion = z.infer<typeof RedisVersionSchema>;

/**
 * The patch release each engine version's build runs, where it is known without asking a node:
 * Redis 7.0's last release is 7.0.15 (Debian's redis-server and every redis:7.0 image run it).
 * Other versions' patch depends on the build configured (CACHEPLANE_ENGINES), which the api does
 * not run, so EnginePatchVersion is left out rather than guessed.
 */
const KNOWN_PATCH: Partial<Record<RedisVersion, string>> = { REDIS_7_0: "7.0.15" };

export const enginePatchVersionOf = (redisVersion: RedisVersion) => KNOWN_PATCH[redisVersion];

/**
 * What a create gets: with neither Engine nor EngineVersion, the control plane's default (the first
 * version offered, as the native API gives); otherwise the newest version offered that matches,
 * as MemoryDB picks the newest of an engine or major version.
 */
export function chosenRedisVersion(engine: string | undefined, version: string | undefined, offered: readonly RedisVersion[]): RedisVersion {
  const first = offered[0];
  if (first && version === undefined && (engine === undefined || engine.toLowerCase() === engineOf(first).engine)) return first;
  return redisVersionOf(engine, version, offered);
}

/** MemoryDB's EngineVersionInfo of a version. */
export function engineVersionInfo(redisVersion: RedisVersion) {
  const { engine, version } = engineOf(redisVersion);
  const patch = enginePatchVersionOf(redisVersion);
  return {
    Engine: engine,
    EngineVersion: version,
    ...(patch ? { EnginePatchVersion: patch } : {}),
    ParameterGroupFamily: parameterGroupFamilyOf(redisVersion),
  };
}

export interface EngineVersionFilter {
  Engine?: string | undefined;
  EngineVersion?: string | undefined;
  ParameterGroupFamily?: string | undefined;
  DefaultOnly?: boolean | undefined;
}

/** The versions offered that pass DescribeEngineVersions' filters, in catalogue order. With
 *  DefaultOnly, the one CreateCluster would pick for the same Engine and EngineVersion. */
export function describeEngineVersions(filter: EngineVersionFilter, offered: readonly RedisVersion[]) {
  const matches = (v: RedisVersion) => {
    const info = engineVersionInfo(v);
    return (
      (filter.Engine === undefined || info.Engine === filter.Engine.toLowerCase()) &&
      (filter.EngineVersion === undefined || info.EngineVersion === filter.EngineVersion || info.EngineVersion.split(".")[0] === filter.EngineVersion) &&
      (filter.ParameterGroupFamily === undefined || info.ParameterGroupFamily === filter.ParameterGroupFamily)
    );
  };
  if (!filter.DefaultOnly) return offered.filter(matches).map(engineVersionInfo);
  // Chosen from every version offered, as CreateCluster chooses, then filtered: none matching the
  // filters is an empty list, not an error.
  let chosen: RedisVersion | undefined;
  try {
    chosen = chosenRedisVersion(filter.Engine, filter.EngineVersion, offered);
  } catch {
    chosen = undefined;
  }
  return chosen && matches(chosen) ? [engineVersionInfo(chosen)] : [];
}
