// Engine upgrades and maintenance: …/instances/{i}:upgrade and :rescheduleMaintenance
// (Memorystore for Redis), …/clusters/{c}:rescheduleClusterMaintenance (Memorystore for Redis
// Cluster), and /v1/maintenanceVersions (our addition: the engine catalogue and its releases).
// Handlers only map HTTP to the services.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  ClusterParams,
  DeleteInstanceQuery,
  InstanceParams,
  ListMaintenanceVersionsResponse,
  MaintenanceVersion,
  MaintenanceVersionParams,
  Operation,
  RescheduleMaintenanceRequest,
  UpgradeInstanceRequest,
} from "@cacheplane/contracts";
import type { MaintenanceService } from "../services/maintenance-service.js";
import type { UpgradeService } from "../services/upgrade-service.js";
import { errorResponses, security } from "./common.js";

const LOC = "/v1/projects/:project/locations/:location";
const tags = ["Maintenance"];
const rescheduleDescription =
  "FAILED_PRECONDITION when no maintenance is scheduled. IMMEDIATE starts it now; NEXT_AVAILABLE_WINDOW moves it to the next " +
  "window of the maintenance policy; SPECIFIC_TIME to scheduleTime. Never past the schedule's scheduleDeadlineTime. " +
  "The Operation is done when answered, with the resource as its response.";

export function maintenanceRoutes(app: FastifyInstance, upgrades: UpgradeService, maintenance: MaintenanceService) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(`${LOC}/instances/:instance(^[a-z][a-z0-9-]*)::upgrade`, {
    schema: {
      operationId: "upgradeInstance",
      summary: "Upgrade the instance to a newer redisVersion, node by node (replicas first, then a switchover)",
      description:
        "The instance moves to the newest released maintenance version of that engine, and any scheduled maintenance is dropped. " +
        "A version not offered here is INVALID_ARGUMENT; the version it runs, a downgrade, or a backup, import or export in progress " +
        "is FAILED_PRECONDITION.",
      tags,
      security,
      params: InstanceParams,
      querystring: DeleteInstanceQuery,
      body: UpgradeInstanceRequest,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => upgrades.upgrade(req.params, req.body.redisVersion, req.query.requestId),
  });

  r.post(`${LOC}/instances/:instance(^[a-z][a-z0-9-]*)::rescheduleMaintenance`, {
    schema: {
      operationId: "rescheduleInstanceMaintenance",
      summary: "Move the instance's scheduled maintenance",
      description: rescheduleDescription,
      tags,
      security,
      params: InstanceParams,
      querystring: DeleteInstanceQuery,
      body: RescheduleMaintenanceRequest,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) =>
      maintenance.reschedule(
        "INSTANCE",
        { project: req.params.project, location: req.params.location, id: req.params.instance },
        req.body,
        req.query.requestId,
      ),
  });

  r.post(`${LOC}/clusters/:cluster(^[a-z][a-z0-9-]*)::rescheduleClusterMaintenance`, {
    schema: {
      operationId: "rescheduleClusterMaintenance",
      summary: "Move the cluster's scheduled maintenance",
      description: rescheduleDescription,
      tags,
      security,
      params: ClusterParams,
      querystring: DeleteInstanceQuery,
      body: RescheduleMaintenanceRequest,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) =>
      maintenance.reschedule("CLUSTER", { project: req.params.project, location: req.params.location, id: req.params.cluster }, req.body, req.query.requestId),
  });

  r.get("/v1/maintenanceVersions", {
    schema: {
      operationId: "listMaintenanceVersions",
      summary: "List the maintenance versions of the engine catalogue, oldest first (cacheplane addition)",
      tags,
      security,
      querystring: z.strictObject({}),
      response: { 200: ListMaintenanceVersionsResponse, ...errorResponses },
    },
    handler: () => maintenance.listVersions(),
  });

  r.post("/v1/maintenanceVersions/:version(^[0-9_]+)::release", {
    config: { access: "admin" },
    schema: {
      operationId: "releaseMaintenanceVersion",
      summary: "Release a maintenance version: resources on an older one of its engines get it in their next maintenance window (cacheplane addition)",
      description: "Needs an admin key (else PERMISSION_DENIED). Releasing a released version answers it unchanged.",
      tags,
      security,
      params: MaintenanceVersionParams,
      body: z.strictObject({}).nullish(),
      response: { 200: MaintenanceVersion, ...errorResponses },
    },
    handler: (req) => maintenance.release(req.principal, req.params.version),
  });
}
