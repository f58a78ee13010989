// /v1/projects/{project}/auditLogs — our addition: the project's recorded changes, newest first.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { ListAuditLogsQuery, ListAuditLogsResponse, ProjectParams } from "@cacheplane/contracts";
import type { AuditService } from "../services/audit-service.js";
import { errorResponses, security } from "./common.js";

export function auditLogRoutes(app: FastifyInstance, audit: AuditService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get("/v1/projects/:project/auditLogs", {
    schema: {
      operationId: "listAuditLogs",
      summary: "List the project's audit log, newest first (cacheplane addition)",
      description:
        "One entry per request that changed something in the project or read a secret, refused ones included: " +
        "the key's id, the method, the resource path, the requestId, the HTTP status and the Operation it started. " +
        "Never a request body, a key or a secret. Any role of the project may read it.",
      tags: ["Audit logs"],
      security,
      params: ProjectParams,
      querystring: ListAuditLogsQuery,
      response: { 200: ListAuditLogsResponse, ...errorResponses },
    },
    handler: (req) => audit.list(req.params.project, req.query),
  });
}
