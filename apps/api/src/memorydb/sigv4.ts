// AWS Signature Version 4, verified (never produced) here: the MemoryDB API's clients sign every
// request with credentials cacheplane issued for an API key. Pure: the caller looks up the secret
// and supplies the clock. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";
/** How far a request's X-Amz-Date may be from the server's clock, as AWS allows. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

export interface SignedRequest {
  method: string;
  /** The path as sent, without the query string. */
  path: string;
  /** The raw query string, without '?'. */
  query: string;
  /** Header names in lower case, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Why a request is refused, as AWS names it. */
export class SignatureError extends Error {
  constructor(
    readonly type: "MissingAuthenticationTokenException" | "IncompleteSignatureException" | "InvalidSignatureException",
    message: string,
  ) {
    super(message);
  }
}

const AUTH =
  /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;._-]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

export function parseAuthorization(header: string | undefined): Authorization {
  if (!header) throw new SignatureError("MissingAuthenticationTokenException", "Missing Authentication Token");
  const match = AUTH.exec(header);
  if (!match) {
    throw new SignatureError(
      "IncompleteSignatureException",
      "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters, signed with AWS4-HMAC-SHA256.",
    );
  }
  const [, accessKeyId, date, region, service, signed, signature] = match as unknown as string[];
  return { accessKeyId: accessKeyId!, date: date!, region: region!, service: service!, signedHeaders: signed!.split(";"), signature: signature! };
}

/** X-Amz-Date (or Date) as a time; throws when missing or malformed, or too far from `now`. */
export function checkRequestTime(request: SignedRequest, auth: Authorization, now: Date): void {
  const amzDate = header(request, "x-amz-date");
  const match = amzDate ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate) : null;
  if (!match) throw new SignatureError("IncompleteSignatureException", "Authorization requires an X-Amz-Date header in the form YYYYMMDD'T'HHMMSS'Z'.");
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const time = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  if (amzDate!.slice(0, 8) !== auth.date) {
    throw new SignatureError(
      "InvalidSignatureException",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate!.slice(0, 8)}'`,
    );
  }
  const skew = time - now.getTime();
  if (Math.abs(skew) > MAX_SKEW_MS) {
    const bound = new Date(now.getTime() + (skew < 0 ? -MAX_SKEW_MS : MAX_SKEW_MS));
    throw new SignatureError(
      "InvalidSignatureException",
      skew < 0
        ? `Signature expired: ${amzDate} is now earlier than ${isoBasic(bound)} (${isoBasic(now)} - 15 min.)`
        : `Signature not yet current: ${amzDate} is still later than ${isoBasic(bound)} (${isoBasic(now)} + 15 min.)`,
    );
  }
}

/** Recomputes the signature with `secret` and compares in constant time. */
export function verifySignature(request: SignedRequest, auth: Authorization, secret: string): void {
  if (!auth.signedHeaders.includes("host")) {
    throw new SignatureError("InvalidSignatureException", "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const expected = signature(request, auth, secret);
  const given = Buffer.from(auth.signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SignatureError(
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
}

function signature(request: SignedRequest, auth: Authorization, secret: string): Buffer {
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const canonical = canonicalRequest(request, auth.signedHeaders);
  const toSign = [SIGV4_ALGORITHM, header(request, "x-amz-date"), scope, sha256Hex(canonical)].join("\n");
  let key: Buffer = hmac(`AWS4${secret}`, auth.date);
  for (const part of [auth.region, auth.service, "aws4_request"]) key = hmac(key, part);
  return hmac(key, toSign);
}

export function canonicalRequest(request: SignedRequest, signedHeaders: string[]): string {
  const headers = signedHeaders.map((name) => `${name}:${canonicalHeaderValue(request.headers[name])}\n`).join("");
  // The payload's hash is always computed from the bytes that arrived: trusting a signed
  // x-amz-content-sha256 header would let a captured request be replayed with another body.
  const payload = sha256Hex(request.body);
  const claimed = header(request, "x-amz-content-sha256");
  if (claimed !== undefined && claimed !== payload) {
    throw new SignatureError("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return [request.method.toUpperCase(), canonicalPath(request.path), canonicalQuery(request.query), headers, signedHeaders.join(";"), payload].join("\n");
}

function canonicalHeaderValue(value: string | string[] | undefined): string {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.map((v) => v.trim().replace(/\s+/g, " ")).join(",");
}

/** Each segment decoded, then encoded the way SigV4 wants (RFC 3986 unreserved kept). */
function canonicalPath(path: string): string {
  return (
    path
      .split("/")
      .map((segment) => uriEncode(safeDecode(segment)))
      .join("/") || "/"
  );
}

function canonicalQuery(query: string): string {
  if (!query) return "";
  return query
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf("=");
      const [k, v] = at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
      return [uriEncode(safeDecode(k.replace(/\+/g, " "))), uriEncode(safeDecode(v.replace(/\+/g, " ")))] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

const uriEncode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
const isoBasic = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
