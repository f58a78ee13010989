// One page of instances or clusters (they share a table, told apart by kind), ordered by id,
// with AIP-158 opaque page tokens.
import type { Instance, Node, PrismaClient } from "@cacheplane/db";
import { decodePageToken, pageOf, pageSizeOf } from "../paging.js";

export async function listPage(
  prisma: PrismaClient,
  where: { projectId: string; locationId: string; kind: "INSTANCE" | "CLUSTER" },
  pageSize?: number,
  pageToken?: string,
): Promise<{ page: (Omit<Instance, "spec"> & { nodes: Node[]; spec: Record<string, unknown> })[]; nextPageToken?: string }> {
  const size = pageSizeOf(pageSize);
  const after = decodePageToken(pageToken, ["after"] as const);
  const rows = await prisma.instance.findMany({
    where: { ...where, ...(after ? { instanceId: { gt: after.after } } : {}) },
    orderBy: { instanceId: "asc" },
    include: { nodes: true },
    take: size + 1,
  });
  const { page, nextPageToken } = pageOf(rows, size, (last) => ({ after: last.instanceId }));
  return { page: page.map((row) => ({ ...row, spec: row.spec as Record<string, unknown> })), ...(nextPageToken ? { nextPageToken } : {}) };
}
