// Automated backups: each pass, every settled deployment whose automatedBackupConfig is ENABLED
// and whose latest daily slot has no backup yet gets one, AUTOMATED, kept for its retention
// (the backup pass deletes it at its expireTime). The slot names the backup, so two workers or
// two passes never take the same slot twice. The clock is ctx.now, so tests cross days at once.
import { randomUUID } from "node:crypto";
import { automatedBackupId, backupShapeOf, clusterName, dueBackupSlot, instanceName, retentionMs, type StoredAutomatedBackupConfig } from "@cacheplane/core";
import { Prisma, requestBackup, SourceChangedError } from "@cacheplane/db";
import type { WorkerContext } from "../context.js";

export async function scheduleBackupsOnce(ctx: WorkerContext): Promise<number> {
  const now = ctx.now?.() ?? new Date();
  const rows = await ctx.prisma.instance.findMany({ where: { state: "READY", deleteRequested: false, dataJob: { equals: Prisma.DbNull } } });
  let requested = 0;
  for (const row of rows) {
    const spec = row.spec as Record<string, unknown>;
    const config = spec.automatedBackupConfig as StoredAutomatedBackupConfig | undefined;
    const slot = dueBackupSlot(config, row.createTime, now);
    if (!slot || row.observedGeneration < row.generation) continue;
    const backupId = automatedBackupId(slot);
    const taken = await ctx.prisma.backup.count({ where: { collectionUid: row.uid, backupId } });
    if (taken > 0) continue;
    const kind = row.kind === "CLUSTER" ? "CLUSTER" : "INSTANCE";
    try {
      await requestBackup(ctx.prisma, {
        source: {
          uid: row.uid,
          projectId: row.projectId,
          locationId: row.locationId,
          kind,
          name: (kind === "CLUSTER" ? clusterName : instanceName)(row.projectId, row.locationId, row.instanceId),
          generation: row.generation,
        },
        backupUid: randomUUID(),
        backupId,
        backupType: "AUTOMATED",
        expireTime: new Date(slot.getTime() + retentionMs(config!)),
        shape: backupShapeOf(kind, spec),
      });
    } catch (error) {
      // Changed meanwhile, or another worker took the slot: the next pass looks again.
      if (error instanceof SourceChangedError || (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) continue;
      throw error;
    }
    requested++;
    await ctx.queue.enqueue(row.uid);
  }
  return requested;
}
