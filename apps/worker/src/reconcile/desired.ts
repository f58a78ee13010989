// From a stored instance to what plan() and the driver need.
import { join } from "node:path";
import { nodeConfig, placeNodes, type DesiredInstance, type DesiredSpec } from "@cacheplane/core";
import type { Instance as InstanceRow, Node as NodeRow } from "@cacheplane/db";
import type { NodeSpec } from "@cacheplane/runtime";

/** The stored spec (contracts' Instance input fields, normalized by the api). */
interface StoredSpec {
  tier: "BASIC" | "STANDARD_HA";
  memorySizeGb: number;
  redisVersion: string;
  locationId: string;
  alternativeLocationId?: string;
  replicaCount?: number;
  authEnabled?: boolean;
  persistenceConfig?: { persistenceMode?: "DISABLED" | "RDB"; rdbSnapshotPeriod?: DesiredSpec["rdbSnapshotPeriod"] };
  redisConfigs?: Record<string, string>;
}

export const storedSpec = (row: InstanceRow) => row.spec as unknown as StoredSpec;

export function desiredSpec(row: InstanceRow): DesiredSpec {
  const spec = storedSpec(row);
  return {
    tier: spec.tier,
    memorySizeGb: spec.memorySizeGb,
    redisVersion: spec.redisVersion,
    authEnabled: spec.authEnabled ?? false,
    persistenceMode: spec.persistenceConfig?.persistenceMode ?? "DISABLED",
    rdbSnapshotPeriod: spec.persistenceConfig?.rdbSnapshotPeriod,
    redisConfigs: spec.redisConfigs ?? {},
  };
}

export function desiredInstance(row: InstanceRow, zones: string[]): DesiredInstance {
  const spec = storedSpec(row);
  const nodeCount = spec.tier === "STANDARD_HA" ? 1 + (spec.replicaCount ?? 1) : 1;
  return {
    uid: row.uid,
    deleting: row.deleteRequested,
    zones: placeNodes({ zones, locationId: spec.locationId, alternativeLocationId: spec.alternativeLocationId, nodeCount }),
    config: nodeConfig(desiredSpec(row), row.authString),
  };
}

export function nodeSpec(row: InstanceRow, node: NodeRow, config: Record<string, string>): NodeSpec {
  return {
    id: node.id,
    instanceUid: row.uid,
    projectId: row.projectId,
    zone: node.zone,
    redisVersion: storedSpec(row).redisVersion,
    host: node.host,
    port: node.port,
    dataDir: node.dataDir,
    config,
  };
}

export const nodeDataDir = (nodesRoot: string, id: string) => join(nodesRoot, id);
