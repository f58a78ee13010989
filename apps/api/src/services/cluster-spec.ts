// Turns a client's Cluster into the stored desired spec (core's StoredClusterSpec): defaults it
// shows back, and what this control plane cannot do (yet), each as a named field error. Ranges
// (shardCount 1-64, replicaCount 0-5) and enums are the contract's; they never reach here.
import type { Cluster } from "@cacheplane/contracts";
import { DEFAULT_NODE_TYPE, OPEN_ACCESS, type StoredClusterSpec, type StoredMaintenanceSpec } from "@cacheplane/core";
import { invalidArgument } from "../errors.js";
import { normalizeAutomatedBackup } from "./automated-backup-spec.js";
import type { SpecContext } from "./instance-spec.js";
import { maintenanceSpec, type SpecChange } from "./maintenance-spec.js";

/** A cluster's stored spec with its maintenance fields (absent on clusters made before them). */
export type StoredCluster = StoredClusterSpec & StoredMaintenanceSpec;

/**
 * `change` is the stored spec an update starts from and its mask: the engine version is kept
 * unless the mask names redisVersion (an upgrade), so a PATCH never changes the version because
 * the default of this control plane did. A new cluster gets the first version offered.
 */
export function normalizeClusterSpec(input: Cluster, ctx: SpecContext, change?: SpecChange<StoredCluster>): StoredCluster {
  if (input.shardCount === undefined) throw invalidArgument("shardCount", "is required");
  if (input.authorizationMode === "AUTH_MODE_IAM_AUTH") {
    throw invalidArgument("authorizationMode", "AUTH_MODE_IAM_AUTH is not available here; use AUTH_MODE_DISABLED");
  }
  const maintenance = maintenanceSpec(input, ctx, change, { what: "the cluster", redisVersionUpdatable: true });
  return {
    shardCount: input.shardCount,
    replicaCount: input.replicaCount ?? 0,
    nodeType: input.nodeType ?? DEFAULT_NODE_TYPE,
    authorizationMode: "AUTH_MODE_DISABLED",
    // Chosen at create; an update keeps the stored one (a mask naming it is refused before this).
    transitEncryptionMode:
      (change?.current.transitEncryptionMode ?? input.transitEncryptionMode) === "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION"
        ? "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION"
        : "TRANSIT_ENCRYPTION_MODE_DISABLED",
    persistenceConfig: persistenceOf(input.persistenceConfig),
    redisConfigs: input.redisConfigs ?? {},
    zoneDistributionConfig: zoneDistributionOf(input.zoneDistributionConfig, ctx.locations.zones),
    deletionProtectionEnabled: input.deletionProtectionEnabled ?? false,
    // Its existence is checked by the service (acls-service.ts resolveAclName).
    aclName: input.aclName ?? OPEN_ACCESS,
    automatedBackupConfig: normalizeAutomatedBackup(input.automatedBackupConfig),
    labels: input.labels ?? {},
    ...(input.description ? { description: input.description } : {}),
    ...(input.parameterGroupName ? { parameterGroupName: input.parameterGroupName } : {}),
    // Chosen at create, as MemoryDB has it.
    ...((change?.current.subnetGroupName ?? input.subnetGroupName) ? { subnetGroupName: change?.current.subnetGroupName ?? input.subnetGroupName } : {}),
    ...maintenance,
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
