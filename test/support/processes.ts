// Finding the redis-server processes a test started, by the data dir in their command line
// (the process driver runs `redis-server <dataDir>/redis.conf`).
import { readdir, readFile, readlink } from "node:fs/promises";

export async function processesUnder(root: string): Promise<{ pid: number; cmdline: string }[]> {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    // Zombies have an empty cmdline and hold nothing. A redis-server that rewrote its title
    // (the queue's) no longer names its files, but still runs in its data dir.
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => "");
    if (cmdline && (cmdline.includes(root) || cwd === root || cwd.startsWith(`${root}/`))) {
      found.push({ pid: Number(entry), cmdline: cmdline.replace(/\0/g, " ").trim() });
    }
  }
  return found;
}

export async function killNodesUnder(root: string) {
  for (const { pid } of await processesUnder(root)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
