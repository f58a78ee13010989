// What happened to an instance or cluster, newest first, paged by event id.
import type { PrismaClient } from "@cacheplane/db";
import { decodePageToken, pageOf, pageSizeOf } from "../paging.js";

export async function listEvents(prisma: PrismaClient, instanceUid: string, pageSize?: number, pageToken?: string) {
  const size = pageSizeOf(pageSize);
  const before = decodePageToken(pageToken, ["before"] as const);
  const rows = await prisma.event.findMany({
    where: { instanceUid, ...(before ? { id: { lt: BigInt(before.before) } } : {}) },
    orderBy: { id: "desc" },
    take: size + 1,
  });
  const { page, nextPageToken } = pageOf(rows, size, (last) => ({ before: String(last.id) }));
  return { events: page.map((e) => ({ time: e.time.toISOString(), type: e.type, message: e.message })), ...(nextPageToken ? { nextPageToken } : {}) };
}
