// The audit log's `filter`: a small AIP-160 subset, comparisons joined by AND, turned into a
// Prisma where clause. Text fields compare with = and !=; status and time also order.
//   operation = "createInstance" AND status >= 400
//   apiKey = "apiKeys/0123456789ab" AND time > "2026-12-01T00:00:00Z"
import type { Prisma } from "@cacheplane/db";
import { invalidArgument } from "../errors.js";

type Op = "=" | "!=" | "<" | "<=" | ">" | ">=";
const TEXT = {
  operation: "operation",
  method: "method",
  apiKey: "keyId",
  resource: "resource",
  requestId: "requestId",
  operationName: "operationName",
} as const;
const ORDERED = new Set(["status", "time"]);
const RANGE: Record<Exclude<Op, "=" | "!=">, "lt" | "lte" | "gt" | "gte"> = { "<": "lt", "<=": "lte", ">": "gt", ">=": "gte" };

const TERM = /^\s*([A-Za-z]+)\s*(<=|>=|!=|=|<|>)\s*("(?:[^"\\]|\\.)*"|[^\s"]+)\s*/;

const bad = (description: string) => invalidArgument("filter", description);

function comparedValue(field: string, raw: string): string | number | Date {
  const text = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
  if (field === "status") {
    if (!/^\d{3}$/.test(text)) throw bad(`status compares with an HTTP status such as 403 (got ${raw})`);
    return Number(text);
  }
  if (field === "time") {
    const time = new Date(text);
    if (Number.isNaN(time.getTime())) throw bad(`time compares with an RFC 3339 timestamp (got ${raw})`);
    return time;
  }
  return field === "apiKey" ? text.replace(/^apiKeys\//, "") : text;
}

function condition(field: string, op: Op, value: string | number | Date): Prisma.AuditLogWhereInput {
  const column = field in TEXT ? TEXT[field as keyof typeof TEXT] : field;
  if (op === "=") return { [column]: value };
  if (op === "!=") return { NOT: { [column]: value } };
  if (!ORDERED.has(field)) throw bad(`${field} compares only with = or !=`);
  return { [column]: { [RANGE[op]]: value } };
}

export function auditFilter(filter: string | undefined): Prisma.AuditLogWhereInput[] {
  if (!filter?.trim()) return [];
  const terms: Prisma.AuditLogWhereInput[] = [];
  let rest = filter;
  for (;;) {
    const m = TERM.exec(rest);
    if (!m) throw bad(`expected <field> <op> <value> at '${rest.trim().slice(0, 40)}'`);
    const [whole, field, op, raw] = m as unknown as [string, string, Op, string];
    if (!(field in TEXT) && !ORDERED.has(field)) throw bad(`unknown field ${field}; filter on ${[...Object.keys(TEXT), ...ORDERED].join(", ")}`);
    terms.push(condition(field, op, comparedValue(field, raw)));
    rest = rest.slice(whole.length);
    if (!rest) return terms;
    const and = /^AND\s+/.exec(rest);
    if (!and) throw bad(`expected AND at '${rest.slice(0, 40)}'`);
    rest = rest.slice(and[0].length);
  }
}
