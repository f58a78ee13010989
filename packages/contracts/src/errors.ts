// Google's JSON error envelope (google.rpc.Status over HTTP) and the canonical codes we use.
import { z } from "zod";

export const CANONICAL = {
  CANCELLED: { code: 1, http: 499 },
  INVALID_ARGUMENT: { code: 3, http: 400 },
  DEADLINE_EXCEEDED: { code: 4, http: 504 },
  NOT_FOUND: { code: 5, http: 404 },
  ALREADY_EXISTS: { code: 6, http: 409 },
  PERMISSION_DENIED: { code: 7, http: 403 },
  RESOURCE_EXHAUSTED: { code: 8, http: 429 },
  FAILED_PRECONDITION: { code: 9, http: 400 },
  ABORTED: { code: 10, http: 409 },
  UNIMPLEMENTED: { code: 12, http: 501 },
  INTERNAL: { code: 13, http: 500 },
  UNAVAILABLE: { code: 14, http: 503 },
  UNAUTHENTICATED: { code: 16, http: 401 },
} as const;
export type CanonicalStatus = keyof typeof CANONICAL;

export const FieldViolation = z.object({ field: z.string(), description: z.string() });

export const ErrorDetail = z
  .object({
    "@type": z.string(),
    fieldViolations: z.array(FieldViolation).optional(),
  })
  .catchall(z.unknown());

export const ErrorBody = z
  .object({
    error: z.object({
      /** The HTTP status code, as Google's JSON mapping writes it. */
      code: z.number().int(),
      message: z.string(),
      status: z.enum(Object.keys(CANONICAL) as [CanonicalStatus, ...CanonicalStatus[]]),
      details: z.array(ErrorDetail).optional(),
    }),
  })
  .meta({ id: "Error", description: "Google's JSON error envelope." });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** google.rpc.Status as it appears inside an Operation: `code` is the canonical (gRPC) code. */
export const Status = z.object({ code: z.number().int(), message: z.string(), details: z.array(ErrorDetail).optional() }).meta({ id: "Status" });
export type Status = z.infer<typeof Status>;

export const BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest";
