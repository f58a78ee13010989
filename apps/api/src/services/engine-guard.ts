// An engine change (an upgrade, a new maintenance version) restarts every node in turn, so it is
// refused while a backup, import or export of the resource is in flight, as a backup is refused
// during one. A backup or data job asked for after this check moves the generation, so the
// change's own generation check catches that race.
import type { PrismaClient } from "@cacheplane/db";
import { failedPrecondition } from "../errors.js";

export const DATA_WORK_IN_PROGRESS = "a backup, import or export of this resource is in progress; retry the change when it is done";

export async function refuseDuringDataWork(prisma: PrismaClient, row: { uid: string; dataJob: unknown }) {
  if (row.dataJob !== null && row.dataJob !== undefined) throw failedPrecondition(DATA_WORK_IN_PROGRESS);
  const backups = await prisma.backup.count({ where: { collectionUid: row.uid, state: "CREATING" } });
  if (backups > 0) throw failedPrecondition(DATA_WORK_IN_PROGRESS);
}
