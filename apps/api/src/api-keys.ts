// API keys: "cp_<id>_<secret>". Only a SHA-256 of the whole key is stored, so a database
// leak does not leak usable keys; the id part lets a person name a key without the secret.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { API_KEY_ROLES, type ApiKeyRole } from "@cacheplane/contracts";

export const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

export function generateKey(): { id: string; key: string } {
  const id = randomBytes(6).toString("hex");
  const secret = randomBytes(24).toString("base64url");
  return { id, key: `cp_${id}_${secret}` };
}

export const keyIdOf = (key: string) => /^cp_([0-9a-f]{12})_/.exec(key)?.[1];

export const hashesEqual = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** A verified key: who it is (its id, never the key), its projects ("*" is every one) and its role. */
export interface Principal {
  keyId: string;
  projects: string[];
  role: ApiKeyRole;
}

/** A stored role as one we know. Rows are written only through the api, so another value is a
 *  hand edit: it gets the least a key can do (viewer) rather than an error on every request. */
export const roleOf = (stored: string): ApiKeyRole => ((API_KEY_ROLES as readonly string[]).includes(stored) ? (stored as ApiKeyRole) : "viewer");

/** Verified keys, remembered briefly so a GET costs one query, not two. A revoke through this
 *  api clears it at once; another api process sees a revoke within KEY_CACHE_TTL_MS. */
export const KEY_CACHE_TTL_MS = 2_000;

export interface KeyCache {
  get(hash: string): Principal | undefined;
  set(hash: string, principal: Principal): void;
  clear(): void;
}

export function createKeyCache(ttlMs = KEY_CACHE_TTL_MS, maxEntries = 1_000): KeyCache {
  const entries = new Map<string, { principal: Principal; expires: number }>();
  return {
    get(hash) {
      const hit = entries.get(hash);
      if (!hit) return undefined;
      if (hit.expires < Date.now()) {
        entries.delete(hash);
        return undefined;
      }
      return hit.principal;
    },
    set(hash, principal) {
      if (entries.size >= maxEntries) entries.clear();
      entries.set(hash, { principal, expires: Date.now() + ttlMs });
    },
    clear: () => entries.clear(),
  };
}
