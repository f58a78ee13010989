// Finding and stopping a node's redis-server by what it is, not by a remembered pid: a worker
// that restarted has no memory, and a pid in a stale pid file may now belong to someone else.
// A process is this node's only if /proc/<pid>/cmdline names this node's config file (the driver
// writes `set-proc-title no` so Redis keeps its argv). Linux /proc only.

import { readFileSync, readdirSync } from "node:fs";
import { readFile, readlink, writeFile, rename } from "node:fs/promises";
import net from "node:net";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function readPidFile(pidPath: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(pidPath, "utf8")).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function writePidFile(pidPath: string, pid: number): Promise<void> {
  const tmp = `${pidPath}.${process.pid}.tmp`;
  await writeFile(tmp, `${pid}\n`, { mode: 0o600 });
  await rename(tmp, pidPath);
}

/** argv of a live process; undefined if gone. A zombie has an empty cmdline, so it reads as gone. */
async function cmdline(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, "utf8");
    return raw ? raw.split("\0").filter((a) => a !== "") : undefined;
  } catch {
    return undefined;
  }
}

/** The executable a live process runs (/proc/<pid>/exe: symlinks resolved, " (deleted)" when the
 *  file was replaced since); undefined if gone or not ours to read. Adoption never depends on it:
 *  a node is known by its config file in argv, whatever build runs it. */
export async function executableOf(pid: number): Promise<string | undefined> {
  try {
    return await readlink(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/** True if pid is alive and is redis-server running exactly this config file. */
export async function isNodeProcess(pid: number, confPath: string): Promise<boolean> {
  const argv = await cmdline(pid);
  return argv?.slice(1).includes(confPath) ?? false;
}

/**
 * Scans /proc for the redis-server of this config file (when the pid file is missing or stale).
 * Synchronous on purpose: /proc reads never touch a disk (~20 µs each), while an async read per
 * process costs a thread-pool round trip — 100 processes took ~15 ms async, ~2 ms sync.
 */
export function scanForNodeProcess(confPath: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv.slice(1).includes(confPath)) return Number(entry);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return undefined;
}

/** Process group of pid (field 5 of /proc/<pid>/stat, read after the parenthesised comm). */
async function processGroup(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const pgid = Number(fields[2]);
    return Number.isInteger(pgid) ? pgid : undefined;
  } catch {
    return undefined;
  }
}

/** Signals the node's process group when it leads its own (as the driver spawns it), else the pid alone. */
export async function signalNode(pid: number, signal: NodeJS.Signals): Promise<void> {
  const target = (await processGroup(pid)) === pid ? -pid : pid;
  try {
    process.kill(target, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/** Whether a process of group pgid is alive (zombies excluded: they hold no sockets). */
function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

/**
 * SIGKILLs the node (its whole process group when it leads one, as the driver spawns it: a fork
 * child of BGSAVE goes too) and waits until none of it is left; false if something survived
 * timeoutMs. SIGKILL also ends a SIGSTOPped process.
 */
export async function killNode(pid: number, confPath: string, timeoutMs: number): Promise<boolean> {
  const group = (await processGroup(pid)) === pid;
  await signalNode(pid, "SIGKILL");
  const deadline = Date.now() + timeoutMs;
  while ((await isNodeProcess(pid, confPath)) || (group && groupAlive(pid))) {
    if (Date.now() >= deadline) return false;
    await sleep(5);
  }
  return true;
}

/** Waits until the node's process is gone; false if it is still there after timeoutMs. */
export async function waitForExit(pid: number, confPath: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isNodeProcess(pid, confPath)) {
    if (Date.now() >= deadline) return false;
    await sleep(10);
  }
  return true;
}

/** Binds host:port for an instant to learn whether someone else holds it (EADDRINUSE). */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") resolve(false);
      else reject(err);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Whether host:port becomes free within `ms`: a process killed a moment ago is gone from /proc
 *  before its sockets are. */
export async function portFreeWithin(host: string, port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await isPortFree(host, port)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(5);
  }
}

/** One TCP connect attempt; true if something accepts on host:port. */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(false);
    });
  });
}
