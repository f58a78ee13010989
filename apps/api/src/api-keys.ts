// API keys: "cp_<id>_<secret>". Only a SHA-256 of the whole key is stored, so a database
// leak does not leak usable keys; the id part lets a person name a key without the secret.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

export function generateKey(): { id: string; key: string } {
  const id = randomBytes(6).toString("hex");
  const secret = randomBytes(24).toString("base64url");
  return { id, key: `cp_${id}_${secret}` };
}

export const keyIdOf = (key: string) => /^cp_([0-9a-f]{12})_/.exec(key)?.[1];

export const hashesEqual = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
