// The queue's Redis when REDIS_URL is not given: a private redis-server in the data dir, with
// an append-only file so queued work survives a restart. It is reused across restarts of
// `cacheplane up` (found by its pid and port files), never duplicated.
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
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

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function startEmbeddedRedis(opts: { dataDir: string; redisServerPath: string; host?: string }): Promise<{ url: string }> {
  const host = opts.host ?? "127.0.0.1";
  const dir = join(opts.dataDir, "queue-redis");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const portFile = join(dir, "port");
  const saved = Number(await readFile(portFile, "utf8").catch(() => ""));
  if (saved > 0 && (await answers(`redis://${host}:${saved}`))) return { url: `redis://${host}:${saved}` };

  const port = await freePort(host);
  const child = spawn(
    opts.redisServerPath,
    ["--bind", host, "--port", String(port), "--dir", dir, "--appendonly", "yes", "--save", "", "--protected-mode", "no",
      "--pidfile", join(dir, "redis.pid"), "--logfile", join(dir, "redis.log")],
    { detached: true, stdio: "ignore" },
  );
  child.unref();
  await writeFile(portFile, String(port));
  const url = `redis://${host}:${port}`;
  for (let i = 0; i < 200; i++) {
    if (await answers(url)) return { url };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the queue's redis-server did not start; see ${join(dir, "redis.log")}`);
}
