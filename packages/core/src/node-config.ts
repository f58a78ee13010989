// The Redis directives a node must run with, derived from the desired spec. The planner
// compares these with what the node reports, so each value is written as CONFIG GET prints it.

export interface DesiredSpec {
  tier: "BASIC" | "STANDARD_HA";
  memorySizeGb: number;
  redisVersion: string;
  authEnabled: boolean;
  persistenceMode: "DISABLED" | "RDB";
  rdbSnapshotPeriod?: "ONE_HOUR" | "SIX_HOURS" | "TWELVE_HOURS" | "TWENTY_FOUR_HOURS" | undefined;
  redisConfigs: Record<string, string>;
}

const GIB = 1024 ** 3;
const SNAPSHOT_SECONDS = { ONE_HOUR: 3600, SIX_HOURS: 21600, TWELVE_HOURS: 43200, TWENTY_FOUR_HOURS: 86400 } as const;

/** maxmemory in bytes. Memorystore keeps part of the size for overhead; we give the node the
 *  whole size, because locally there is no fleet to protect and users expect the number. */
export const maxmemoryBytes = (memorySizeGb: number) => Math.floor(memorySizeGb * GIB);

export function nodeConfig(spec: DesiredSpec, authString: string | null | undefined): Record<string, string> {
  const period = spec.rdbSnapshotPeriod ?? "TWENTY_FOUR_HOURS";
  return {
    maxmemory: String(maxmemoryBytes(spec.memorySizeGb)),
    // Always present, empty when auth is off, so turning auth off is converged like any change.
    requirepass: spec.authEnabled && authString ? authString : "",
    // Replicas authenticate to their primary with the same secret.
    masterauth: spec.authEnabled && authString ? authString : "",
    save: spec.persistenceMode === "RDB" ? `${SNAPSHOT_SECONDS[period]} 1` : "",
    // A primary waits this long for more replicas before a full sync (Redis: 5 s). Replicas
    // here join one at a time, so waiting only delays READY after a create or a failover.
    "repl-diskless-sync-delay": "0",
    ...spec.redisConfigs,
  };
}

// Redis prints notify-keyspace-events in its own order and folds "g$lshzxetd" into "A".
const KEYSPACE_ALL = "g$lshzxetd";
function keyspaceFlags(value: string): string {
  const expanded = value.replace(/A/g, KEYSPACE_ALL);
  return [...new Set(expanded)].sort().join("");
}

/** Whether a node's live value already satisfies the desired one. */
export function configValueEquals(key: string, desired: string, observed: string | undefined): boolean {
  if (observed === undefined) return false;
  if (key === "notify-keyspace-events") return keyspaceFlags(desired) === keyspaceFlags(observed);
  return desired === observed;
}

/** Keys whose live value differs from the desired one. */
export const configDrift = (desired: Record<string, string>, observed: Record<string, string>) =>
  Object.keys(desired).filter((key) => !configValueEquals(key, desired[key]!, observed[key]));

/** Directives of every node of a cluster (auth is off for clusters until ACLs come). */
export function clusterNodeConfig(spec: {
  maxmemoryBytes: number;
  persistence: { mode: "DISABLED" | "RDB" | "AOF"; rdbSnapshotPeriod?: DesiredSpec["rdbSnapshotPeriod"]; appendFsync?: "NO" | "EVERYSEC" | "ALWAYS" | undefined };
  redisConfigs: Record<string, string>;
}): Record<string, string> {
  const { mode } = spec.persistence;
  return {
    maxmemory: String(spec.maxmemoryBytes),
    requirepass: "",
    masterauth: "",
    save: mode === "RDB" ? `${SNAPSHOT_SECONDS[spec.persistence.rdbSnapshotPeriod ?? "TWENTY_FOUR_HOURS"]} 1` : "",
    appendonly: mode === "AOF" ? "yes" : "no",
    ...(mode === "AOF" ? { appendfsync: (spec.persistence.appendFsync ?? "EVERYSEC").toLowerCase() } : {}),
    "repl-diskless-sync-delay": "0",
    ...spec.redisConfigs,
  };
}
