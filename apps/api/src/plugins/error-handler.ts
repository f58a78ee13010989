// One place turns every failure into Google's error envelope. Validation errors name the
// field; anything unexpected is logged and answered as INTERNAL without internals.
import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { ApiError, type FieldViolation } from "../errors.js";

type ValidationContext = "body" | "querystring" | "params" | "headers";

interface ZodLikeIssue {
  instancePath?: string;
  message?: string;
  params?: { issue?: { path?: PropertyKey[]; message?: string; keys?: string[]; code?: string } };
}

function fieldPath(context: string | undefined, issue: ZodLikeIssue): string {
  const path = issue.params?.issue?.path ?? [];
  const keys = issue.params?.issue?.code === "unrecognized_keys" ? issue.params.issue.keys ?? [] : [];
  const segments = [...path.map(String), ...(keys.length === 1 ? keys : [])];
  // Query and path parameters are named bare (instanceId, updateMask), as Google does;
  // body fields by their JSON path (labels.env, redisConfigs.maxmemory-policy).
  const joined = segments.join(".");
  if (context === "body") return joined || "body";
  return joined || (context ?? "request");
}

function violations(error: FastifyError & { validation?: unknown[]; validationContext?: string }): FieldViolation[] {
  const issues = (error.validation ?? []) as ZodLikeIssue[];
  return issues.map((issue) => ({
    field: fieldPath(error.validationContext as ValidationContext | undefined, issue),
    description: issue.params?.issue?.message ?? issue.message ?? "is invalid",
  }));
}

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
      const message = error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error.name === "SyntaxError"
        ? "body: malformed JSON"
        : error.message;
      return reply.code(status === 413 ? 413 : status === 404 ? 404 : 400).send(new ApiError(canonical, message).toBody());
    }
    request.log.error({ err: error }, "unhandled error");
    return reply.code(500).send(new ApiError("INTERNAL", "internal error").toBody());
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(new ApiError("NOT_FOUND", `no method ${request.method} ${request.url.split("?")[0]}`).toBody());
  });
}
