// Exit codes, distinct per kind of failure so scripts can branch on them (documented in the README).
import { CacheplaneError } from "@cacheplane/sdk";

export const EXIT = {
  OK: 0,
  /** An operation failed, or another error not listed below. */
  FAILED: 1,
  /** Bad flags or arguments, or INVALID_ARGUMENT from the API. */
  USAGE: 2,
  NOT_FOUND: 3,
  /** ALREADY_EXISTS or ABORTED (409). */
  CONFLICT: 4,
  /** The control plane is unreachable or answered 5xx. */
  SERVER: 5,
  /** UNAUTHENTICATED or PERMISSION_DENIED. */
  AUTH: 6,
  /** --wait ran out of time (the operation goes on). */
  TIMEOUT: 7,
} as const;

export class UsageError extends Error {}

/** A failure already explained to the user, with the exit code to use. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT.USAGE;
  if (error instanceof CliFailure) return error.exitCode;
  if (!(error instanceof CacheplaneError)) return EXIT.FAILED;
  switch (error.status) {
    case "INVALID_ARGUMENT":
      return EXIT.USAGE;
    case "NOT_FOUND":
      return EXIT.NOT_FOUND;
    case "ALREADY_EXISTS":
    case "ABORTED":
      return EXIT.CONFLICT;
    case "UNAUTHENTICATED":
    case "PERMISSION_DENIED":
      return EXIT.AUTH;
    case "DEADLINE_EXCEEDED":
      return EXIT.TIMEOUT;
    case "INTERNAL":
    case "UNAVAILABLE":
    case "UNIMPLEMENTED":
      return EXIT.SERVER;
    default:
      return error.code >= 500 ? EXIT.SERVER : EXIT.FAILED;
  }
}

/** One human line, no stack. */
export function messageOf(error: unknown): string {
  if (error instanceof CacheplaneError) {
    const hint =
      error.status === "NOT_FOUND" && /^no method /.test(error.message)
        ? " — this control plane does not offer that method yet"
        : error.status === "FAILED_PRECONDITION" && /^no maintenance is scheduled/.test(error.message)
          ? " — one is scheduled once a newer maintenance version is released ('cacheplane maintenance-versions list')"
          : "";
    return `${error.message}${hint} (${error.status})`;
  }
  return error instanceof Error ? error.message : String(error);
}
