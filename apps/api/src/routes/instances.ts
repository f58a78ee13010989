// /v1/projects/{project}/locations/{location}/instances — handlers only map HTTP to the service.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import {
  CreateInstanceQuery,
  DeleteInstanceQuery,
  FailoverInstanceRequest,
  Instance,
  InstanceAuthString,
  InstanceParams,
  ListInstanceEventsResponse,
  ListInstancesResponse,
  LocationParams,
  Operation,
  PageQuery,
  UpdateInstanceQuery,
} from "@cacheplane/contracts";
import type { InstanceService } from "../services/instance-service.js";
import { errorResponses, security } from "./common.js";

const BASE = "/v1/projects/:project/locations/:location/instances";
const tags = ["Instances"];

export function instanceRoutes(app: FastifyInstance, instances: InstanceService) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(BASE, {
    schema: {
      operationId: "createInstance",
      summary: "Create an instance",
      tags,
      security,
      params: LocationParams,
      querystring: CreateInstanceQuery,
      body: Instance,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => instances.create({ ...req.params, instance: req.query.instanceId }, req.body, req.query.requestId),
  });

  r.get(BASE, {
    schema: {
      operationId: "listInstances",
      summary: "List instances",
      tags,
      security,
      params: LocationParams,
      querystring: PageQuery,
      response: { 200: ListInstancesResponse, ...errorResponses },
    },
    handler: (req) => instances.list(req.params.project, req.params.location, req.query.pageSize, req.query.pageToken),
  });

  r.get(`${BASE}/:instance`, {
    schema: {
      operationId: "getInstance",
      summary: "Get an instance",
      tags,
      security,
      params: InstanceParams,
      response: { 200: Instance, ...errorResponses },
    },
    handler: (req) => instances.get(req.params),
  });

  r.patch(`${BASE}/:instance`, {
    schema: {
      operationId: "updateInstance",
      summary: "Update the fields named in updateMask",
      tags,
      security,
      params: InstanceParams,
      querystring: UpdateInstanceQuery,
      body: Instance,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => instances.update(req.params, req.body, req.query.updateMask, req.query.requestId),
  });

  r.delete(`${BASE}/:instance`, {
    schema: {
      operationId: "deleteInstance",
      summary: "Delete an instance, its nodes and their data",
      tags,
      security,
      params: InstanceParams,
      querystring: DeleteInstanceQuery,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => instances.remove(req.params, req.query.requestId),
  });

  r.post(`${BASE}/:instance(^[a-z][a-z0-9-]*)::failover`, {
    schema: {
      operationId: "failoverInstance",
      summary: "Fail over to the replica with the most data (STANDARD_HA)",
      tags,
      security,
      params: InstanceParams,
      querystring: DeleteInstanceQuery,
      body: FailoverInstanceRequest.nullish(),
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => instances.failover(req.params, req.body?.dataProtectionMode ?? "LIMITED_DATA_LOSS", req.query.requestId),
  });

  r.get(`${BASE}/:instance/events`, {
    schema: {
      operationId: "listInstanceEvents",
      summary: "What happened to the instance, newest first (cacheplane addition)",
      tags,
      security,
      params: InstanceParams,
      querystring: PageQuery,
      response: { 200: ListInstanceEventsResponse, ...errorResponses },
    },
    handler: (req) => instances.events(req.params, req.query.pageSize, req.query.pageToken),
  });

  r.get(`${BASE}/:instance/authString`, {
    config: { access: "secret" },
    schema: {
      operationId: "getInstanceAuthString",
      summary: "Get the AUTH string of an instance with authEnabled",
      tags,
      security,
      params: InstanceParams,
      response: { 200: InstanceAuthString, ...errorResponses },
    },
    handler: async (req, reply) => {
      reply.header("cache-control", "no-store");
      return instances.authString(req.params);
    },
  });
}
