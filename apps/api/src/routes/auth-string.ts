// POST …/instances/{id}:rotateAuthString (our addition). The handler only maps HTTP to the service.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { DeleteInstanceQuery, InstanceParams, Operation } from "@cacheplane/contracts";
import type { AuthStringService } from "../services/auth-string-service.js";
import { errorResponses, security } from "./common.js";

export function authStringRoutes(app: FastifyInstance, authStrings: AuthStringService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post("/v1/projects/:project/locations/:location/instances/:instance(^[a-z][a-z0-9-]*)::rotateAuthString", {
    schema: {
      operationId: "rotateInstanceAuthString",
      summary: "Replace the instance's AUTH string without a failed login (cacheplane addition)",
      description:
        "A new AUTH string is added to every node beside the old one; once every node accepts both, GET …/authString shows the new " +
        "one; two seconds later the old one stops working and the Operation is done. A client that reads the AUTH string when it " +
        "connects never fails. FAILED_PRECONDITION with authEnabled false; ABORTED while a rotation is in progress (a PATCH of " +
        "authEnabled is ABORTED meanwhile too).",
      tags: ["Instances"],
      security,
      params: InstanceParams,
      querystring: DeleteInstanceQuery,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => authStrings.rotate({ project: req.params.project, location: req.params.location, id: req.params.instance }, req.query.requestId),
  });
}
