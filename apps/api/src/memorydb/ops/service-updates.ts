// DescribeServiceUpdates and BatchUpdateCluster over the maintenance versions the operator released
// (shapes/service-update.ts). Applying one is the native self-service update (PATCH
// maintenanceVersion): a rolling restart of the cluster's nodes onto that build, from now rather
// than in the maintenance window.
import type { Cluster } from "@cacheplane/contracts";
import { z } from "zod";
import { fault, fromApiError, invalidParameterValue, MemoryDbFault } from "../faults.js";
import { locationKey } from "../names.js";
import { page } from "../paging.js";
import { MaxResults, Name, NextToken, operation, type MemoryDbCall, type MemoryDbServices, type OperationTable } from "../registry.js";
import { clusterIdOf, clusterShapes } from "../shapes/cluster.js";
import { SERVICE_UPDATE_STATUSES, serviceUpdatesOf } from "../shapes/service-update.js";

/** MemoryDB takes at most 20 clusters per call. */
const ClusterNames = z.array(Name).min(1).max(20);

export function serviceUpdatesOperations(services: MemoryDbServices): OperationTable {
  const { prisma, catalogue } = services.ctx;
  const clusterRows = (call: MemoryDbCall, names?: readonly string[]) =>
    prisma.instance.findMany({
      where: { projectId: call.project, locationId: call.region, kind: "CLUSTER", ...(names ? { instanceId: { in: names.map(clusterIdOf) } } : {}) },
      include: { nodes: true },
    });
  const releaseTimes = async () => (await catalogue.releasesNow()).times;

  return {
    DescribeServiceUpdates: operation(
      "read",
      z.object({
        ServiceUpdateName: Name.optional(),
        ClusterNames: ClusterNames.optional(),
        Status: z.array(z.enum(SERVICE_UPDATE_STATUSES)).max(4).optional(),
        MaxResults,
        NextToken,
      }),
      async (input, call) => {
        const releases = await releaseTimes();
        const updates = (await clusterRows(call, input.ClusterNames))
          .filter((row) => !row.deleteRequested)
          .flatMap((row) => {
            const spec = row.spec as { redisVersion: string; maintenanceVersion: string };
            return serviceUpdatesOf(
              {
                name: row.instanceId,
                ...spec,
                maintenanceSchedule: row.maintenanceSchedule,
                nodes: row.nodes,
                converged: row.state === "READY" && row.observedGeneration === row.generation,
              },
              releases,
              catalogue.engines,
            );
          })
          .filter((u) => input.ServiceUpdateName === undefined || u.ServiceUpdateName === input.ServiceUpdateName)
          .filter((u) => !input.Status?.length || input.Status.includes(u.Status));
        const { items, NextToken } = page(updates, (u) => `${u.ServiceUpdateName}/${u.ClusterName}`, input.MaxResults, input.NextToken);
        return { ServiceUpdates: items, ...(NextToken ? { NextToken } : {}) };
      },
    ),

    BatchUpdateCluster: operation(
      "write",
      z.object({ ClusterNames, ServiceUpdate: z.object({ ServiceUpdateNameToApply: Name.optional() }).optional() }),
      async (input, call) => {
        const version = input.ServiceUpdate?.ServiceUpdateNameToApply;
        if (version === undefined) throw invalidParameterValue("ServiceUpdate.ServiceUpdateNameToApply is required: name the service update to apply");
        if (!(await releaseTimes()).has(version)) throw fault("ServiceUpdateNotFoundFault", `Service update ${version} not found`);
        const rows = new Map((await clusterRows(call, input.ClusterNames)).map((row) => [row.instanceId, row]));
        const processed: string[] = [];
        const unprocessed: { ClusterName: string; ErrorType: string; ErrorMessage: string }[] = [];
        for (const name of new Set(input.ClusterNames)) {
          const row = rows.get(clusterIdOf(name));
          const refuse = (type: string, message: string) => unprocessed.push({ ClusterName: name, ErrorType: type, ErrorMessage: message });
          if (!row) {
            refuse("ClusterNotFoundFault", `Cluster ${name} not found`);
            continue;
          }
          const current = (row.spec as { maintenanceVersion: string }).maintenanceVersion;
          if (current >= version) {
            refuse("InvalidParameterValueException", `Cluster ${name} is on maintenance version ${current} already; ${version} is not newer`);
            continue;
          }
          try {
            await services.clusters.update({ ...locationKey(call), cluster: row.instanceId }, { maintenanceVersion: version } as Cluster, "maintenanceVersion");
            processed.push(row.instanceId);
          } catch (error) {
            const mapped = fromApiError(error, { notFound: "ClusterNotFoundFault", invalidState: "InvalidClusterStateFault" });
            if (!(mapped instanceof MemoryDbFault)) throw error;
            refuse(mapped.type, mapped.message);
          }
        }
        const updated = processed.length > 0 ? await clusterShapes(prisma, call.region, await clusterRows(call, processed)) : [];
        return { ProcessedClusters: updated, UnprocessedClusters: unprocessed };
      },
    ),
  };
}
