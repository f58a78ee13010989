// From a stored instance to what plan() and the driver need.
import { join } from "node:path";
import { clusterNodeId, nodeConfig, nodeId, OPEN_ACCESS, placeNodes, type DesiredInstance, type DesiredSpec, type EngineEntry } from "@cacheplane/core";
import type { Instance as InstanceRow, Node as NodeRow } from "@cacheplane/db";
import type { NodeSpec } from "@cacheplane/runtime";
import { clusterConfig, isCluster, shardPrimary } from "./desired-cluster.js";
import { desiredEngine, engineBuild, keyOf, nodeEngine } from "../upgrades/engines.js";
import { nodeTls, type WithTrust } from "../tls/deployment-tls.js";
import type { WithAcl } from "../acl/deployment-acl.js";

/** The stored spec (contracts' Instance input fields, normalized by the api). */
interface StoredSpec {
  tier: "BASIC" | "STANDARD_HA";
  memorySizeGb: number;
  redisVersion: string;
  locationId: string;
  alternativeLocationId?: string;
  replicaCount?: number;
  authEnabled?: boolean;
  aclName?: string;
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
    aclRestricted: (spec.aclName ?? OPEN_ACCESS) !== OPEN_ACCESS,
  };
}

/** Memorystore's limit for a LIMITED_DATA_LOSS failover: the best replica may lag this much. */
export const MAX_FAILOVER_LAG_BYTES = 30 * 1024 * 1024;

export const primaryIdOf = (row: InstanceRow) => row.primaryNodeId ?? nodeId(row.uid, 0);

export function desiredInstance(row: InstanceRow, zones: string[], endpointHost: string, downZones: string[] = []): DesiredInstance {
  const spec = storedSpec(row);
  const highAvailability = spec.tier === "STANDARD_HA";
  const nodeCount = highAvailability ? 1 + (spec.replicaCount ?? 1) : 1;
  return {
    uid: row.uid,
    deleting: row.deleteRequested,
    nodeCount,
    // Placed for the largest instance, so any ordinal a scale-out picks has a zone.
    zones: placeNodes({ zones, locationId: spec.locationId, alternativeLocationId: spec.alternativeLocationId, nodeCount: 8 }),
    config: nodeConfig(desiredSpec(row), row.authString),
    primaryId: primaryIdOf(row),
    endpointHost,
    highAvailability,
    failover: row.failoverMode === "LIMITED_DATA_LOSS" || row.failoverMode === "FORCE_DATA_LOSS" ? { mode: row.failoverMode } : undefined,
    maxLagBytes: MAX_FAILOVER_LAG_BYTES,
    downZones,
    readEndpoint: highAvailability && (row.spec as { readReplicasMode?: string }).readReplicasMode === "READ_REPLICAS_ENABLED",
    engine: keyOf(desiredEngine(row)),
  };
}

/** Where nodes run and which builds exist: what a node's spec needs besides its instance. */
export interface NodeEnvironment {
  /** The address nodes listen on; an instance's endpoint address. */
  nodeHost: string;
  engines: readonly EngineEntry[];
}

/** Everything a driver needs for one node, roles included: the primary listens on the
 *  endpoint address too (an instance's; a cluster's discovery endpoint, on shard 0's primary);
 *  replicas follow the primary. `primaryId` overrides the recorded primary (of the node's shard). */
export function nodeSpec(
  row: InstanceRow & { nodes: NodeRow[] } & WithTrust & WithAcl,
  node: NodeRow,
  config: Record<string, string>,
  env: NodeEnvironment,
  primaryId?: string,
): NodeSpec {
  const cluster = isCluster(row);
  primaryId ??= cluster ? shardPrimary(row, node.shard) : primaryIdOf(row);
  const primary = row.nodes.find((n) => n.id === primaryId);
  const isPrimary = !primary || primary.id === node.id;
  const holdsEndpoint = isPrimary && (!cluster || (node.shard === 0 && row.host !== null));
  const engine = nodeEngine(row, node);
  const build = engineBuild(env.engines, engine);
  const tls = nodeTls(row);
  return {
    id: node.id,
    instanceUid: row.uid,
    projectId: row.projectId,
    zone: node.zone,
    redisVersion: engine.redisVersion,
    ...(build ? { engine: build } : {}),
    host: node.host,
    port: node.port,
    dataDir: node.dataDir,
    // A primary knows its replicas by this address; FAILOVER TO <host> <port> needs it to be
    // the node's own address, not whatever source address the kernel picked.
    config: { ...config, "replica-announce-ip": node.host },
    endpointHosts: holdsEndpoint ? [cluster ? row.host! : env.nodeHost] : [],
    ...(isPrimary ? {} : { replicaOf: { host: primary.host, port: primary.port } }),
    ...(cluster ? { cluster: { myId: clusterNodeId(node.id), ...(isPrimary ? {} : { primaryId: clusterNodeId(primary.id) }) } } : {}),
    ...(tls ? { tls } : {}),
    // Loaded by a reconcile pass (acl/deployment-acl.ts): a start writes the node's aclfile from it.
    ...(row.acl ? { acl: row.acl.node } : {}),
  };
}

/** The directives every node of the deployment runs with. */
export const deploymentConfig = (row: InstanceRow) => (isCluster(row) ? clusterConfig(row) : nodeConfig(desiredSpec(row), row.authString));

export const nodeDataDir = (nodesRoot: string, id: string) => join(nodesRoot, id);
