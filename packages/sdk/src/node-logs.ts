// A data node's own log lines (cacheplane addition: GET …/nodes/{node}/logs), secrets redacted by
// the control plane: `client.instances.logs(id, instance.nodes[0].id, { tail: 50 })`.
import type { components } from "./generated/openapi.js";
import { dataOf, type ApiClient } from "./http.js";

/** `{ node, lines }`: the node's newest lines, oldest first. */
export type NodeLogs = components["schemas"]["NodeLogs"];

export interface NodeLogsOptions {
  /** How many of the newest lines (default 100, at most 10000). */
  tail?: number;
  signal?: AbortSignal;
}

const INSTANCE = "/v1/projects/{project}/locations/{location}/instances/{instance}/nodes/{node}/logs" as const;
const CLUSTER = "/v1/projects/{project}/locations/{location}/clusters/{cluster}/nodes/{node}/logs" as const;

const queryOf = (opts: NodeLogsOptions) => (opts.tail !== undefined ? { tail: opts.tail } : {});

export async function instanceNodeLogs(
  api: ApiClient,
  path: { project: string; location: string; instance: string },
  node: string,
  opts: NodeLogsOptions = {},
): Promise<NodeLogs> {
  return dataOf(await api.GET(INSTANCE, { params: { path: { ...path, node }, query: queryOf(opts) }, signal: opts.signal }));
}

export async function clusterNodeLogs(
  api: ApiClient,
  path: { project: string; location: string; cluster: string },
  node: string,
  opts: NodeLogsOptions = {},
): Promise<NodeLogs> {
  return dataOf(await api.GET(CLUSTER, { params: { path: { ...path, node }, query: queryOf(opts) }, signal: opts.signal }));
}
