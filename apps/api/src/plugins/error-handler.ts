// One place turns every failure into Google's error envelope. Validation errors name the
// field; anything unexpected is logged and answered as INTERNAL without internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { isDatabaseUnavailable } from "@cacheplane/db";
import { ApiError, type FieldViolation } from "../errors.js";

/** One issue as fastify-type-provider-zod reports it (a zod issue with its path joined). */
interface ValidationIssue {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: { keys?: string[] };
}

function fieldPaths(context: string | undefined, issue: ValidationIssue): string[] {
  const base = (issue.instancePath ?? "").split("/").filter(Boolean);
  // Unknown keys are one issue for many keys: name each of them.
  const keys = issue.keyword === "unrecognized_keys" ? (issue.params?.keys ?? []) : [];
  const paths = keys.length > 0 ? keys.map((k) => [...base, k].join(".")) : [base.join(".")];
  // Body fields by their JSON path (labels.env); query and path parameters bare (instanceId),
  // as Google names them.
  return paths.map((p) => p || (context === "body" ? "body" : (context ?? "request")));
}

function violations(error: FastifyError & { validation?: unknown[]; validationContext?: string }): FieldViolation[] {
  const issues = (error.validation ?? []) as ValidationIssue[];
  return issues.flatMap((issue) =>
    fieldPaths(error.validationContext, issue).map((field) => ({
      field,
      description: issue.keyword === "unrecognized_keys" ? "unknown field" : (issue.message ?? "is invalid"),
    })),
  );
}

/** The router's own refusals, before any route runs (a path segment longer than maxParamLength, a
 *  URL that does not decode): Google's envelope too, as every other error. Passed to Fastify(). */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const message =
    error.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? `a path segment is longer than the ${MAX_PARAM_LENGTH} characters any resource id may have`
      : "the request URL is malformed";
  reply.code(400).send(new ApiError("INVALID_ARGUMENT", message).toBody());
}

/** No resource id or custom-method segment is longer (a 63-character id plus `:rotateServerCa`). */
export const MAX_PARAM_LENGTH = 200;

export function installErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.httpStatus).send(error.toBody());
    if (hasZodFastifySchemaValidationErrors(error)) {
      const fields = violations(error);
      const message = fields.map((f) => `${f.field}: ${f.description}`).join("; ");
      const apiError = new ApiError("INVALID_ARGUMENT", message || "invalid request", fields);
      return reply.code(400).send(apiError.toBody());
    }
    // Fastify's own client errors: malformed JSON, wrong content type, body too large.
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const canonical = status === 413 ? "INVALID_ARGUMENT" : status === 404 ? "NOT_FOUND" : "INVALID_ARGUMENT";
      const message = error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error.name === "SyntaxError" ? "body: malformed JSON" : error.message;
      return reply.code(status === 413 ? 413 : status === 404 ? 404 : 400).send(new ApiError(canonical, message).toBody());
    }
    // Retryable, as Google's clients expect: the request changed nothing (its transaction did not
    // commit), and the api recovers by itself when the database is back.
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error.message }, "database unavailable");
      return reply.code(503).send(new ApiError("UNAVAILABLE", "the control plane's database is unavailable; retry with backoff").toBody());
    }
    request.log.error({ err: error }, "unhandled error");
    return reply.code(500).send(new ApiError("INTERNAL", "internal error").toBody());
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(new ApiError("NOT_FOUND", `no method ${request.method} ${request.url.split("?")[0]}`).toBody());
  });
}
