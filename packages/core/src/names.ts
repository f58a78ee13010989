// Resource names (AIP-122) and the deterministic names of what the control plane creates.
import { randomBytes } from "node:crypto";

export const instanceName = (project: string, location: string, instance: string) =>
  `projects/${project}/locations/${location}/instances/${instance}`;

export const operationName = (project: string, location: string, operation: string) =>
  `projects/${project}/locations/${location}/operations/${operation}`;

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
 *  within an instance, and instances differ by port, so every node has a unique address. */
export const nodeAddress = (ordinal: number) => `127.0.2.${ordinal + 1}`;

/** Where every instance's read endpoint listens, at the instance's port (kernel redirects
 *  spread its connections over the replicas). */
export const READ_ENDPOINT_HOST = "127.0.3.1";
