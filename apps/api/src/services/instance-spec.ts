// Turns a client's Instance into the stored desired spec: rules Memorystore enforces, defaults
// it shows back, and what this control plane cannot do yet, each as a named field error.
import type { Instance } from "@cacheplane/contracts";
import { invalidArgument } from "../errors.js";
import type { LocationConfig } from "../context.js";
import { OPEN_ACCESS, type StoredAutomatedBackupConfig, type StoredMaintenanceSpec } from "@cacheplane/core";
import { normalizeAutomatedBackup } from "./automated-backup-spec.js";
import { maintenanceSpec, type MaintenanceContext, type SpecChange } from "./maintenance-spec.js";

export interface SpecContext extends MaintenanceContext {
  locations: LocationConfig;
}

/** The input fields we keep; output-only fields a client sends back are dropped. */
export type StoredSpec = Required<
  Pick<
    Instance,
    | "tier"
    | "memorySizeGb"
    | "redisVersion"
    | "locationId"
    | "replicaCount"
    | "readReplicasMode"
    | "authEnabled"
    | "aclName"
    | "transitEncryptionMode"
    | "persistenceConfig"
    | "redisConfigs"
    | "labels"
  >
> &
  Pick<Instance, "displayName" | "alternativeLocationId"> & { automatedBackupConfig: StoredAutomatedBackupConfig } & Omit<
    StoredMaintenanceSpec,
    "redisVersion"
  >;

/** `change`: the stored spec an update starts from and its mask (a create has none). */
export function normalizeSpec(input: Instance, ctx: SpecContext, change?: SpecChange<StoredSpec>): StoredSpec {
  if (!input.tier) throw invalidArgument("tier", "is required");
  if (input.memorySizeGb === undefined) throw invalidArgument("memorySizeGb", "is required");
  const ha = input.tier === "STANDARD_HA";
  // Memorystore: BASIC has no replicas; STANDARD_HA has 1 (the default) to 5.
  const replicaCount = input.replicaCount ?? (ha ? 1 : 0);
  if (!ha && replicaCount !== 0) throw invalidArgument("replicaCount", "must be 0 for the BASIC tier");
  if (ha && (replicaCount < 1 || replicaCount > 5)) throw invalidArgument("replicaCount", "must be 1 to 5 for STANDARD_HA");
  const readReplicasMode = input.readReplicasMode === "READ_REPLICAS_ENABLED" ? "READ_REPLICAS_ENABLED" : "READ_REPLICAS_DISABLED";
  if (readReplicasMode === "READ_REPLICAS_ENABLED" && !ha) {
    throw invalidArgument("readReplicasMode", "read replicas need the STANDARD_HA tier");
  }
  const { zones } = ctx.locations;
  const locationId = input.locationId ?? zones[0]!;
  if (!zones.includes(locationId)) {
    throw invalidArgument("locationId", `must be one of the zones ${zones.join(", ")}`);
  }
  if (input.alternativeLocationId !== undefined) {
    if (!zones.includes(input.alternativeLocationId)) {
      throw invalidArgument("alternativeLocationId", `must be one of the zones ${zones.join(", ")}`);
    }
    if (input.alternativeLocationId === locationId) {
      throw invalidArgument("alternativeLocationId", "must differ from locationId");
    }
  }
  // The version changes only through :upgrade; a PATCH keeps the stored one.
  const { redisVersion, ...maintenance } = maintenanceSpec(input, ctx, change, { what: "the instance", redisVersionUpdatable: false });
  const persistenceMode = input.persistenceConfig?.persistenceMode ?? "DISABLED";
  return {
    displayName: input.displayName,
    labels: input.labels ?? {},
    locationId,
    alternativeLocationId: input.alternativeLocationId,
    redisVersion: redisVersion as StoredSpec["redisVersion"],
    tier: input.tier,
    memorySizeGb: input.memorySizeGb,
    replicaCount,
    readReplicasMode,
    authEnabled: input.authEnabled ?? false,
    // Its existence is checked by the service (acls-service.ts resolveAclName).
    aclName: input.aclName ?? OPEN_ACCESS,
    // Chosen at create; an update keeps the stored one (a mask naming it is refused before this).
    transitEncryptionMode:
      (change?.current.transitEncryptionMode ?? input.transitEncryptionMode) === "SERVER_AUTHENTICATION" ? "SERVER_AUTHENTICATION" : "DISABLED",
    persistenceConfig:
      persistenceMode === "RDB"
        ? { persistenceMode, rdbSnapshotPeriod: input.persistenceConfig?.rdbSnapshotPeriod ?? "TWENTY_FOUR_HOURS" }
        : { persistenceMode },
    redisConfigs: input.redisConfigs ?? {},
    automatedBackupConfig: normalizeAutomatedBackup(input.automatedBackupConfig),
    ...maintenance,
  };
}
