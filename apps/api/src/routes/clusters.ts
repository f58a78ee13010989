// /v1/projects/{project}/locations/{location}/clusters (Memorystore for Redis Cluster v1) —
// handlers only map HTTP to the service.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import {
  Cluster,
  ClusterParams,
  CreateClusterQuery,
  DeleteClusterQuery,
  DeleteInstanceQuery,
  FailoverShardRequest,
  ListClusterEventsResponse,
  ListClustersResponse,
  LocationParams,
  Operation,
  PageQuery,
  UpdateClusterQuery,
} from "@cacheplane/contracts";
import type { ClusterService } from "../services/cluster-service.js";
import { errorResponses, security } from "./common.js";

const BASE = "/v1/projects/:project/locations/:location/clusters";
const tags = ["Clusters"];

export function clusterRoutes(app: FastifyInstance, clusters: ClusterService) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(BASE, {
    schema: {
      operationId: "createCluster",
      summary: "Create a cluster",
      description: "shardCount is required. Clusters and instances have separate ids: a cluster may share an instance's id.",
      tags,
      security,
      params: LocationParams,
      querystring: CreateClusterQuery,
      body: Cluster,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => clusters.create({ ...req.params, cluster: req.query.clusterId }, req.body, req.query.requestId),
  });

  r.get(BASE, {
    schema: {
      operationId: "listClusters",
      summary: "List clusters",
      tags,
      security,
      params: LocationParams,
      querystring: PageQuery,
      response: { 200: ListClustersResponse, ...errorResponses },
    },
    handler: (req) => clusters.list(req.params.project, req.params.location, req.query.pageSize, req.query.pageToken),
  });

  r.get(`${BASE}/:cluster`, {
    schema: {
      operationId: "getCluster",
      summary: "Get a cluster",
      tags,
      security,
      params: ClusterParams,
      response: { 200: Cluster, ...errorResponses },
    },
    handler: (req) => clusters.get(req.params),
  });

  r.patch(`${BASE}/:cluster`, {
    schema: {
      operationId: "updateCluster",
      summary: "Update the fields named in updateMask",
      description:
        "Updatable: shardCount, replicaCount, nodeType, redisConfigs, persistenceConfig, deletionProtectionEnabled, aclName, automatedBackupConfig, " +
        "redisVersion, maintenancePolicy, maintenanceVersion, labels. " +
        "A newer redisVersion upgrades the cluster shard by shard, at that engine's newest released maintenance version " +
        "(not offered here: INVALID_ARGUMENT; a downgrade: FAILED_PRECONDITION); a maintenanceVersion from availableMaintenanceVersions " +
        "applies it now. Either drops a scheduled maintenance and is refused with FAILED_PRECONDITION while a backup or import is in progress. " +
        "One resharding or scaling at a time: an update naming shardCount or replicaCount is refused with FAILED_PRECONDITION " +
        "while the cluster is not ACTIVE or an earlier update has not converged; retry when it is ACTIVE.",
      tags,
      security,
      params: ClusterParams,
      querystring: UpdateClusterQuery,
      body: Cluster,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => clusters.update(req.params, req.body, req.query.updateMask, req.query.requestId),
  });

  r.delete(`${BASE}/:cluster`, {
    schema: {
      operationId: "deleteCluster",
      summary: "Delete a cluster, its nodes and their data",
      description:
        "Refused with FAILED_PRECONDITION while deletionProtectionEnabled is true. With finalBackupId (our addition) the cluster is backed up first, into its backup collection, and deleted once that backup is ACTIVE.",
      tags,
      security,
      params: ClusterParams,
      querystring: DeleteClusterQuery,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => clusters.remove(req.params, req.query.requestId, { finalBackupId: req.query.finalBackupId }),
  });

  r.post(`${BASE}/:cluster(^[a-z][a-z0-9-]*)::failoverShard`, {
    schema: {
      operationId: "failoverShardCluster",
      summary: "Fail one shard over to its replica with the most data (cacheplane addition, after MemoryDB's FailoverShard)",
      description: "Needs replicaCount of at least 1 (else FAILED_PRECONDITION); a shard the cluster does not have is INVALID_ARGUMENT.",
      tags,
      security,
      params: ClusterParams,
      querystring: DeleteInstanceQuery,
      body: FailoverShardRequest,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => clusters.failoverShard(req.params, req.body.shard, req.body.dataProtectionMode ?? "LIMITED_DATA_LOSS", req.query.requestId),
  });

  r.get(`${BASE}/:cluster/events`, {
    schema: {
      operationId: "listClusterEvents",
      summary: "What happened to the cluster, newest first (cacheplane addition)",
      tags,
      security,
      params: ClusterParams,
      querystring: PageQuery,
      response: { 200: ListClusterEventsResponse, ...errorResponses },
    },
    handler: (req) => clusters.events(req.params, req.query.pageSize, req.query.pageToken),
  });
}
