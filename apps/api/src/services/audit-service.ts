// Reading a project's audit log, newest first, in pages (AIP-158 tokens hold the last row's
// time and id). Rows are mapped to the wire type field by field: nothing else leaves the table.
import type { AuditLog, PrismaClient } from "@cacheplane/db";
import { invalidArgument } from "../errors.js";
import { decodePageToken, pageOf, pageSizeOf } from "../paging.js";
import { auditFilter } from "./audit-filter.js";
import type { AuditWriter } from "./audit-writer.js";

const view = (row: AuditLog) => ({
  time: row.time.toISOString(),
  apiKey: `apiKeys/${row.keyId}`,
  method: row.method,
  operation: row.operation,
  resource: row.resource,
  ...(row.requestId ? { requestId: row.requestId } : {}),
  status: row.status,
  ...(row.operationName ? { operationName: row.operationName } : {}),
});

function positionOf(token: string | undefined) {
  const at = decodePageToken(token, ["time", "id"] as const);
  if (!at) return undefined;
  const time = new Date(at.time);
  if (!/^\d{1,19}$/.test(at.id) || Number.isNaN(time.getTime())) throw invalidArgument("pageToken", "is not a token this API issued");
  return { time, id: BigInt(at.id) };
}

export function createAuditService(prisma: PrismaClient, writer: AuditWriter) {
  return {
    async list(project: string, query: { pageSize?: number; pageToken?: string; filter?: string }) {
      const size = pageSizeOf(query.pageSize);
      const before = positionOf(query.pageToken);
      const where = [
        { projectId: project },
        ...auditFilter(query.filter),
        ...(before ? [{ OR: [{ time: { lt: before.time } }, { time: before.time, id: { lt: before.id } }] }] : []),
      ];
      // This api's own recent requests are read back at once, not a batch delay later.
      await writer.flush();
      const rows = await prisma.auditLog.findMany({ where: { AND: where }, orderBy: [{ time: "desc" }, { id: "desc" }], take: size + 1 });
      const { page, nextPageToken } = pageOf(rows, size, (last) => ({ time: last.time.toISOString(), id: last.id.toString() }));
      return { auditLogs: page.map(view), ...(nextPageToken ? { nextPageToken } : {}) };
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
