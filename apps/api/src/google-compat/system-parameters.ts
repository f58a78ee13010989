// Google's system parameters (https://cloud.google.com/apis/docs/system-parameters) that the
// client library's REST transport adds to every query string: `$alt=json;enum-encoding=int` (answer
// JSON; the request's enums are numbers) and, with minifyJson, `$prettyPrint=0`. The native routes
// refuse unknown query parameters, so they are taken out here, before validation.
import { invalidArgument } from "../errors.js";

export interface SystemParameters {
  /** The request's enums are proto numbers (the client's proto3 JSON with numericEnums). */
  intEnums: boolean;
}

const ALT = new Map([
  ["json", false],
  ["json;enum-encoding=int", true],
]);

/** Removes the system parameters from a parsed query string and says what they asked for. A `$alt`
 *  other than JSON is refused: only JSON is served here. */
export function takeSystemParameters(query: Record<string, unknown>): SystemParameters {
  const alt = query.$alt;
  delete query.$alt;
  delete query.$prettyPrint;
  if (alt === undefined) return { intEnums: false };
  const intEnums = typeof alt === "string" ? ALT.get(alt.toLowerCase()) : undefined;
  if (intEnums === undefined) throw invalidArgument("$alt", "only json (optionally with ;enum-encoding=int) is served");
  return { intEnums };
}
