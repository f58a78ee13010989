// `:upgrade` (Memorystore's UpgradeInstance): a new redisVersion in the desired spec, at that
// engine's newest released maintenance version, and a new generation; the worker rolls it out
// node by node (replicas first, then a switchover). Clusters upgrade through PATCH redisVersion,
// as Memorystore for Redis Cluster has no upgrade method. Nothing here touches a node.
import { instanceName, latestReleased } from "@cacheplane/core";
import type { ServiceContext } from "../context.js";
import { failedPrecondition } from "../errors.js";
import { findDeployment } from "./deployments.js";
import { refuseDuringDataWork } from "./engine-guard.js";
import type { StoredSpec } from "./instance-spec.js";
import { checkUpgrade } from "./maintenance-spec.js";
import { mutation, openOperation, updateSpec } from "./mutations.js";
import { operationView } from "./operation-view.js";

interface InstanceKey {
  project: string;
  location: string;
  instance: string;
}

export function createUpgradeService(ctx: ServiceContext) {
  const { prisma, catalogue } = ctx;

  return {
    async upgrade(key: InstanceKey, redisVersion: string, requestId?: string) {
      const target = instanceName(key.project, key.location, key.instance);
      // Retried on a concurrent change: the upgrade applies to the spec it checked.
      return mutation(prisma, key.project, requestId, async () => {
        const row = await findDeployment(prisma, ctx.locations, "INSTANCE", { project: key.project, location: key.location, id: key.instance });
        if (row.deleteRequested) throw failedPrecondition(`instance ${key.instance} is being deleted`);
        const current = row.spec as unknown as StoredSpec;
        checkUpgrade(catalogue, current.redisVersion, redisVersion, `instance ${key.instance}`);
        await refuseDuringDataWork(prisma, row);
        const maintenanceVersion = latestReleased(catalogue.engines, redisVersion, (await catalogue.releasesNow()).versions)!;
        const spec: StoredSpec = { ...current, redisVersion: redisVersion as StoredSpec["redisVersion"], maintenanceVersion };
        const detail = `Upgrading to ${redisVersion} (${maintenanceVersion})`;
        const op = await updateSpec(prisma, {
          row,
          spec,
          fields: ["redisVersion"],
          // A maintenance scheduled for the old engine no longer applies.
          clearSchedule: true,
          detail,
          event: { type: "UPGRADE_REQUESTED", message: `Upgrade requested: ${current.redisVersion} to ${redisVersion} (${maintenanceVersion})` },
          open: (tx, statusDetail) =>
            openOperation(tx, {
              project: key.project,
              location: key.location,
              target,
              instanceUid: row.uid,
              verb: "upgrade",
              targetGeneration: row.generation + 1,
              requestId,
              statusDetail,
            }),
        });
        await ctx.enqueueReconcile(row.uid);
        return operationView(op);
      });
    },
  };
}
export type UpgradeService = ReturnType<typeof createUpgradeService>;
