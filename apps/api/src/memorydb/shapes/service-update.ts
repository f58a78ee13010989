// MemoryDB's service updates are cacheplane's maintenance versions: each version the operator
// released (a MaintenanceRelease row) that has a build of a cluster's engine version is one
// ServiceUpdate of that cluster, named by the version (20261201_00_00). Its status is read from
// the cluster: `available` while the cluster is on an older version, `scheduled` once the worker
// has put it in the cluster's maintenance window (AutoUpdateStartDate, when it will start),
// `in-progress` while the cluster's nodes roll onto it, `complete` once every node runs it (or a
// newer one) and the cluster has converged: a node's build is recorded before it starts on it, so
// until then the last one may still be starting. Pure, so the mapping is tested without a cluster.
import { findEngine, scheduledMaintenance, type EngineEntry } from "@cacheplane/core";
import type { RedisVersion } from "@cacheplane/contracts";
import type { z } from "zod";
import { awsTime, engineOf } from "../names.js";

export const SERVICE_UPDATE_STATUSES = ["available", "in-progress", "complete", "scheduled"] as const;
export type ServiceUpdateStatus = (typeof SERVICE_UPDATE_STATUSES)[number];

export interface ServiceUpdateCluster {
  name: string;
  redisVersion: string;
  maintenanceVersion: string;
  /** Instance.maintenanceSchedule as stored. */
  maintenanceSchedule: unknown;
  /** The version each node was last started on (null: the cluster's own, from before upgrades). */
  nodes: readonly { maintenanceVersion: string | null }[];
  /** READY at its current generation: the worker has nothing left to do on it. */
  converged: boolean;
}

export function serviceUpdatesOf(cluster: ServiceUpdateCluster, releases: ReadonlyMap<string, Date>, catalogue: readonly EngineEntry[]) {
  const { engine, version } = engineOf(cluster.redisVersion as z.infer<typeof RedisVersion>);
  const schedule = scheduledMaintenance(cluster.maintenanceSchedule);
  const total = cluster.nodes.length;
  return [...releases]
    .filter(([v]) => findEngine(catalogue, cluster.redisVersion, v) !== undefined)
    .map(([v, releaseTime]) => {
      // Maintenance versions are date-shaped, so newer sorts later.
      const onIt = cluster.nodes.filter((n) => (n.maintenanceVersion ?? cluster.maintenanceVersion) >= v).length;
      const scheduled = schedule?.maintenanceVersion === v ? schedule : undefined;
      let status: ServiceUpdateStatus;
      if (cluster.maintenanceVersion < v) status = scheduled ? "scheduled" : "available";
      else status = onIt < total || !cluster.converged ? "in-progress" : "complete";
      return {
        ClusterName: cluster.name,
        ServiceUpdateName: v,
        ReleaseDate: awsTime(releaseTime),
        Description: `Maintenance version ${v} of ${engine} ${version}: the engine build the nodes restart on, one at a time, replicas before their primary`,
        Status: status,
        Type: "security-update",
        Engine: engine,
        NodesUpdated: `${onIt}/${total}`,
        ...(scheduled ? { AutoUpdateStartDate: awsTime(scheduled.startTime) } : {}),
      };
    });
}
export type MemoryDbServiceUpdate = ReturnType<typeof serviceUpdatesOf>[number];
