import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/client/index.js";

/** How long opening a connection may take: a database that is down or unreachable (a packet
 *  black hole, not only a refused port) fails the request within this bound instead of hanging. */
export const CONNECT_TIMEOUT_MS = 5_000;

export interface CreatePrismaOptions {
  /** Size of the pg pool behind the adapter (pg's default is 10). */
  maxConnections?: number;
}

/**
 * A Prisma Client that queries through @prisma/adapter-pg: the generated client uses the
 * Wasm query compiler (engineType "client"), so no native engine is loaded or downloaded.
 */
export function createPrisma(databaseUrl: string, options: CreatePrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.maxConnections, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  return new PrismaClient({ adapter });
}
