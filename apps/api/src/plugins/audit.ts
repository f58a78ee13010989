// Every request that changes something in a project (any access but read: writes, admin
// methods, and reads of a secret such as an AUTH string) leaves an audit row once it is answered,
// whatever the answer: refusals are exactly what an audit is for. A row holds ids and the
// outcome, never the body, the key or the response; the requestId is the one value read from the
// request, and only when it has the shape of one. Requests with no valid key, or that name no
// project (/v1/apiKeys, /v1/maintenanceVersions), are not recorded here.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { PROJECT_ID, RequestId } from "@cacheplane/contracts";
import type { AuditEntry, AuditWriter } from "../services/audit-writer.js";
import { accessOf } from "./access.js";

const OPERATION_NAME = /^projects\/[^/]+\/locations\/[^/]+\/operations\/operation-[a-z0-9-]+$/;

const isAudited = (request: FastifyRequest) => request.principal !== undefined && !request.is404 && accessOf(request) !== "read";

function requestIdOf(request: FastifyRequest): string | undefined {
  for (const source of [request.query, request.body]) {
    const value = source && typeof source === "object" ? (source as { requestId?: unknown }).requestId : undefined;
    const parsed = RequestId.safeParse(value);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

function entryOf(request: FastifyRequest, status: number, operationName: string | undefined): AuditEntry | undefined {
  const project = (request.params as { project?: unknown } | undefined)?.project;
  if (typeof project !== "string" || !PROJECT_ID.test(project)) return undefined;
  const requestId = requestIdOf(request);
  return {
    projectId: project,
    time: new Date(),
    keyId: request.principal!.keyId,
    method: request.method,
    operation: request.routeOptions.schema?.operationId ?? `${request.method} ${request.routeOptions.url}`,
    resource: request.url.split("?")[0]!.slice(0, 512),
    ...(requestId ? { requestId } : {}),
    status,
    ...(operationName ? { operationName } : {}),
  };
}

export function installAudit(app: FastifyInstance, writer: AuditWriter) {
  const operationNames = new WeakMap<FastifyRequest, string>();

  // The Operation a mutation answered with, taken from the payload before it is serialized.
  app.addHook("preSerialization", async (request: FastifyRequest, _reply, payload: unknown) => {
    if (!isAudited(request) || !payload || typeof payload !== "object") return payload;
    const { name, done } = payload as { name?: unknown; done?: unknown };
    if (typeof name === "string" && typeof done === "boolean" && OPERATION_NAME.test(name)) operationNames.set(request, name);
    return payload;
  });

  app.addHook("onResponse", async (request, reply) => {
    if (!isAudited(request)) return;
    const entry = entryOf(request, reply.statusCode, operationNames.get(request));
    if (entry) writer.record(entry);
  });

  app.addHook("onClose", async () => writer.flush());
}
