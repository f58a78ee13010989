// The backup a deployment's reconcile is to take: the oldest one still CREATING.
import type { PendingBackup } from "@cacheplane/core";
import type { WorkerContext } from "../context.js";
import { filesOf } from "./take-backup.js";

export async function pendingBackup(ctx: WorkerContext, sourceUid: string): Promise<PendingBackup | undefined> {
  const backup = await ctx.prisma.backup.findFirst({ where: { collectionUid: sourceUid, state: "CREATING" }, orderBy: { createTime: "asc" } });
  return backup ? { uid: backup.uid, doneShards: filesOf(backup).map((f) => f.shard) } : undefined;
}
