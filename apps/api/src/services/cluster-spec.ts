// Turns a client's Cluster into the stored desired spec (core's StoredClusterSpec): defaults it
// shows back, and what this control plane cannot do (yet), each as a named field error. Ranges
// (shardCount 1-64, replicaCount 0-5) and enums are the contract's; they never reach here.
import type { Cluster } from "@cacheplane/contracts";
import { DEFAULT_NODE_TYPE, type StoredClusterSpec } from "@cacheplane/core";
import type { ApiContext } from "../context.js";
import { invalidArgument } from "../errors.js";
import { normalizeAutomatedBackup } from "./automated-backup-spec.js";

/**
 * `current` is the stored spec an update starts from: its engine version is kept, so a PATCH
 * never changes the version because the default of this control plane did (redisVersion is
 * not a Cluster field; a new cluster gets the first version offered).
 */
export function normalizeClusterSpec(input: Cluster, ctx: ApiContext, current?: StoredClusterSpec): StoredClusterSpec {
  if (input.shardCount === undefined) throw invalidArgument("shardCount", "is required");
  if (input.authorizationMode === "AUTH_MODE_IAM_AUTH") {
    throw invalidArgument("authorizationMode", "AUTH_MODE_IAM_AUTH is not available here; use AUTH_MODE_DISABLED");
  }
  if (input.transitEncryptionMode === "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION") {
    throw invalidArgument("transitEncryptionMode", "in-transit encryption is not available yet; use TRANSIT_ENCRYPTION_MODE_DISABLED");
  }
  return {
    shardCount: input.shardCount,
    replicaCount: input.replicaCount ?? 0,
    nodeType: input.nodeType ?? DEFAULT_NODE_TYPE,
    redisVersion: current?.redisVersion ?? ctx.redisVersions[0]!,
    authorizationMode: "AUTH_MODE_DISABLED",
    transitEncryptionMode: "TRANSIT_ENCRYPTION_MODE_DISABLED",
    persistenceConfig: persistenceOf(input.persistenceConfig),
    redisConfigs: input.redisConfigs ?? {},
    zoneDistributionConfig: zoneDistributionOf(input.zoneDistributionConfig, ctx.locations.zones),
    deletionProtectionEnabled: input.deletionProtectionEnabled ?? false,
    automatedBackupConfig: normalizeAutomatedBackup(input.automatedBackupConfig),
    labels: input.labels ?? {},
  };
}

function persistenceOf(input: Cluster["persistenceConfig"]): StoredClusterSpec["persistenceConfig"] {
  const mode = !input?.mode || input.mode === "PERSISTENCE_MODE_UNSPECIFIED" ? "DISABLED" : input.mode;
  // A sub-config for another mode would be silently ignored: say so instead.
  if (input?.rdbConfig && mode !== "RDB") throw invalidArgument("persistenceConfig.rdbConfig", "is only allowed with mode RDB");
  if (input?.aofConfig && mode !== "AOF") throw invalidArgument("persistenceConfig.aofConfig", "is only allowed with mode AOF");
  if (mode === "RDB") {
    const period = input?.rdbConfig?.rdbSnapshotPeriod;
    const start = input?.rdbConfig?.rdbSnapshotStartTime;
    return {
      mode,
      rdbConfig: {
        rdbSnapshotPeriod: !period || period === "SNAPSHOT_PERIOD_UNSPECIFIED" ? "TWENTY_FOUR_HOURS" : period,
        ...(start ? { rdbSnapshotStartTime: start } : {}),
      },
    };
  }
  if (mode === "AOF") {
    const fsync = input?.aofConfig?.appendFsync;
    // EVERYSEC is Redis's own default and Memorystore's.
    return { mode, aofConfig: { appendFsync: !fsync || fsync === "APPEND_FSYNC_UNSPECIFIED" ? "EVERYSEC" : fsync } };
  }
  return { mode };
}

function zoneDistributionOf(input: Cluster["zoneDistributionConfig"], zones: readonly string[]): StoredClusterSpec["zoneDistributionConfig"] {
  const mode = input?.mode === "SINGLE_ZONE" ? "SINGLE_ZONE" : "MULTI_ZONE";
  if (mode === "MULTI_ZONE") {
    if (input?.zone !== undefined) throw invalidArgument("zoneDistributionConfig.zone", "is only allowed with mode SINGLE_ZONE");
    return { mode };
  }
  if (input?.zone === undefined) throw invalidArgument("zoneDistributionConfig.zone", `is required with SINGLE_ZONE; one of ${zones.join(", ")}`);
  if (!zones.includes(input.zone)) throw invalidArgument("zoneDistributionConfig.zone", `must be one of the zones ${zones.join(", ")}`);
  return { mode, zone: input.zone };
}
