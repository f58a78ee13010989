// Bearer API keys, checked on every /v1 request. A key sees only its projects: a request for
// another project is PERMISSION_DENIED before any lookup, so it can learn nothing.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { PrismaClient } from "@cacheplane/db";
import { hashKey, type KeyCache } from "../api-keys.js";
import { permissionDenied, unauthenticated } from "../errors.js";

export interface Principal {
  keyId: string;
  projects: string[];
}

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function canAccess(principal: Principal, project: string) {
  return principal.projects.includes("*") || principal.projects.includes(project);
}

export function installAuth(app: FastifyInstance, prisma: PrismaClient, cache: KeyCache) {
  app.addHook("onRequest", async (request: FastifyRequest) => {
    if (!request.url.startsWith("/v1/")) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S{1,200})$/i.exec(header) : null;
    if (!match) throw unauthenticated("missing or malformed Authorization: Bearer <api key> header");
    const hash = hashKey(match[1]!);
    const cached = cache.get(hash);
    if (cached) {
      request.principal = cached;
      return;
    }
    const key = await prisma.apiKey.findUnique({ where: { hash } });
    if (!key || key.revokeTime) throw unauthenticated("invalid API key");
    request.principal = { keyId: key.id, projects: key.projects };
    cache.set(hash, request.principal);
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
