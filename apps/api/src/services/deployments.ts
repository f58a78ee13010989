// Finding an instance or a cluster (rows of one table, told apart by kind) for the methods both
// have, and how each is named and typed on the wire.
import { clusterName, clusterView, instanceName, instanceView } from "@cacheplane/core";
import type { Instance, Node, PrismaClient } from "@cacheplane/db";
import type { LocationConfig } from "../context.js";
import { notFound } from "../errors.js";
import type { Tx } from "./mutations.js";

export type DeploymentKind = "INSTANCE" | "CLUSTER";

export interface DeploymentKey {
  project: string;
  location: string;
  id: string;
}

export const INSTANCE_TYPE = "type.googleapis.com/google.cloud.redis.v1.Instance";
export const CLUSTER_TYPE = "type.googleapis.com/google.cloud.redis.cluster.v1.Cluster";

export const deploymentName = (kind: DeploymentKind, key: DeploymentKey) =>
  (kind === "CLUSTER" ? clusterName : instanceName)(key.project, key.location, key.id);

export async function findDeployment(
  db: PrismaClient | Tx,
  locations: LocationConfig,
  kind: DeploymentKind,
  key: DeploymentKey,
): Promise<Instance & { nodes: Node[] }> {
  if (key.location !== locations.location) throw notFound(`location ${key.location}`);
  const row = await db.instance.findUnique({
    where: { projectId_locationId_kind_instanceId: { projectId: key.project, locationId: key.location, kind, instanceId: key.id } },
    include: { nodes: true },
  });
  if (!row) throw notFound(`${kind === "CLUSTER" ? "cluster" : "instance"} ${deploymentName(kind, key)}`);
  return row;
}
export type DeploymentRow = Awaited<ReturnType<typeof findDeployment>>;

/** The resource as the wire shows it, from its row (without availableMaintenanceVersions). */
export function deploymentView(kind: DeploymentKind, row: DeploymentRow) {
  const record = { ...row, spec: row.spec as Record<string, unknown> };
  return kind === "CLUSTER" ? clusterView(record) : instanceView(record);
}
