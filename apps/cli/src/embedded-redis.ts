// The queue's Redis when REDIS_URL is not given: a private redis-server in the data dir, with
// an append-only file so queued work survives a restart. `cacheplane up` started it for itself,
// so its stop (and `cacheplane down`) stops it too; data nodes are not this and keep running.
//
// Which process it is, is recorded in <dir>/server.pid: the pid and the process's identity
// (boot id + start time, process-identity.ts), since a bare pid can name another process after
// a crash and a reboot. After a crashed `up` (SIGKILL) the next `up` finds the recorded
// redis-server still running and adopts it when it answers from our dir, or replaces it when it
// does not answer: never a second redis-server on the same files. A recorded pid that is now
// someone else's is neither adopted nor signalled.
import { spawn } from "node:child_process";
import { mkdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";
import { identityOf, isRunning, isSameProcess } from "./process-identity.js";

export interface EmbeddedRedis {
  url: string;
  pid: number;
  /** Stops this redis-server (SIGTERM: it fsyncs its AOF and exits) and waits for it. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const queueDir = (dataDir: string) => join(dataDir, "queue-redis");
const recordPath = (dir: string) => join(dir, "server.pid");

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
  // Bounded: a stopped (SIGSTOP) or hung redis-server still accepts connections in the kernel,
  // and is then replaced rather than waited for (a loading one answers LOADING at once).
  const client = new Redis(url, {
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
  });
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
    await sleep(10);
  }
  return false;
}

/** The working dir and pid of the Redis at url (CONFIG GET dir and INFO, which Redis answers even
 *  while it loads its AOF, unlike PING); undefined when nothing, or nothing we may ask, answers. */
const whoIs = (url: string) =>
  withClient(
    url,
    async (c) => {
      const dir = ((await c.call("CONFIG", "GET", "dir")) as string[])[1];
      const pid = Number(/process_id:(\d+)/.exec(await c.info("server"))?.[1]);
      return { dir, pid };
    },
    undefined as { dir: string | undefined; pid: number } | undefined,
  );

interface ServerRecord {
  pid: number;
  identity: string | undefined;
}

async function readRecord(dir: string): Promise<ServerRecord | undefined> {
  const [first = "", second = ""] = (await readFile(recordPath(dir), "utf8").catch(() => "")).split("\n");
  const pid = Number(first.trim());
  return Number.isInteger(pid) && pid > 0 ? { pid, identity: second.trim() || undefined } : undefined;
}

const writeRecord = (dir: string, pid: number) => writeFile(recordPath(dir), `${pid}\n${identityOf(pid) ?? ""}\n`);

/** The recorded redis-server, while that very process still runs. */
async function recorded(dir: string): Promise<number | undefined> {
  const record = await readRecord(dir);
  return record && isSameProcess(record.pid, record.identity) ? record.pid : undefined;
}

/** SIGTERM (SIGKILL after graceMs) to a process known to be ours, then waits until it is gone. */
async function terminate(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isRunning(pid) && Date.now() < deadline) await sleep(20);
  if (!isRunning(pid)) return;
  signal("SIGKILL");
  while (isRunning(pid)) await sleep(20);
}

/** Stops the queue's redis-server of this data dir if the record names one that still runs;
 *  true if it stopped one. For `down` after an `up` that could not stop it (killed). */
export async function stopEmbeddedRedis(dataDir: string): Promise<boolean> {
  const dir = queueDir(dataDir);
  const pid = await recorded(dir);
  if (pid !== undefined) await terminate(pid);
  await rm(recordPath(dir), { force: true });
  return pid !== undefined;
}

function handle(dir: string, url: string, pid: number): EmbeddedRedis {
  return {
    url,
    pid,
    async stop() {
      // Only if the record still names this process (a newer `up` may have replaced it).
      if ((await recorded(dir)) !== pid) return;
      await terminate(pid);
      await rm(recordPath(dir), { force: true });
    },
  };
}

export async function startEmbeddedRedis(opts: { dataDir: string; redisServerPath: string; host?: string }): Promise<EmbeddedRedis> {
  const host = opts.host ?? "127.0.0.1";
  const dir = queueDir(opts.dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ownDir = await realpath(dir);
  const portFile = join(dir, "port");
  const saved = Number(await readFile(portFile, "utf8").catch(() => ""));
  const savedUrl = saved > 0 ? `redis://${host}:${saved}` : undefined;
  const live = await recorded(dir);
  // What answers on the saved port: ours only if it runs in our dir and is the recorded process
  // (or, with no live record, one started before records were kept). After a reboot the port
  // is anyone's, and a stranger's Redis there is never taken for our queue.
  const there = savedUrl ? await whoIs(savedUrl) : undefined;
  const oursThere = there?.dir === ownDir && there.pid > 0 && (live === undefined || live === there.pid) ? there.pid : undefined;
  if (savedUrl && oursThere !== undefined) {
    if (live === undefined) await writeRecord(dir, oursThere);
    // Ours, possibly still loading its AOF: wait for it rather than start a second one.
    if (await serves(savedUrl, 60_000, () => !isRunning(oursThere))) return handle(dir, savedUrl, oursThere);
    throw new Error(`the queue's redis-server at ${savedUrl} does not answer; see ${join(dir, "redis.log")}`);
  }
  // Recorded and running, yet not answering from our dir: hung or stopped. Replaced, not joined
  // by a second redis-server on the same AOF.
  if (live !== undefined) await terminate(live, 2_000);

  const port = await freePort(host);
  const child = spawn(
    opts.redisServerPath,
    [
      "--bind",
      host,
      "--port",
      String(port),
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--save",
      "",
      "--protected-mode",
      "no",
      "--pidfile",
      join(dir, "redis.pid"),
      "--logfile",
      join(dir, "redis.log"),
    ],
    { detached: true, stdio: "ignore" },
  );
  let exited = false;
  child.once("exit", () => (exited = true));
  child.once("error", () => (exited = true));
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${opts.redisServerPath} for the queue`);
  await writeRecord(dir, pid);
  await writeFile(portFile, String(port));
  const url = `redis://${host}:${port}`;
  // It may load a long AOF first (LOADING): wait while it lives, give up at once if it exits.
  if (await serves(url, 60_000, () => exited)) return handle(dir, url, pid);
  if (!exited) await terminate(pid, 2_000);
  throw new Error(`the queue's redis-server did not start; see ${join(dir, "redis.log")}`);
}
