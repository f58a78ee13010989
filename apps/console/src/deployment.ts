// Instances and clusters share one view model, as they share one model in the control plane: a
// deployment is shards of a primary and its replicas (an instance is one shard). The views draw
// this, so the list, the topology and the connection strings have one code path for both.
import { clusterRedisUrl, redisUrl, type CacheplaneClient, type Cluster, type Instance, type NodeInfo } from "@cacheplane/sdk";
import type { Kind } from "./router.js";

export interface Deployment {
  kind: Kind;
  id: string;
  name: string;
  state: string;
  statusMessage?: string;
  /** "STANDARD_HA · 2 replicas" or "3 shards × 1 replica". */
  shape: string;
  memory: string;
  endpoint?: { host: string; port: number };
  readEndpoint?: { host: string; port: number };
  authEnabled: boolean;
  tls: boolean;
  shards: { id: string; nodes: NodeInfo[] }[];
  instance?: Instance;
  cluster?: Cluster;
}

const idOf = (name = "") => name.slice(name.lastIndexOf("/") + 1);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function fromInstance(i: Instance): Deployment {
  return {
    kind: "instance",
    id: idOf(i.name),
    name: i.name ?? "",
    state: i.state ?? "STATE_UNSPECIFIED",
    ...(i.statusMessage ? { statusMessage: i.statusMessage } : {}),
    shape: i.tier === "STANDARD_HA" ? `STANDARD_HA · ${plural(i.replicaCount ?? 0, "replica")}` : (i.tier ?? "BASIC"),
    memory: `${i.memorySizeGb ?? "?"} GB`,
    ...(i.host && i.port ? { endpoint: { host: i.host, port: i.port } } : {}),
    ...(i.readEndpoint && i.readEndpointPort ? { readEndpoint: { host: i.readEndpoint, port: i.readEndpointPort } } : {}),
    authEnabled: i.authEnabled === true,
    tls: i.transitEncryptionMode === "SERVER_AUTHENTICATION",
    shards: [{ id: "0001", nodes: i.nodes ?? [] }],
    instance: i,
  };
}

export function fromCluster(c: Cluster): Deployment {
  const endpoint = c.discoveryEndpoints?.[0];
  return {
    kind: "cluster",
    id: idOf(c.name),
    name: c.name ?? "",
    state: c.state ?? "STATE_UNSPECIFIED",
    ...(c.statusMessage ? { statusMessage: c.statusMessage } : {}),
    shape: `${plural(c.shardCount ?? 0, "shard")} × ${plural(c.replicaCount ?? 0, "replica")}`,
    memory: `${c.sizeGb ?? "?"} GB · ${c.nodeType ?? "REDIS_HIGHMEM_MEDIUM"}`,
    ...(endpoint ? { endpoint: { host: endpoint.address, port: endpoint.port } } : {}),
    authEnabled: false,
    tls: c.transitEncryptionMode === "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION",
    shards: (c.shards ?? []).map((s) => ({ id: s.id, nodes: s.nodes })),
    cluster: c,
  };
}

export async function loadDeployment(client: CacheplaneClient, kind: Kind, id: string): Promise<Deployment> {
  return kind === "instance" ? fromInstance(await client.instances.get(id)) : fromCluster(await client.clusters.get(id));
}

/** Settled states: no Operation of the control plane's own is changing the deployment. */
export const isSettled = (d: Deployment) => d.state === "READY" || d.state === "ACTIVE";

/** A word for a shell: as it is when that is safe, else in single quotes. */
const shellWord = (s: string) => (/^[\w.@%+=:,/-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

/** `redis-cli …` and `redis://…` for the endpoint; with the AUTH string once the user showed it. */
export function connectionStrings(d: Deployment, endpoint: { host: string; port: number }, authString?: string) {
  const tls = d.tls ? " --tls" : "";
  if (d.kind === "cluster") {
    return {
      cli: `redis-cli -c -h ${endpoint.host} -p ${endpoint.port}${tls}`,
      url: clusterRedisUrl({ discoveryEndpoints: [{ address: endpoint.host, port: endpoint.port }] }),
    };
  }
  return {
    cli: `redis-cli -h ${endpoint.host} -p ${endpoint.port}${tls}${authString ? ` -a ${shellWord(authString)}` : ""}`,
    url: redisUrl({ host: endpoint.host, port: endpoint.port }, authString),
  };
}
