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
  /** The deployment's ACL is not open-access: its default user is the control plane's alone. */
  aclRestricted?: boolean | undefined;
}

/**
 * The engine's default of each setting a user may change (the redisConfigs keys, as CONFIG GET
 * prints them). Every node's desired config names them all, a user's value or this default, so a
 * key dropped from redisConfigs (a PATCH, a parameter group reset) drifts back to its default on
 * the live node instead of keeping its old value until a restart.
 */
export const REDIS_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  "maxmemory-policy": "noeviction",
  "notify-keyspace-events": "",
  activedefrag: "no",
  "lfu-decay-time": "1",
  "lfu-log-factor": "10",
  "stream-node-max-bytes": "4096",
  "stream-node-max-entries": "100",
  timeout: "0",
};

const GIB = 1024 ** 3;
const SNAPSHOT_SECONDS = { ONE_HOUR: 3600, SIX_HOURS: 21600, TWELVE_HOURS: 43200, TWENTY_FOUR_HOURS: 86400 } as const;

/** maxmemory in bytes. Memorystore keeps part of the size for overhead; we give the node the
 *  whole size, because locally there is no fleet to protect and users expect the number. */
export const maxmemoryBytes = (memorySizeGb: number) => Math.floor(memorySizeGb * GIB);

/**
 * The default user's password: the AUTH string when auth is on; with an ACL other than
 * open-access the same secret even when auth is off, so the default user (the control plane's
 * own: admin connections, probes, replication) is closed to clients, who AUTH as ACL users.
 */
export const controlPassword = (authString: string | null | undefined, authEnabled: boolean, aclRestricted: boolean) =>
  (authEnabled || aclRestricted) && authString ? authString : "";

export function nodeConfig(spec: DesiredSpec, authString: string | null | undefined): Record<string, string> {
  const period = spec.rdbSnapshotPeriod ?? "TWENTY_FOUR_HOURS";
  const password = controlPassword(authString, spec.authEnabled, spec.aclRestricted ?? false);
  return {
    maxmemory: String(maxmemoryBytes(spec.memorySizeGb)),
    // Always present, empty when auth is off, so turning auth off is converged like any change.
    requirepass: password,
    // Replicas authenticate to their primary with the same secret.
    masterauth: password,
    save: spec.persistenceMode === "RDB" ? `${SNAPSHOT_SECONDS[period]} 1` : "",
    // A primary waits this long for more replicas before a full sync (Redis: 5 s). Replicas
    // here join one at a time, so waiting only delays READY after a create or a failover.
    "repl-diskless-sync-delay": "0",
    ...REDIS_CONFIG_DEFAULTS,
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

/** Directives of every node of a cluster. Clusters have no AUTH string of their own: with an ACL
 *  other than open-access, `controlPassword` (the deployment's secret) closes the default user. */
export function clusterNodeConfig(spec: {
  /** The default user's password; none (open-access): no password, as before ACLs. */
  controlPassword?: string | undefined;
  maxmemoryBytes: number;
  persistence: {
    mode: "DISABLED" | "RDB" | "AOF";
    rdbSnapshotPeriod?: DesiredSpec["rdbSnapshotPeriod"];
    appendFsync?: "NO" | "EVERYSEC" | "ALWAYS" | undefined;
  };
  redisConfigs: Record<string, string>;
}): Record<string, string> {
  const { mode } = spec.persistence;
  return {
    maxmemory: String(spec.maxmemoryBytes),
    requirepass: spec.controlPassword ?? "",
    masterauth: spec.controlPassword ?? "",
    save: mode === "RDB" ? `${SNAPSHOT_SECONDS[spec.persistence.rdbSnapshotPeriod ?? "TWENTY_FOUR_HOURS"]} 1` : "",
    appendonly: mode === "AOF" ? "yes" : "no",
    ...(mode === "AOF" ? { appendfsync: (spec.persistence.appendFsync ?? "EVERYSEC").toLowerCase() } : {}),
    "repl-diskless-sync-delay": "0",
    ...REDIS_CONFIG_DEFAULTS,
    ...spec.redisConfigs,
  };
}
