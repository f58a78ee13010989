// MemoryDB's cluster operations on the native cluster service: a cluster made here is the native
// API's cluster (GET …/clusters/{name}), and every native cluster is in DescribeClusters. Each
// handler checks what MemoryDB checks, in MemoryDB's fault names, then makes one native call.
import { Cluster as NativeCluster, type RedisVersion } from "@cacheplane/contracts";
import { isDowngrade, OPEN_ACCESS, type StoredClusterSpec, type StoredMaintenanceSpec } from "@cacheplane/core";
import { z } from "zod";
import { resolveAclName } from "../../services/acls-service.js";
import { findParameterGroup } from "../../services/parameter-group-service.js";
import { resolveSubnetGroup } from "../../services/subnet-group-service.js";
import {
  automatedBackupOf,
  checkAclWithTls,
  CreateClusterInput,
  DEFAULT_MAINTENANCE_WINDOW,
  gcsUrisOf,
  newClusterId,
  refuseUnavailable,
  replicaCountOf,
  shardCountOf,
  UpdateClusterInput,
  zoneDistributionOf,
} from "../cluster-request.js";
import { chosenRedisVersion, describeEngineVersions } from "../engine-versions.js";
import { fault, invalidParameterCombination, invalidParameterValue, translating } from "../faults.js";
import { engineOf, locationKey, NODE_TYPES, nodeTypeOf, parameterGroupFamilyOf, redisVersionOf } from "../names.js";
import { page, pageFromRows, pageQuery } from "../paging.js";
import { MaxResults, Name, NextToken, operation, type MemoryDbCall, type MemoryDbServices, type OperationTable } from "../registry.js";
import { clusterIdOf, clusterShapes, findClusterRow, type ClusterRow } from "../shapes/cluster.js";
import { findSnapshot } from "../shapes/snapshot.js";
import { deleteAutomatedSnapshots, deleteClusterWithFinalSnapshot } from "./snapshots.js";
import { checkTags, deleteTags, writeTags } from "../tag-store.js";
import { maintenancePolicyOf } from "../windows.js";

type Spec = StoredClusterSpec & StoredMaintenanceSpec;
type Version = z.infer<typeof RedisVersion>;

const CLUSTER_FAULTS = { notFound: "ClusterNotFoundFault", alreadyExists: "ClusterAlreadyExistsFault", invalidState: "InvalidClusterStateFault" };

/** The native body, checked by the native contract (its ranges and ids) in MemoryDB's words. */
function nativeBody(body: NativeCluster): NativeCluster {
  const checked = NativeCluster.safeParse(body);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw invalidParameterValue(`${issue.path.join(".") || "request"}: ${issue.message}`);
  }
  return checked.data;
}

export function clustersOperations(services: MemoryDbServices): OperationTable {
  const { ctx, clusters } = services;
  const { prisma, catalogue } = ctx;
  const offered = () => catalogue.offered as readonly Version[];
  const keyOf = (call: MemoryDbCall, name: string) => ({ ...locationKey(call), cluster: clusterIdOf(name) });
  const shapeOf = async (call: MemoryDbCall, row: ClusterRow, showShards = false) => (await clusterShapes(prisma, call.region, [row], showShards))[0]!;
  const reread = (call: MemoryDbCall, name: string) => findClusterRow(prisma, locationKey(call), name);

  /** A parameter group a cluster on redisVersion may name: ParameterGroupNotFoundFault, or of
   *  another engine family. */
  async function checkParameterGroup(call: MemoryDbCall, name: string, redisVersion: Version) {
    const group = await translating({ notFound: "ParameterGroupNotFoundFault" }, () => findParameterGroup(prisma, locationKey(call), offered(), name));
    const family = parameterGroupFamilyOf(redisVersion);
    if (group.family !== family) {
      throw invalidParameterCombination(
        `Parameter group ${name} is of family ${group.family}; a cluster on ${engineOf(redisVersion).engine} ${engineOf(redisVersion).version} needs family ${family}`,
      );
    }
  }

  const checkAcl = (call: MemoryDbCall, aclName: string) =>
    translating({ notFound: "ACLNotFoundFault" }, () => resolveAclName(prisma, call.project, call.region, aclName));

  /** The native restore source of SnapshotName or SnapshotArns (one of them, as MemoryDB takes). */
  async function restoreSource(call: MemoryDbCall, input: CreateClusterInput): Promise<Partial<NativeCluster>> {
    if (input.SnapshotName !== undefined && input.SnapshotArns?.length) throw invalidParameterCombination("Give SnapshotName or SnapshotArns, not both");
    if (input.SnapshotName !== undefined) {
      const backup = await findSnapshot(prisma, call.project, call.region, input.SnapshotName);
      return { managedBackupSource: { backup: backup.name } };
    }
    if (input.SnapshotArns?.length) return { gcsSource: { uris: gcsUrisOf(input.SnapshotArns) } };
    return {};
  }

  return {
    CreateCluster: operation("write", CreateClusterInput, async (input, call) => {
      refuseUnavailable(input);
      const id = newClusterId(input.ClusterName);
      const tls = input.TLSEnabled ?? true;
      checkAclWithTls(input.ACLName, tls);
      checkTags(input.Tags);
      const redisVersion = chosenRedisVersion(input.Engine, input.EngineVersion, offered());
      const shardCount = shardCountOf(input.NumShards ?? 1);
      const replicaCount = replicaCountOf(input.NumReplicasPerShard ?? 1);
      const nodeType = nodeTypeOf(input.NodeType);
      await checkAcl(call, input.ACLName);
      if (input.ParameterGroupName) await checkParameterGroup(call, input.ParameterGroupName, redisVersion);
      const subnet = await translating({ notFound: "SubnetGroupNotFoundFault" }, () =>
        resolveSubnetGroup(prisma, call.project, call.region, ctx.locations.zones, input.SubnetGroupName),
      );
      const body = nativeBody({
        shardCount,
        replicaCount,
        nodeType,
        redisVersion,
        transitEncryptionMode: tls ? "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION" : "TRANSIT_ENCRYPTION_MODE_DISABLED",
        aclName: input.ACLName,
        zoneDistributionConfig: zoneDistributionOf(subnet, ctx.locations.zones),
        automatedBackupConfig: automatedBackupOf(input.SnapshotRetentionLimit ?? 0, input.SnapshotWindow),
        maintenancePolicy: maintenancePolicyOf(input.MaintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW),
        ...(input.Description ? { description: input.Description } : {}),
        ...(input.ParameterGroupName ? { parameterGroupName: input.ParameterGroupName } : {}),
        ...(input.SubnetGroupName ? { subnetGroupName: subnet.name } : {}),
        ...(await restoreSource(call, input)),
      });
      await translating(CLUSTER_FAULTS, () => clusters.create(keyOf(call, id), body));
      const row = await reread(call, id);
      await writeTags(prisma, call.project, row.uid, input.Tags);
      return { Cluster: await shapeOf(call, row) };
    }),

    DescribeClusters: operation(
      "read",
      z.object({ ClusterName: Name.optional(), MaxResults, NextToken, ShowShardDetails: z.boolean().optional() }),
      async (input, call) => {
        const showShards = input.ShowShardDetails ?? false;
        if (input.ClusterName !== undefined) return { Clusters: [await shapeOf(call, await reread(call, input.ClusterName), showShards)] };
        // One query for the page, in the database's order, as the native list reads it.
        const { after, take, size } = pageQuery(input.MaxResults, input.NextToken);
        const rows = await prisma.instance.findMany({
          where: { projectId: call.project, locationId: call.region, kind: "CLUSTER", ...(after === undefined ? {} : { instanceId: { gt: after } }) },
          include: { nodes: true },
          orderBy: { instanceId: "asc" },
          take,
        });
        const { items, NextToken: next } = pageFromRows(rows, size, (row) => row.instanceId);
        return { Clusters: await clusterShapes(prisma, call.region, items, showShards), ...(next ? { NextToken: next } : {}) };
      },
    ),

    UpdateCluster: operation("write", UpdateClusterInput, async (input, call) => {
      refuseUnavailable(input);
      const row = await reread(call, input.ClusterName);
      const spec = row.spec as unknown as Spec;
      const tls = spec.transitEncryptionMode === "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION";
      const body: NativeCluster = {};
      const mask: string[] = [];
      const set = <K extends keyof NativeCluster>(field: K, value: NativeCluster[K]) => {
        body[field] = value;
        mask.push(field);
      };
      let redisVersion = spec.redisVersion as Version;
      if (input.Engine !== undefined || input.EngineVersion !== undefined) {
        const target = redisVersionOf(input.Engine ?? engineOf(redisVersion).engine, input.EngineVersion, offered());
        if (isDowngrade(redisVersion, target)) {
          throw invalidParameterValue(
            `Cannot downgrade from ${engineOf(redisVersion).engine} ${engineOf(redisVersion).version} to ${engineOf(target).engine} ${engineOf(target).version}`,
          );
        }
        if (target !== redisVersion) {
          redisVersion = target;
          set("redisVersion", target);
        }
      }
      if (input.Description !== undefined && input.Description !== (spec.description ?? "")) set("description", input.Description);
      if (input.NodeType !== undefined && nodeTypeOf(input.NodeType) !== spec.nodeType) set("nodeType", nodeTypeOf(input.NodeType));
      const shards = input.ShardConfiguration?.ShardCount;
      if (shards !== undefined && shardCountOf(shards) !== spec.shardCount) set("shardCount", shards);
      const replicas = input.ReplicaConfiguration?.ReplicaCount;
      if (replicas !== undefined && replicaCountOf(replicas) !== spec.replicaCount) set("replicaCount", replicas);
      if (input.ACLName !== undefined && input.ACLName !== (spec.aclName ?? OPEN_ACCESS)) {
        checkAclWithTls(input.ACLName, tls);
        await checkAcl(call, input.ACLName);
        set("aclName", input.ACLName);
      }
      if (input.ParameterGroupName !== undefined) {
        await checkParameterGroup(call, input.ParameterGroupName, redisVersion);
        set("parameterGroupName", input.ParameterGroupName);
      }
      if (input.MaintenanceWindow !== undefined) set("maintenancePolicy", maintenancePolicyOf(input.MaintenanceWindow));
      if (input.SnapshotWindow !== undefined || input.SnapshotRetentionLimit !== undefined) {
        set("automatedBackupConfig", automatedBackupOf(input.SnapshotRetentionLimit, input.SnapshotWindow, spec.automatedBackupConfig));
      }
      if (mask.length === 0) throw fault("NoOperationFault", `The update would change nothing on cluster ${row.instanceId}`);
      await translating(CLUSTER_FAULTS, () => clusters.update(keyOf(call, row.instanceId), nativeBody(body), mask.join(",")));
      return { Cluster: await shapeOf(call, await reread(call, row.instanceId)) };
    }),

    DeleteCluster: operation(
      "write",
      z.object({ ClusterName: Name, FinalSnapshotName: Name.optional(), MultiRegionClusterName: Name.optional() }),
      async (input, call) => {
        refuseUnavailable({ MultiRegionClusterName: input.MultiRegionClusterName });
        const before = await reread(call, input.ClusterName);
        if (before.deleteRequested) throw fault("InvalidClusterStateFault", `Cluster ${before.instanceId} is already being deleted`);
        const key = keyOf(call, before.instanceId);
        if (input.FinalSnapshotName === undefined) await translating(CLUSTER_FAULTS, () => clusters.remove(key));
        else await deleteClusterWithFinalSnapshot(services, call, before.instanceId, input.FinalSnapshotName);
        await deleteTags(prisma, before.uid);
        await deleteAutomatedSnapshots(services, call, before.uid);
        // The worker may have removed it already: then it is shown as it was asked to go.
        const row = await reread(call, before.instanceId).catch(() => ({ ...before, state: "DELETING", deleteRequested: true }));
        return { Cluster: await shapeOf(call, row) };
      },
    ),

    FailoverShard: operation("write", z.object({ ClusterName: Name, ShardName: z.string().max(64) }), async (input, call) => {
      const row = await reread(call, input.ClusterName);
      const spec = row.spec as unknown as Spec;
      const index = /^\d{4}$/.test(input.ShardName) ? Number(input.ShardName) - 1 : -1;
      if (index < 0 || index >= spec.shardCount) throw fault("ShardNotFoundFault", `Shard ${input.ShardName} not found in cluster ${row.instanceId}`);
      if (spec.replicaCount === 0) throw fault("TestFailoverNotAvailableFault", `Shard ${input.ShardName} has no replica to fail over to`);
      if (row.state !== "READY" || row.deleteRequested) throw fault("InvalidClusterStateFault", `Cluster ${row.instanceId} is not available; retry when it is`);
      await translating(CLUSTER_FAULTS, () => clusters.failoverShard(keyOf(call, row.instanceId), input.ShardName, "LIMITED_DATA_LOSS"));
      return { Cluster: await shapeOf(call, await reread(call, row.instanceId)) };
    }),

    ListAllowedNodeTypeUpdates: operation("read", z.object({ ClusterName: Name }), async (input, call) => {
      const row = await reread(call, input.ClusterName);
      const current = NODE_TYPES.find((t) => t.nodeType === (row.spec as unknown as Spec).nodeType);
      const memory = current?.memoryGb ?? 0;
      return {
        ScaleUpNodeTypes: NODE_TYPES.filter((t) => t.memoryGb > memory).map((t) => t.memorydb),
        ScaleDownNodeTypes: NODE_TYPES.filter((t) => t.memoryGb < memory).map((t) => t.memorydb),
      };
    }),

    DescribeEngineVersions: operation(
      "read",
      z.object({
        Engine: z.string().max(32).optional(),
        EngineVersion: z.string().max(32).optional(),
        ParameterGroupFamily: z.string().max(64).optional(),
        DefaultOnly: z.boolean().optional(),
        MaxResults,
        NextToken,
      }),
      async (input) => {
        const versions = describeEngineVersions(input, offered());
        const { items, NextToken: next } = page(versions, (v) => `${v.Engine} ${v.EngineVersion}`, input.MaxResults, input.NextToken);
        return { EngineVersions: items, ...(next ? { NextToken: next } : {}) };
      },
    ),
  };
}
