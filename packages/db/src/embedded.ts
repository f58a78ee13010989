import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedPostgresOptions {
  /** Where PGlite keeps its files; reopened on the next start. */
  dataDir: string;
  /** 0 (default) lets the OS pick a free port. */
  port?: number;
  /** Loopback by default: the embedded database is never exposed. */
  host?: string;
  /** Concurrent client connections (Prisma pool + migration runner + tools). Default 32. */
  maxConnections?: number;
}

export interface EmbeddedPostgres {
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Postgres for the all-in-one mode: PGlite (Postgres in Wasm, persisted in dataDir) served
 * over the wire protocol, so Prisma, the migration runner and psql use it like any server.
 *
 * PGlite runs on this process's event loop: never block it (no execSync/spawnSync here),
 * or clients of the socket, including this process's own Prisma, deadlock.
 * Disconnect clients before stop(): stop() closes their sockets.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const host = options.host ?? "127.0.0.1";
  // A fixed port that is taken fails now, not after PGlite's initdb (~8 s on a new dataDir).
  if (options.port) await assertPortFree(host, options.port);
  await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({
    db,
    host,
    port: options.port ?? 0,
    // The server's default is 1, which a pg pool exceeds at once.
    maxConnections: options.maxConnections ?? 32,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  // After start() the server reports the port the OS picked.
  const port = Number(server.getServerConn().split(":").pop());
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let stopped: Promise<void> | undefined;
  return {
    // PGlite has one user and one database, both "postgres", and accepts any credentials.
    url: `postgresql://postgres:postgres@${urlHost}:${port}/postgres`,
    host,
    port,
    stop: () =>
      (stopped ??= (async () => {
        await server.stop();
        await db.close();
      })()),
  };
}

function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
