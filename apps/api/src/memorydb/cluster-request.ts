// CreateCluster's and UpdateCluster's members as MemoryDB takes them, and their meaning in the
// native Cluster's fields. What has no meaning on one machine is refused with the reason, never
// accepted and dropped: security groups, KMS keys, SNS topics, data tiering, IPv6.
import type { Cluster } from "@cacheplane/contracts";
import { OPEN_ACCESS, type StoredAutomatedBackupConfig } from "@cacheplane/core";
import { z } from "zod";
import { fault, invalidParameterCombination, invalidParameterValue } from "./faults.js";
import { Name, Tags } from "./registry.js";
import { snapshotStartOf } from "./windows.js";

/** The native cluster's limits (contracts' Cluster): MemoryDB's are higher, and quota faults. */
const MAX_SHARDS = 64;
const MAX_REPLICAS = 5;
/** MemoryDB keeps automatic snapshots for at most 35 days. */
const MAX_RETENTION_DAYS = 35;
/** MemoryDB picks a window when none is given; here always the same, well away from the default
 *  maintenance window. */
export const DEFAULT_SNAPSHOT_WINDOW = "05:00-06:00";
/** MemoryDB picks one a week when none is given: Sunday night, as its documentation's example. */
export const DEFAULT_MAINTENANCE_WINDOW = "sun:23:00-mon:00:00";
/** MemoryDB's default port, which templates often send literally. */
const MEMORYDB_PORT = 6379;

const Text = (max: number) => z.string().max(max);

/** Members CreateCluster and UpdateCluster share. */
const common = {
  Description: Text(255).optional(),
  SecurityGroupIds: z.array(Text(255)).max(64).optional(),
  MaintenanceWindow: Text(64).optional(),
  SnsTopicArn: Text(1024).optional(),
  ParameterGroupName: Name.optional(),
  SnapshotWindow: Text(32).optional(),
  SnapshotRetentionLimit: z.number().int().min(0).optional(),
  Engine: Text(32).optional(),
  EngineVersion: Text(32).optional(),
  IpDiscovery: Text(16).optional(),
};

export const CreateClusterInput = z.object({
  ClusterName: Name,
  NodeType: Text(64),
  ACLName: Name,
  MultiRegionClusterName: Name.optional(),
  NumShards: z.number().int().min(1).optional(),
  NumReplicasPerShard: z.number().int().min(0).optional(),
  SubnetGroupName: Name.optional(),
  Port: z.number().int().optional(),
  TLSEnabled: z.boolean().optional(),
  KmsKeyId: Text(2048).optional(),
  SnapshotArns: z.array(Text(1100)).max(64).optional(),
  SnapshotName: Name.optional(),
  Tags,
  AutoMinorVersionUpgrade: z.boolean().optional(),
  DataTiering: z.boolean().optional(),
  NetworkType: Text(16).optional(),
  ...common,
});
export type CreateClusterInput = z.output<typeof CreateClusterInput>;

export const UpdateClusterInput = z.object({
  ClusterName: Name,
  SnsTopicStatus: Text(64).optional(),
  NodeType: Text(64).optional(),
  ReplicaConfiguration: z.object({ ReplicaCount: z.number().int().min(0).optional() }).optional(),
  ShardConfiguration: z.object({ ShardCount: z.number().int().min(1).optional() }).optional(),
  ACLName: Name.optional(),
  ...common,
});
export type UpdateClusterInput = z.output<typeof UpdateClusterInput>;

/** MemoryDB's cluster name rules, on the lower-cased name it stores. */
export function newClusterId(name: string): string {
  const id = name.toLowerCase();
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(id) || id.endsWith("-") || id.includes("--")) {
    throw invalidParameterValue(
      `Invalid cluster name ${name}: it must be 1-40 letters, digits or hyphens, begin with a letter, and neither end with a hyphen nor contain two consecutive hyphens`,
    );
  }
  return id;
}

export function shardCountOf(count: number): number {
  if (count > MAX_SHARDS) throw fault("ShardsPerClusterQuotaExceededFault", `A cluster may have at most ${MAX_SHARDS} shards here; ${count} were asked for`);
  return count;
}

export function replicaCountOf(count: number): number {
  if (count > MAX_REPLICAS) throw invalidParameterValue(`NumReplicasPerShard must be between 0 and ${MAX_REPLICAS}; ${count} were asked for`);
  return count;
}

/** A cluster without TLS has only the default user, as MemoryDB has it: only open-access. */
export function checkAclWithTls(aclName: string, tls: boolean) {
  if (!tls && aclName !== OPEN_ACCESS) {
    throw invalidParameterCombination(`ACL ${aclName} needs TLS: a cluster created with TLSEnabled false can only use the ${OPEN_ACCESS} ACL`);
  }
}

/** The members with no meaning here, refused with the reason (each would otherwise be a setting
 *  the cluster shows and does not have). */
export function refuseUnavailable(input: Partial<CreateClusterInput> & { SnsTopicStatus?: string | undefined }) {
  if (input.SecurityGroupIds && input.SecurityGroupIds.length > 0) {
    throw invalidParameterValue("SecurityGroupIds: security groups are not available here; nodes listen on loopback addresses only. Omit SecurityGroupIds");
  }
  if (input.KmsKeyId !== undefined) {
    throw invalidParameterValue("KmsKeyId: customer KMS keys are not available here; snapshots are encrypted under the control plane's own key. Omit KmsKeyId");
  }
  if (input.SnsTopicArn !== undefined || input.SnsTopicStatus !== undefined) {
    throw invalidParameterValue("SnsTopicArn: SNS notifications are not available here; read DescribeEvents instead");
  }
  if (input.DataTiering === true) throw invalidParameterValue("DataTiering: data tiering needs r6gd node types, which are not available here");
  if (input.AutoMinorVersionUpgrade === false) {
    throw invalidParameterValue(
      "AutoMinorVersionUpgrade: released maintenance versions are always applied here, in the maintenance window; it cannot be false",
    );
  }
  if (input.Port !== undefined && input.Port !== MEMORYDB_PORT) {
    // Each cluster gets an address and port of its own from the control plane (ClusterEndpoint).
    throw invalidParameterValue(`Port: the cluster's port is chosen by this endpoint (see ClusterEndpoint); omit Port or pass ${MEMORYDB_PORT}`);
  }
  for (const [member, value] of [
    ["NetworkType", input.NetworkType],
    ["IpDiscovery", input.IpDiscovery],
  ] as const) {
    if (value !== undefined && value !== "ipv4") throw invalidParameterValue(`${member}: only ipv4 is available here`);
  }
  if (input.MultiRegionClusterName !== undefined) {
    throw fault("MultiRegionClusterNotFoundFault", `MultiRegionCluster ${input.MultiRegionClusterName} not found: this endpoint serves one region`);
  }
}

/** The native placement of a subnet group's zones: a group of one zone places every node there,
 *  a group of every zone spreads them. The native placement has nothing in between, so a group of
 *  some zones is refused rather than left with nodes outside it. */
export function zoneDistributionOf(
  subnet: { name: string; zones: readonly string[] },
  zones: readonly string[],
): NonNullable<Cluster["zoneDistributionConfig"]> {
  if (subnet.zones.length === 1) return { mode: "SINGLE_ZONE", zone: subnet.zones[0]! };
  if (subnet.zones.length < zones.length) {
    throw invalidParameterCombination(
      `Subnet group ${subnet.name} has subnets in ${subnet.zones.length} of the ${zones.length} zones; clusters here are placed in one zone or spread over all of them: use a group of one subnet, or of every zone's`,
    );
  }
  return { mode: "MULTI_ZONE" };
}

/** S3 ARNs of RDB files (arn:aws:s3:::bucket/key) as the native gs:// URIs of the same bucket and
 *  object: buckets are directories under the control plane's buckets root, whatever the scheme. */
export function gcsUrisOf(arns: readonly string[]): string[] {
  return arns.map((text) => {
    const match = /^arn:aws:s3:::([^/]+)\/(.+)$/.exec(text);
    if (!match) throw invalidParameterValue(`Invalid SnapshotArns member ${text}: use arn:aws:s3:::bucket/object`);
    return `gs://${match[1]}/${match[2]}`;
  });
}

/**
 * The native automatedBackupConfig for a retention (days; 0 turns automatic snapshots off) and a
 * window, each defaulting to what the cluster has now (a create: off, the default window).
 */
export function automatedBackupOf(
  retentionDays: number | undefined,
  window: string | undefined,
  current?: StoredAutomatedBackupConfig,
): NonNullable<Cluster["automatedBackupConfig"]> {
  if (retentionDays !== undefined && retentionDays > MAX_RETENTION_DAYS) {
    throw invalidParameterValue(`SnapshotRetentionLimit must be between 0 and ${MAX_RETENTION_DAYS} days; ${retentionDays} was asked for`);
  }
  const start = window !== undefined ? snapshotStartOf(window) : (current?.fixedFrequencySchedule?.startTime ?? snapshotStartOf(DEFAULT_SNAPSHOT_WINDOW));
  const enabled = retentionDays !== undefined ? retentionDays > 0 : current?.automatedBackupMode === "ENABLED";
  const retention = retentionDays !== undefined && retentionDays > 0 ? `${retentionDays * 86_400}s` : current?.retention;
  return {
    automatedBackupMode: enabled ? "ENABLED" : "DISABLED",
    fixedFrequencySchedule: { startTime: { hours: start.hours ?? 0, minutes: start.minutes ?? 0 } },
    ...(retention ? { retention } : {}),
  };
}
