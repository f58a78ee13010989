// The audit log of a project (our addition): which key made which change, when, with which
// requestId and what came of it. It never holds a request body, a key or any other secret.
import { z } from "zod";
import { PageQuery } from "./requests.js";

export const AuditLogEntry = z
  .object({
    time: z.iso.datetime().meta({ description: "When the api answered the request." }),
    apiKey: z.string().meta({ description: "apiKeys/{id}: the key that made the request (its id, never the key)." }),
    method: z.string().meta({ description: "The HTTP method." }),
    operation: z.string().meta({ description: "The method's operationId, e.g. createInstance." }),
    resource: z.string().meta({ description: "The request path, without the query string." }),
    requestId: z.string().optional().meta({ description: "The request's requestId (query or body), when it gave one." }),
    status: z.number().int().meta({ description: "The HTTP status of the answer: refusals are recorded too." }),
    operationName: z.string().optional().meta({ description: "The long-running Operation the request started or joined." }),
  })
  .meta({ id: "AuditLogEntry" });

export const ListAuditLogsQuery = PageQuery.extend({
  filter: z
    .string()
    .max(512)
    .optional()
    .meta({
      description:
        "AIP-160 subset: comparisons joined by AND. operation, method, apiKey, resource, requestId, operationName take = or !=; " +
        'status and time also <, <=, >, >=. Example: operation = "createInstance" AND status >= 400.',
    }),
});

export const ListAuditLogsResponse = z
  .object({ auditLogs: z.array(AuditLogEntry), nextPageToken: z.string().optional() })
  .meta({ id: "ListAuditLogsResponse" });
