// /v1/projects/{project}/locations/{location}/operations (google.longrunning).
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { Empty, ListOperationsResponse, LocationParams, Operation, OperationParams, ListOperationsQuery, WaitOperationQuery } from "@cacheplane/contracts";
import type { OperationService } from "../services/operation-service.js";
import { errorResponses, security } from "./common.js";

const BASE = "/v1/projects/:project/locations/:location/operations";
// The custom methods follow the id after a literal ':' (AIP-136); the regex keeps the router
// from reading ":wait" as part of the id.
const BY_ID = `${BASE}/:operation(^operation-[a-z0-9-]+)`;
const tags = ["Operations"];

export function operationRoutes(app: FastifyInstance, operations: OperationService) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(BASE, {
    schema: {
      operationId: "listOperations",
      summary: "List operations, newest first",
      tags,
      security,
      params: LocationParams,
      querystring: ListOperationsQuery,
      response: { 200: ListOperationsResponse, ...errorResponses },
    },
    handler: (req) => {
      const done = /true|false/.exec(req.query.filter ?? "")?.[0];
      return operations.list(
        req.params.project,
        req.params.location,
        req.query.pageSize,
        req.query.pageToken,
        done === undefined ? undefined : done === "true",
      );
    },
  });

  r.get(`${BASE}/:operation`, {
    schema: {
      operationId: "getOperation",
      summary: "Get an operation",
      tags,
      security,
      params: OperationParams,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => operations.get(req.params),
  });

  r.post(`${BY_ID}::wait`, {
    // A POST only because AIP-151 says so: it reads, so a viewer may wait too.
    config: { access: "read" },
    schema: {
      operationId: "waitOperation",
      summary: "Wait until the operation is done or the timeout (default 30s, at most 60s) passes",
      tags,
      security,
      params: OperationParams,
      querystring: WaitOperationQuery,
      body: z.strictObject({}).nullish(),
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => {
      const abort = new AbortController();
      req.raw.once("close", () => abort.abort());
      return operations.wait(req.params, req.query.timeout, abort.signal);
    },
  });

  r.post(`${BY_ID}::cancel`, {
    schema: {
      operationId: "cancelOperation",
      summary: "Ask to cancel an operation (best effort; a create is rolled back)",
      tags,
      security,
      params: OperationParams,
      body: z.strictObject({}).nullish(),
      response: { 200: Empty, ...errorResponses },
    },
    handler: async (req) => {
      await operations.cancel(req.params);
      return {};
    },
  });

  r.delete(`${BASE}/:operation`, {
    schema: {
      operationId: "deleteOperation",
      summary: "Forget an operation (does not cancel it)",
      tags,
      security,
      params: OperationParams,
      response: { 200: Empty, ...errorResponses },
    },
    handler: async (req) => {
      await operations.remove(req.params);
      return {};
    },
  });
}
