// How an instance looks on the wire, from its stored record. Shared by the api (GET) and the
// worker (the Instance an Operation returns). The auth secret never passes through here.
import { instanceName, READ_ENDPOINT_HOST } from "./names.js";

export interface InstanceRecord {
  projectId: string;
  locationId: string;
  instanceId: string;
  /** The stored desired spec: the Instance's input fields. */
  spec: Record<string, unknown>;
  state: string;
  statusMessage: string;
  host: string | null;
  port: number | null;
  createTime: Date;
  expireTime?: Date | null;
  nodes: NodeRecord[];
}

export interface NodeRecord {
  id: string;
  ordinal: number;
  zone: string;
  role: string;
  host: string;
  port: number;
  state?: string;
}

export function instanceView(record: InstanceRecord) {
  const nodes = [...record.nodes].sort((a, b) => a.ordinal - b.ordinal);
  const primary = nodes.find((n) => n.role === "PRIMARY") ?? nodes[0];
  const view: Record<string, unknown> = {
    name: instanceName(record.projectId, record.locationId, record.instanceId),
    ...record.spec,
    state: record.state,
    statusMessage: record.statusMessage || undefined,
    currentLocationId: primary?.zone ?? (record.spec.locationId as string | undefined),
    nodes: nodes.map((n) => ({
      id: n.id,
      zone: n.zone,
      role: n.role === "REPLICA" ? "REPLICA" : "PRIMARY",
      state: n.state ?? "READY",
      host: n.host,
      port: n.port,
    })),
    createTime: record.createTime.toISOString(),
    expireTime: record.expireTime?.toISOString(),
  };
  if (record.host) view.host = record.host;
  if (record.port) view.port = record.port;
  if (record.port && record.spec.readReplicasMode === "READ_REPLICAS_ENABLED") {
    view.readEndpoint = READ_ENDPOINT_HOST;
    view.readEndpointPort = record.port;
  }
  for (const key of Object.keys(view)) if (view[key] === undefined) delete view[key];
  return view;
}
