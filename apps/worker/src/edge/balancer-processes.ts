// Finding a read balancer by what it is, not by a remembered pid (as packages/runtime/src/proc.ts
// does for redis-server): a worker that restarted has no memory, and the pid in a stale
// balancer.json may belong to someone else by now. A process is the balancer of a state dir only
// if its argv runs read-balancer.mjs with `--dir <that dir>` (it never rewrites its title).
// /proc where there is one (microseconds); `ps` elsewhere (macOS), where a non-root user is the
// reason this balancer runs at all.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** Shipped as plain JavaScript beside src/ (and dist/), so the same path serves both. */
export const BALANCER_SCRIPT = fileURLToPath(new URL("../../edge-balancer/read-balancer.mjs", import.meta.url));
const SCRIPT_NAME = basename(BALANCER_SCRIPT);
const HAS_PROC = (() => {
  try {
    readdirSync("/proc/self");
    return true;
  } catch {
    return false;
  }
})();

export interface BalancerProcess {
  pid: number;
  /** host:port it listens on. */
  listen: string;
  /** Its state dir. */
  dir: string;
}

/** `node …/read-balancer.mjs --listen <host:port> --dir <dir>`, as an argv or as ps prints it. */
function parse(pid: number, argv: string[] | string): BalancerProcess | undefined {
  if (typeof argv === "string") {
    const m = /^\S+ (\S+) --listen (\S+) --dir (.+)$/.exec(argv.trim());
    return m && basename(m[1]!) === SCRIPT_NAME ? { pid, listen: m[2]!, dir: m[3]! } : undefined;
  }
  if (argv.length !== 6 || basename(argv[1]!) !== SCRIPT_NAME || argv[2] !== "--listen" || argv[4] !== "--dir") return undefined;
  return { pid, listen: argv[3]!, dir: argv[5]! };
}

const argvOf = (raw: string) => raw.split("\0").filter((a) => a !== "");

/** The balancer running as pid, if it is one (zombies have no cmdline: gone). */
export async function balancerAt(pid: number): Promise<BalancerProcess | undefined> {
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  if (HAS_PROC) return parse(pid, argvOf(await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")));
  const out = await promisify(execFile)("ps", ["-o", "args=", "-p", String(pid)]).then(
    (r) => r.stdout,
    () => "",
  );
  return out.trim() ? parse(pid, out) : undefined;
}

/** Every read balancer on this machine. Synchronous over /proc on purpose (see proc.ts: ~2 ms for
 *  100 processes, where async reads cost a thread-pool round trip each). */
export async function scanBalancers(): Promise<BalancerProcess[]> {
  const found: BalancerProcess[] = [];
  if (!HAS_PROC) {
    const out = await promisify(execFile)("ps", ["-axo", "pid=,args="]).then(
      (r) => r.stdout,
      () => "",
    );
    for (const line of out.split("\n")) {
      const m = /^\s*(\d+) (.*)$/.exec(line);
      const b = m && parse(Number(m[1]), m[2]!);
      if (b) found.push(b);
    }
    return found;
  }
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const b = parse(Number(entry), argvOf(readFileSync(`/proc/${entry}/cmdline`, "utf8")));
      if (b) found.push(b);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Waits until pid is no longer the balancer of dir; false if it still is after timeoutMs. */
export async function waitGone(pid: number, dir: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while ((await balancerAt(pid))?.dir === dir) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/** SIGTERM, then SIGKILL if it lingers; true once it is gone. */
export async function stopBalancer(b: BalancerProcess): Promise<boolean> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(b.pid, s);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  };
  signal("SIGTERM");
  if (await waitGone(b.pid, b.dir, 2_000)) return true;
  signal("SIGKILL");
  return waitGone(b.pid, b.dir, 2_000);
}
