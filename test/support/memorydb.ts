// The MemoryDB API as its own clients reach it: AWS-style credentials issued for an API key
// (POST /v1/apiKeys/{id}:issueAwsCredentials) and the real @aws-sdk/client-memorydb signing with them.
import { expect } from "vitest";
import { MemoryDBClient, type MemoryDBClientConfig } from "@aws-sdk/client-memorydb";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "./sha256.js";
import { ADMIN_KEY, type TestControlPlane } from "./control-plane.js";

export interface MemoryDbClientOptions {
  /** The project the credentials act in (default: the key's first project, "default" for a '*' key). */
  project?: string;
  /** Overrides of the client's configuration (e.g. systemClockOffset, maxAttempts). */
  config?: Partial<MemoryDBClientConfig>;
}

export interface IssuedAwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  project: string;
}

/** The key's id: "admin" for the bootstrap admin key, else the 12 hex digits in cp_<id>_<secret>. */
export function keyIdOf(key: string): string {
  if (key === ADMIN_KEY) return "admin";
  const id = /^cp_([0-9a-f]{12})_/.exec(key)?.[1];
  if (!id) throw new Error(`not an API key string: ${key.slice(0, 6)}…`);
  return id;
}

/** Issues (replacing any earlier) AWS credentials for `key`, using the admin key. */
export async function issueAwsCredentials(cp: TestControlPlane, key = ADMIN_KEY, project?: string): Promise<IssuedAwsCredentials> {
  const res = await cp.api<IssuedAwsCredentials>("POST", `/v1/apiKeys/${keyIdOf(key)}:issueAwsCredentials`, project ? { project } : {}, ADMIN_KEY);
  if (res.status !== 200) throw new Error(`issueAwsCredentials answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A client signing with credentials of an already issued pair. */
export function clientFor(cp: TestControlPlane, creds: { accessKeyId: string; secretAccessKey: string }, config: Partial<MemoryDBClientConfig> = {}) {
  return new MemoryDBClient({
    endpoint: cp.url,
    region: "local1",
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    // A refused request is an answer to assert on, not something to retry.
    maxAttempts: 1,
    ...config,
  });
}

/** A MemoryDB client acting with `key`'s role, with freshly issued credentials. */
export async function memorydbClient(cp: TestControlPlane, key = ADMIN_KEY, opts: MemoryDbClientOptions = {}): Promise<MemoryDBClient> {
  return clientFor(cp, await issueAwsCredentials(cp, key, opts.project), opts.config);
}

/** Polls `fn` until `predicate` holds for its result (returned), or fails after `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 120_000, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface RawCall {
  /** X-Amz-Target; omitted when undefined. */
  target?: string;
  body?: string;
  region?: string;
  /** The signing time (default now). */
  date?: Date;
  /** false sends no Authorization at all. */
  sign?: boolean;
  /** Sends this body instead of the one signed: a request changed in transit. */
  tamperedBody?: string;
}

/** A request the SDK would never send (a malformed body, an unknown target, no signature),
 *  signed the way the SDK signs, answered as {status, headers, body (parsed JSON)}. */
export async function rawCall(cp: TestControlPlane, creds: { accessKeyId: string; secretAccessKey: string }, call: RawCall) {
  const url = new URL(cp.url);
  const body = call.body ?? "{}";
  const headers: Record<string, string> = { host: url.host, "content-type": "application/x-amz-json-1.1" };
  if (call.target !== undefined) headers["x-amz-target"] = call.target;
  const request = { method: "POST", protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: "/", query: {}, headers, body };
  const signer = new SignatureV4({ service: "memorydb", region: call.region ?? "local1", credentials: creds, sha256: Sha256 });
  const sent = call.sign === false ? request : await signer.sign(request, { signingDate: call.date ?? new Date() });
  const { host: _host, ...fetchHeaders } = sent.headers;
  const res = await fetch(`${cp.url}/`, { method: "POST", headers: fetchHeaders, body: call.tamperedBody ?? body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** The fault a call answers ({name, message}), or "ok"; a 5xx fails the test, never passes for a fault. */
export async function faultOf(call: Promise<unknown>): Promise<{ name: string; message: string } | "ok"> {
  try {
    await call;
    return "ok";
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    expect(e.$metadata?.httpStatusCode, `${e.name}: ${e.message}`).toBeLessThan(500);
    return { name: e.name, message: e.message };
  }
}

/** The name of the fault a call answers, or "ok". */
export const faultName = async (call: Promise<unknown>) => {
  const f = await faultOf(call);
  return f === "ok" ? "ok" : f.name;
};
