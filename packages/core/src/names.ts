// Resource names (AIP-122) and the deterministic names of what the control plane creates.
import { createHash, randomBytes } from "node:crypto";

export const instanceName = (project: string, location: string, instance: string) => `projects/${project}/locations/${location}/instances/${instance}`;

export const operationName = (project: string, location: string, operation: string) => `projects/${project}/locations/${location}/operations/${operation}`;

export const locationName = (project: string, location: string) => `projects/${project}/locations/${location}`;

/** A node's id is derived, never random: a step retried after a crash finds the node it made. */
export const nodeId = (instanceUid: string, ordinal: number) => `${instanceUid}-${ordinal}`;

export const parseNodeId = (id: string): { instanceUid: string; ordinal: number } | undefined => {
  const match = /^(.+)-(\d+)$/.exec(id);
  return match ? { instanceUid: match[1]!, ordinal: Number(match[2]) } : undefined;
};

/** Operation ids sort by creation time, as Google's do ("operation-<ms>-<random>"). */
export const newOperationId = () => `operation-${Date.now()}-${randomBytes(8).toString("hex")}`;

/** Each node's own loopback address (as a cloud gives each VM one): node addresses differ
 *  within an instance, and instances differ by port, so every node has a unique address.
 *  Ordinals 0-253 are 127.0.2.1-254 (every instance's nodes); a large cluster continues in
 *  127.0.4.x, 127.0.5.x, ... (127.0.3.x is the read endpoint's). */
export function nodeAddress(ordinal: number): string {
  const block = Math.floor(ordinal / 254);
  return `127.0.${block === 0 ? 2 : block + 3}.${(ordinal % 254) + 1}`;
}

/** Where every instance's read endpoint listens, at the instance's port (kernel redirects
 *  spread its connections over the replicas). */
export const READ_ENDPOINT_HOST = "127.0.3.1";

/** The Redis Cluster node id (40 hex digits) of a node, derived from its node id: seeded into
 *  the node's nodes.conf before its first start, so the control plane knows every node's
 *  cluster identity without asking it (and a step retried after a crash finds the same one). */
export const clusterNodeId = (id: string) => createHash("sha1").update(`cacheplane-cluster-node:${id}`).digest("hex");
