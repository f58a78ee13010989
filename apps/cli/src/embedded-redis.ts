// The queue's Redis when REDIS_URL is not given: a private redis-server in the data dir, with
// an append-only file so queued work survives a restart. It is reused across restarts of
// `cacheplane up` (found by its port file, and recognised as ours by its working dir), never
// duplicated.
import { spawn } from "node:child_process";
import { mkdir, readFile, realpath, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host, port: 0 }, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function withClient<T>(url: string, use: (client: Redis) => Promise<T>, otherwise: T): Promise<T> {
  // No ready check: it would hold connect() until a loading Redis has loaded; we ask ourselves.
  const client = new Redis(url, { lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return await use(client);
  } catch {
    return otherwise;
  } finally {
    client.disconnect();
  }
}

/** PONG: up and loaded (a Redis loading its AOF answers LOADING). */
const answers = (url: string) => withClient(url, async (c) => (await c.ping()) === "PONG", false);

/** Waits until the Redis at url serves; false after ms, or at once if `gone()` says it died. */
async function serves(url: string, ms: number, gone: () => boolean = () => false): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !gone()) {
    if (await answers(url)) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/** The working dir of the Redis at url (CONFIG GET dir, which Redis answers even while it
 *  loads its AOF, unlike PING); undefined when nothing, or nothing we may ask, answers there. */
const dirOf = (url: string) =>
  withClient(url, async (c) => ((await c.call("CONFIG", "GET", "dir")) as string[])[1], undefined as string | undefined);

export async function startEmbeddedRedis(opts: { dataDir: string; redisServerPath: string; host?: string }): Promise<{ url: string }> {
  const host = opts.host ?? "127.0.0.1";
  const dir = join(opts.dataDir, "queue-redis");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const portFile = join(dir, "port");
  const saved = Number(await readFile(portFile, "utf8").catch(() => ""));
  if (saved > 0) {
    // The saved port is ours only while our redis-server holds it: after the machine (or just
    // the queue's redis-server) went down, the port is anyone's, and a Redis answering PONG
    // there may be another control plane's queue or any other Redis. Ours runs in our dir.
    // (Before, any PONG was taken as ours: a new `up` then shared a stranger's Redis.)
    const url = `redis://${host}:${saved}`;
    if ((await dirOf(url)) === (await realpath(dir))) {
      // Ours, possibly still loading its AOF: wait for it rather than start a second
      // redis-server on the same files.
      if (await serves(url, 60_000)) return { url };
      throw new Error(`the queue's redis-server at ${url} does not answer; see ${join(dir, "redis.log")}`);
    }
  }

  const port = await freePort(host);
  const child = spawn(
    opts.redisServerPath,
    ["--bind", host, "--port", String(port), "--dir", dir, "--appendonly", "yes", "--save", "", "--protected-mode", "no",
      "--pidfile", join(dir, "redis.pid"), "--logfile", join(dir, "redis.log")],
    { detached: true, stdio: "ignore" },
  );
  let exited = false;
  child.once("exit", () => (exited = true));
  child.unref();
  await writeFile(portFile, String(port));
  const url = `redis://${host}:${port}`;
  // It may load a long AOF first (LOADING): wait while it lives, give up at once if it exits.
  if (await serves(url, 60_000, () => exited)) return { url };
  throw new Error(`the queue's redis-server did not start; see ${join(dir, "redis.log")}`);
}
