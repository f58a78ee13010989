// What a refused call says, in the API's own words: CacheplaneError carries the canonical status
// and message of Google's error envelope, and the field violations of an INVALID_ARGUMENT.
import { CacheplaneError } from "@cacheplane/sdk";

export const messageOf = (error: unknown): string =>
  error instanceof CacheplaneError ? `${error.status}: ${error.message}` : error instanceof Error ? error.message : String(error);

/** field → description, for showing each next to its input. */
export function violationsOf(error: unknown): Record<string, string> {
  if (!(error instanceof CacheplaneError)) return {};
  return Object.fromEntries(error.fieldViolations.map((v) => [v.field, v.description]));
}
