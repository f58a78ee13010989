// Managing API keys: only an admin key may do it (the routes declare access admin; the check
// here keeps the service safe on its own). An admin key is for every project by definition.
import type { ApiKeyRole } from "@cacheplane/contracts";
import type { ApiKey as ApiKeyRow, PrismaClient } from "@cacheplane/db";
import { generateKey, hashKey, roleOf } from "../api-keys.js";
import type { AwsCredentialStore } from "../memorydb/credentials.js";
import { canAccess } from "../plugins/auth.js";
import { failedPrecondition, invalidArgument, notFound, permissionDenied } from "../errors.js";
import { decodePageToken, pageOf, pageSizeOf } from "../paging.js";
import type { Principal } from "../plugins/auth.js";

const view = (row: ApiKeyRow) => ({
  name: `apiKeys/${row.id}`,
  displayName: row.name,
  projects: row.projects,
  role: roleOf(row.role),
  createTime: row.createTime.toISOString(),
  ...(row.revokeTime ? { revokeTime: row.revokeTime.toISOString() } : {}),
});

function requireAdmin(principal: Principal | undefined) {
  if (principal?.role !== "admin") throw permissionDenied("managing API keys needs an admin key");
}

/** Where a key's AWS credentials act unless told: its first project, or "default" for a '*' key. */
const defaultProjectOf = (projects: string[]) => projects.find((p) => p !== "*") ?? "default";

/** `cache` is every cache of verified keys: cleared when a key is revoked, so it stops at once. */
export function createApiKeyService(prisma: PrismaClient, cache: { clear(): void }, aws: AwsCredentialStore) {
  return {
    async create(principal: Principal | undefined, body: { displayName: string; projects: string[]; role?: ApiKeyRole | undefined }) {
      requireAdmin(principal);
      const role = body.role ?? "editor";
      const projects = [...new Set(body.projects)];
      if (role === "admin" && (projects.length !== 1 || projects[0] !== "*")) {
        throw invalidArgument("projects", 'an admin key acts on every project: give ["*"], or a role editor or viewer for these projects');
      }
      const { id, key } = generateKey();
      const row = await prisma.apiKey.create({ data: { id, name: body.displayName, hash: hashKey(key), projects, role } });
      return { ...view(row), keyString: key, awsCredentials: await aws.issue(row.id, defaultProjectOf(projects)) };
    },

    async list(principal: Principal | undefined, pageSize?: number, pageToken?: string) {
      requireAdmin(principal);
      const size = pageSizeOf(pageSize);
      const after = decodePageToken(pageToken, ["after"] as const);
      const rows = await prisma.apiKey.findMany({
        where: after ? { id: { gt: after.after } } : {},
        orderBy: { id: "asc" },
        take: size + 1,
      });
      const { page, nextPageToken } = pageOf(rows, size, (last) => ({ after: last.id }));
      return { apiKeys: page.map(view), ...(nextPageToken ? { nextPageToken } : {}) };
    },

    async get(principal: Principal | undefined, id: string) {
      requireAdmin(principal);
      const row = await prisma.apiKey.findUnique({ where: { id } });
      if (!row) throw notFound(`apiKeys/${id}`);
      return view(row);
    },

    /** New AWS-style credentials for a key (keys made before the MemoryDB API have none); the old
     *  ones stop working at once. */
    async issueAwsCredentials(principal: Principal | undefined, id: string, project: string | undefined) {
      requireAdmin(principal);
      const row = await prisma.apiKey.findUnique({ where: { id } });
      if (!row) throw notFound(`apiKeys/${id}`);
      if (row.revokeTime) throw failedPrecondition(`apiKeys/${id} is revoked`);
      const target = project ?? defaultProjectOf(row.projects);
      if (!canAccess({ keyId: row.id, projects: row.projects, role: roleOf(row.role) }, target)) {
        throw invalidArgument("project", `the key may not access project ${target}; its projects are ${row.projects.join(", ")}`);
      }
      return aws.issue(row.id, target);
    },

    /** Revoked keys stop working at once; the record stays for audit. */
    async revoke(principal: Principal | undefined, id: string) {
      requireAdmin(principal);
      if (principal?.keyId === id) throw failedPrecondition("a key cannot revoke itself; use another admin key");
      const row = await prisma.apiKey.findUnique({ where: { id } });
      if (!row) throw notFound(`apiKeys/${id}`);
      const revoked = row.revokeTime ? row : await prisma.apiKey.update({ where: { id }, data: { revokeTime: new Date() } });
      cache.clear();
      return view(revoked);
    },
  };
}
export type ApiKeyService = ReturnType<typeof createApiKeyService>;
