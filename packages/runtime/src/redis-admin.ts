// Small admin helpers over ioredis, shared by the drivers and (later) the worker's replication and
// failover steps. Admin connections fail fast: no offline queue, no retries, no reconnect loop —
// a dead node must show up as an error within the timeout, not as a pile of queued commands.

import type { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { Redis } from "ioredis";
import type { NodeReplication } from "./node-runtime.js";

export interface AdminTarget {
  host: string;
  port: number;
  /** Password for AUTH (requirepass); omitted when auth is off. */
  password?: string;
  /** Applies to connect and to each command; default 1000 ms. */
  timeoutMs?: number;
  /** A TLS node (NodeSpec.tls): connect with TLS, verifying the node's certificate against these
   *  CAs and `host` against its subjectAltNames. */
  tls?: { ca: string } | undefined;
}

/** The certificate each TLS admin connection's node presented in its handshake. Kept at connect:
 *  Node's socket no longer hands it out once data has flowed. */
const peerCertificates = new WeakMap<Redis, X509Certificate>();

/** The certificate a TLS node presented on this admin connection (see connectAdmin). */
export const peerCertificateOf = (redis: Redis) => peerCertificates.get(redis);

export class RedisAuthError extends Error {
  override name = "RedisAuthError";
}

/** Rejects after ms; the original promise is left to settle on its own (its rejection handled). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const isNoPasswordConfigured = (err: unknown) => err instanceof Error && /without any password configured|no password is set/i.test(err.message);
export const isAuthError = (err: unknown) => err instanceof Error && /^(NOAUTH|WRONGPASS)\b/.test(err.message);
export const isLoadingError = (err: unknown) => err instanceof Error && /^LOADING\b/.test(err.message);

/**
 * Opens an authenticated admin connection. AUTH is sent explicitly rather than through ioredis's
 * `password` option, so a wrong password is one rejected promise instead of a reconnect loop, and
 * a password given to a node that has none yet (auth being turned on) is not an error.
 */
export async function connectAdmin(target: AdminTarget): Promise<Redis> {
  const timeoutMs = target.timeoutMs ?? 1000;
  const redis = new Redis({
    host: target.host,
    port: target.port,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false, // the ready check waits out LOADING; we want to see it
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    autoResubscribe: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    ...(target.tls ? { tls: { ca: target.tls.ca } } : {}),
  });
  redis.on("error", () => {}); // failures surface through the promises; avoid ioredis's console noise
  if (target.tls) {
    redis.once("connect", () => {
      const cert = (redis.stream as TLSSocket | undefined)?.getPeerX509Certificate?.();
      if (cert) peerCertificates.set(redis, cert);
    });
  }
  try {
    await withTimeout(redis.connect(), timeoutMs, `connect to ${target.host}:${target.port}`);
    if (target.password !== undefined && target.password !== "") {
      try {
        await redis.auth(target.password);
      } catch (err) {
        if (!isNoPasswordConfigured(err)) throw new RedisAuthError(`AUTH to ${target.host}:${target.port} failed: ${(err as Error).message}`);
      }
    }
    return redis;
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}

/** PING: "pong", or "loading" when the node answers -LOADING (it is alive, still reading its data). */
export async function ping(redis: Redis, timeoutMs = 300): Promise<"pong" | "loading"> {
  try {
    await withTimeout(redis.ping(), timeoutMs, "PING");
    return "pong";
  } catch (err) {
    if (isLoadingError(err)) return "loading";
    throw err;
  }
}

/** INFO text to { section: { key: value } } with lower-case section names. */
export function parseInfo(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> = {};
  sections[""] = current;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("# ")) {
      current = sections[line.slice(2).toLowerCase()] ??= {};
    } else if (line && !line.startsWith("#")) {
      const at = line.indexOf(":");
      if (at > 0) current[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  if (Object.keys(sections[""]!).length === 0) delete sections[""];
  return sections;
}

/** INFO for the given sections in one round trip (Redis 7 accepts several). */
export async function info(redis: Redis, ...sectionNames: string[]): Promise<Record<string, Record<string, string>>> {
  return parseInfo(await redis.info(...sectionNames));
}

/** CONFIG GET for several names in one round trip (Redis 7); unknown names are simply absent. */
export async function configGet(redis: Redis, names: readonly string[]): Promise<Record<string, string>> {
  if (names.length === 0) return {};
  const reply = (await redis.call("CONFIG", "GET", ...names)) as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) out[reply[i]!] = reply[i + 1]!;
  return out;
}

/** CONFIG SET of several directives at once; Redis 7 applies them atomically (all or none). */
export async function configSet(redis: Redis, values: Record<string, string>): Promise<void> {
  const args = Object.entries(values).flat();
  if (args.length === 0) return;
  await redis.call("CONFIG", "SET", ...args);
}

/** The replication state in an INFO "replication" section (parseInfo(...).replication); undefined
 *  when the section has no role. A replica's offset is slave_repl_offset (what it has processed),
 *  falling back to master_repl_offset. */
export function parseReplication(section: Record<string, string> | undefined): NodeReplication | undefined {
  const num = (v: string | undefined) => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined);
  if (section?.role === "master") {
    return { role: "primary", offset: num(section.master_repl_offset) ?? 0, connectedReplicas: num(section.connected_slaves) ?? 0 };
  }
  if (section?.role === "slave") {
    return {
      role: "replica",
      primaryHost: section.master_host,
      primaryPort: num(section.master_port),
      linkUp: section.master_link_status === "up",
      offset: num(section.slave_repl_offset) ?? num(section.master_repl_offset) ?? 0,
      syncing: section.master_sync_in_progress === "1",
      // Redis prints -1 until the first completed sync, seconds since the link dropped after one.
      synced: section.master_link_status === "up" || (num(section.master_link_down_since_seconds) ?? -1) >= 0,
    };
  }
  return undefined;
}

/** An address as Redis writes it in CLIENT LIST's laddr ("[::1]:6379" for IPv6). */
export const formatAddress = (host: string, port: number) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);
