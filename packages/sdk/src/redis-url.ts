// Connection URLs for an instance and a cluster. The password is percent-encoded down to [A-Za-z0-9._%-], so
// the URL needs no quoting in a shell `eval`, a CI environment file or a .env file, and the
// AUTH strings cacheplane generates (UUIDs) stay as they are (redis-cli does not decode '%').
import type { Cluster, Instance } from "./types.js";

const strictEncode = (s: string) =>
  Array.from(new TextEncoder().encode(s), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9._-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }).join("");

const hostPort = (host: string, port: number) => `${host.includes(":") ? `[${host}]` : host}:${port}`;

export function redisUrl(instance: Pick<Instance, "host" | "port" | "name">, authString?: string): string {
  if (!instance.host || !instance.port) throw new Error(`instance ${instance.name ?? ""} has no endpoint yet (is it READY?)`);
  const auth = authString ? `:${strictEncode(authString)}@` : "";
  return `redis://${auth}${hostPort(instance.host, instance.port)}`;
}

/**
 * `redis://host:port` of a cluster's discovery endpoint: where a cluster client starts (it asks
 * that node for the slot map, then talks to each shard's primary directly). ioredis
 * `new Cluster([url])`, node-redis `createCluster({ rootNodes: [{ url }] })` and `redis-cli -c -u`
 * all take it. Clusters have no AUTH string (AUTH_MODE_DISABLED is the only mode here).
 */
export function clusterRedisUrl(cluster: Pick<Cluster, "discoveryEndpoints" | "name">): string {
  const endpoint = cluster.discoveryEndpoints?.[0];
  if (!endpoint) throw new Error(`cluster ${cluster.name ?? ""} has no discovery endpoint yet (is it ACTIVE?)`);
  return `redis://${hostPort(endpoint.address, endpoint.port)}`;
}
