// Who is scraping: the metrics token and admin keys see every project, a per-project key only
// its own. Checked here rather than by plugins/auth.ts, which guards /v1 and knows no token.
import type { FastifyRequest } from "fastify";
import type { PrismaClient } from "@cacheplane/db";
import { hashesEqual, hashKey, roleOf, type KeyCache } from "../api-keys.js";
import { unauthenticated } from "../errors.js";

/** "all", or the project ids whose series the scraper may see. */
export type Scope = "all" | string[];

export interface ScrapeAuth {
  prisma: PrismaClient;
  /** The api's verified-key cache, so a revoke through this api is felt here at once too. */
  keys: KeyCache;
  /** CACHEPLANE_METRICS_TOKEN; only its hash is kept. */
  metricsToken?: string | undefined;
}

export function scrapeScope({ prisma, keys, metricsToken }: ScrapeAuth): (request: FastifyRequest) => Promise<Scope> {
  // Hashes of equal length compared with timingSafeEqual: the time taken says nothing of the token.
  const tokenHash = metricsToken ? hashKey(metricsToken) : undefined;
  return async (request) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S{1,200})$/i.exec(header) : null;
    if (!match) throw unauthenticated("missing or malformed Authorization: Bearer <api key or metrics token> header");
    const hash = hashKey(match[1]!);
    if (tokenHash && hashesEqual(hash, tokenHash)) return "all";
    let principal = keys.get(hash);
    if (!principal) {
      const key = await prisma.apiKey.findUnique({ where: { hash } });
      if (!key || key.revokeTime) throw unauthenticated("invalid API key or metrics token");
      principal = { keyId: key.id, projects: key.projects, role: roleOf(key.role) };
      keys.set(hash, principal);
    }
    // Every role reads, and a scrape only reads: a viewer key is enough.
    return principal.role === "admin" || principal.projects.includes("*") ? "all" : principal.projects;
  };
}
