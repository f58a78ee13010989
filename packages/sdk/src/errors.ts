// One error type for everything the API (or the way to it) can say: Google's envelope
// `{error: {code, message, status, details}}` becomes a CacheplaneError with the same fields.
import type { CanonicalStatus, ErrorBody, Operation } from "./types.js";

export type ErrorDetail = NonNullable<ErrorBody["error"]["details"]>[number];

/** google.rpc.Code numbers, for Operation errors (which carry the gRPC code, not HTTP). */
const GRPC_CODES: Record<number, CanonicalStatus> = {
  1: "CANCELLED",
  3: "INVALID_ARGUMENT",
  4: "DEADLINE_EXCEEDED",
  5: "NOT_FOUND",
  6: "ALREADY_EXISTS",
  7: "PERMISSION_DENIED",
  8: "RESOURCE_EXHAUSTED",
  9: "FAILED_PRECONDITION",
  10: "ABORTED",
  12: "UNIMPLEMENTED",
  13: "INTERNAL",
  14: "UNAVAILABLE",
  16: "UNAUTHENTICATED",
};
const HTTP_BY_STATUS: Record<CanonicalStatus, number> = {
  CANCELLED: 499,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  UNAUTHENTICATED: 401,
};

export class CacheplaneError extends Error {
  override name = "CacheplaneError";
  /** The canonical status name, e.g. NOT_FOUND. */
  readonly status: CanonicalStatus;
  /** The HTTP status code, as Google's JSON error mapping writes it. */
  readonly code: number;
  readonly details: ErrorDetail[];

  constructor(status: CanonicalStatus, code: number, message: string, details: ErrorDetail[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** `field: description` for each bad field of an INVALID_ARGUMENT. */
  get fieldViolations(): { field: string; description: string }[] {
    return this.details.flatMap((d) => d.fieldViolations ?? []);
  }

  static of(status: CanonicalStatus, message: string, options?: { cause?: unknown }) {
    return new CacheplaneError(status, HTTP_BY_STATUS[status], message, [], options);
  }
}

/** A finished Operation that ended with an error (failed, or cancelled). */
export class OperationError extends CacheplaneError {
  override name = "OperationError";
  constructor(readonly operation: Operation) {
    const err = operation.error!;
    const status = GRPC_CODES[err.code] ?? "INTERNAL";
    super(status, HTTP_BY_STATUS[status], err.message, err.details ?? []);
  }
}

/** Maps a non-2xx response to a CacheplaneError, whatever its body (a proxy's HTML page too). */
export async function errorFromResponse(response: Response): Promise<CacheplaneError> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    if (body.error && typeof body.error.message === "string" && typeof body.error.status === "string") {
      return new CacheplaneError(body.error.status, body.error.code ?? response.status, body.error.message, body.error.details ?? []);
    }
  } catch {
    // not JSON: fall through
  }
  const status =
    (Object.keys(HTTP_BY_STATUS) as CanonicalStatus[]).find((s) => HTTP_BY_STATUS[s] === response.status) ??
    (response.status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT");
  return new CacheplaneError(status, response.status, `HTTP ${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ""}`);
}

/** A request that never got an answer: nothing listening, DNS, a reset connection. */
export function connectionError(url: string, error: unknown): CacheplaneError {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return CacheplaneError.of("UNAVAILABLE", `cannot reach cacheplane at ${url} (${why})`, { cause: error });
}
