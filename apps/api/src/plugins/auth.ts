// Bearer API keys, checked on every /v1 request. Two checks run before any handler, so a
// refused request learns nothing (a viewer deleting a missing instance hears 403, not 404):
// the key's role must grant what the route needs (plugins/access.ts), and the key must hold the
// project the request names.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { PrismaClient } from "@cacheplane/db";
import { hashKey, roleOf, type KeyCache, type Principal } from "../api-keys.js";
import { permissionDenied, unauthenticated } from "../errors.js";
import { accessOf, grants, refusal } from "./access.js";

export type { Principal } from "../api-keys.js";

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function canAccess(principal: Principal, project: string) {
  return principal.role === "admin" || principal.projects.includes("*") || principal.projects.includes(project);
}

async function authenticate(request: FastifyRequest, prisma: PrismaClient, cache: KeyCache): Promise<Principal> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S{1,200})$/i.exec(header) : null;
  if (!match) throw unauthenticated("missing or malformed Authorization: Bearer <api key> header");
  const hash = hashKey(match[1]!);
  const cached = cache.get(hash);
  if (cached) return cached;
  const key = await prisma.apiKey.findUnique({ where: { hash } });
  if (!key || key.revokeTime) throw unauthenticated("invalid API key");
  const principal: Principal = { keyId: key.id, projects: key.projects, role: roleOf(key.role) };
  cache.set(hash, principal);
  return principal;
}

export function installAuth(app: FastifyInstance, prisma: PrismaClient, cache: KeyCache) {
  // The role check needs only the route, so it runs here, before the body is even parsed.
  app.addHook("onRequest", async (request: FastifyRequest) => {
    if (!request.url.startsWith("/v1/")) return;
    const principal = await authenticate(request, prisma, cache);
    request.principal = principal;
    // No such route: the not-found handler answers and nothing is looked up.
    if (request.is404) return;
    const access = accessOf(request);
    if (!grants(principal.role, access)) throw permissionDenied(refusal(principal.role, access, request.routeOptions.schema?.operationId));
  });

  // Runs after the params are validated, so the project id is well formed.
  app.addHook("preHandler", async (request: FastifyRequest) => {
    const project = (request.params as { project?: string } | undefined)?.project;
    if (!request.principal || project === undefined) return;
    if (!canAccess(request.principal, project)) {
      throw permissionDenied(`the API key may not access project ${project}`);
    }
  });
}
