// The API's error catalogue: every failure a client can see is an ApiError with a canonical
// status, rendered as Google's JSON error envelope by plugins/error-handler.ts.
import { BAD_REQUEST_TYPE, CANONICAL, type CanonicalStatus, type ErrorBody } from "@cacheplane/contracts";

export interface FieldViolation {
  field: string;
  description: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: CanonicalStatus,
    message: string,
    readonly fieldViolations: FieldViolation[] = [],
  ) {
    super(message);
  }

  get httpStatus(): number {
    return CANONICAL[this.status].http;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.httpStatus,
        message: this.message,
        status: this.status,
        ...(this.fieldViolations.length > 0 ? { details: [{ "@type": BAD_REQUEST_TYPE, fieldViolations: this.fieldViolations }] } : {}),
      },
    };
  }
}

export const invalidArgument = (field: string, description: string) => new ApiError("INVALID_ARGUMENT", `${field}: ${description}`, [{ field, description }]);

export const notFound = (what: string) => new ApiError("NOT_FOUND", `${what} not found`);
export const alreadyExists = (what: string) => new ApiError("ALREADY_EXISTS", `${what} already exists`);
export const failedPrecondition = (message: string) => new ApiError("FAILED_PRECONDITION", message);
export const unauthenticated = (message: string) => new ApiError("UNAUTHENTICATED", message);
export const permissionDenied = (message: string) => new ApiError("PERMISSION_DENIED", message);
