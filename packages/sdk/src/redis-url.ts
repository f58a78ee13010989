// A connection URL for an instance. The password is percent-encoded down to [A-Za-z0-9._%-], so
// the URL needs no quoting in a shell `eval`, a CI environment file or a .env file, and the
// AUTH strings cacheplane generates (UUIDs) stay as they are (redis-cli does not decode '%').
import type { Instance } from "./types.js";

const strictEncode = (s: string) =>
  Array.from(new TextEncoder().encode(s), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9._-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }).join("");

export function redisUrl(instance: Pick<Instance, "host" | "port" | "name">, authString?: string): string {
  if (!instance.host || !instance.port) throw new Error(`instance ${instance.name ?? ""} has no endpoint yet (is it READY?)`);
  const host = instance.host.includes(":") ? `[${instance.host}]` : instance.host;
  const auth = authString ? `:${strictEncode(authString)}@` : "";
  return `redis://${auth}${host}:${instance.port}`;
}
