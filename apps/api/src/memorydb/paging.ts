// MemoryDB pages with MaxResults (default and most 100) and an opaque NextToken: here the name of
// the last item of the page, so a page resumes after it even when items come and go between calls.
import { invalidParameterValue } from "./faults.js";

export const DEFAULT_MAX_RESULTS = 100;

/** The page of `items` (sorted by `nameOf`) after `nextToken`, and the token for the next page. */
export function page<T>(
  items: T[],
  nameOf: (item: T) => string,
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: T[]; NextToken?: string } {
  const after = nextToken === undefined ? undefined : decode(nextToken);
  const sorted = [...items].sort((a, b) => compare(nameOf(a), nameOf(b)));
  const from = after === undefined ? sorted : sorted.filter((item) => compare(nameOf(item), after) > 0);
  const size = maxResults ?? DEFAULT_MAX_RESULTS;
  const taken = from.slice(0, size);
  const last = taken[taken.length - 1];
  return { items: taken, ...(from.length > size && last ? { NextToken: encode(nameOf(last)) } : {}) };
}

/** For a page read from the database in its own order (`name > after`, `take: size + 1`): the
 *  name to read after, and the page size. */
export function pageQuery(maxResults: number | undefined, nextToken: string | undefined): { after?: string; take: number; size: number } {
  const size = maxResults ?? DEFAULT_MAX_RESULTS;
  return { ...(nextToken === undefined ? {} : { after: decode(nextToken) }), take: size + 1, size };
}

/** The page of rows read with pageQuery's take, and the token that resumes after its last row. */
export function pageFromRows<T>(rows: T[], size: number, nameOf: (item: T) => string): { items: T[]; NextToken?: string } {
  const items = rows.slice(0, size);
  const last = items[items.length - 1];
  return { items, ...(rows.length > size && last ? { NextToken: encode(nameOf(last)) } : {}) };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const encode = (name: string) => Buffer.from(JSON.stringify({ after: name })).toString("base64url");

function decode(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
    if (typeof parsed?.after === "string") return parsed.after;
  } catch {
    // fall through: not a token we issued
  }
  throw invalidParameterValue("Invalid NextToken: it is not a token this API issued");
}
