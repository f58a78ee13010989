// Opaque page tokens (AIP-158): the position after the last item, base64url-encoded JSON.
import { invalidArgument } from "./errors.js";

export const DEFAULT_PAGE_SIZE = 100;

export const encodePageToken = (position: Record<string, string>) => Buffer.from(JSON.stringify(position)).toString("base64url");

export function decodePageToken<K extends string>(token: string | undefined, keys: readonly K[]): Record<K, string> | undefined {
  if (!token) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Record<string, unknown>;
    if (parsed && typeof parsed === "object" && keys.every((k) => typeof parsed[k] === "string")) {
      return parsed as Record<K, string>;
    }
  } catch {
    // fall through: a token we did not issue
  }
  throw invalidArgument("pageToken", "is not a token this API issued");
}

/** The page of `rows` (fetched with take: size + 1) and, when there is more, the token that
 *  resumes after its last row. */
export function pageOf<T>(rows: T[], size: number, positionOf: (last: T) => Record<string, string>): { page: T[]; nextPageToken?: string } {
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return { page, ...(rows.length > size && last ? { nextPageToken: encodePageToken(positionOf(last)) } : {}) };
}

export const pageSizeOf = (pageSize: number | undefined) => (pageSize ? pageSize : DEFAULT_PAGE_SIZE);
