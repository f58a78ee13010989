// The read endpoint where the kernel cannot balance it (no root, no iptables): a detached
// balancer process per endpoint (edge-balancer/read-balancer.mjs, which says why and what it
// costs), its state in {data dir}/edge/{instance uid}/. The worker writes the targets and
// signals; the balancer reports what it uses. Only one process can listen on an endpoint's
// address:port, so a second balancer for the same endpoint cannot exist, whatever races.
import { spawn } from "node:child_process";
import { mkdir, open, readdir, readFile, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { READ_ENDPOINT_HOST } from "@cacheplane/core";
import { BALANCER_SCRIPT, balancerAt, scanBalancers, stopBalancer, type BalancerProcess } from "./balancer-processes.js";
import { endpointName, type Edge, type PortRange } from "./edge.js";
import { readJson, writeAtomically } from "./state-files.js";

/** A Node process is listening ~50 ms after spawn here; a loaded machine gets a good margin. */
const START_TIMEOUT_MS = 10_000;
/** A SIGHUP is applied within a millisecond; the margin is for a loaded machine. */
const RELOAD_TIMEOUT_MS = 5_000;

interface Published {
  pid: number;
  listen: string;
  targets: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (list: readonly string[]) => [...list].sort();
const same = (a: readonly string[], b: readonly string[]) => sorted(a).join(" ") === sorted(b).join(" ");

/** Balancers on ports in range whose endpoint isKnown denies, on this machine (as kernel rules
 *  are found); with edgeDir, also the state a dead balancer of a gone instance left there. */
export async function removeOrphanBalancers(isKnown: (name: string) => boolean | Promise<boolean>, range: PortRange, edgeDir?: string): Promise<string[]> {
  const removed: string[] = [];
  const balancers = await scanBalancers();
  for (const b of balancers) {
    const port = Number(b.listen.slice(b.listen.lastIndexOf(":") + 1));
    const name = endpointName(basename(b.dir));
    if (port < range.first || port > range.last || (await isKnown(name))) continue;
    if (!(await stopBalancer(b))) throw new Error(`the orphan read balancer ${b.listen} (pid ${b.pid}) survived SIGKILL`);
    await rm(b.dir, { recursive: true, force: true });
    removed.push(name);
  }
  if (!edgeDir) return removed;
  const serving = new Set(balancers.map((b) => b.dir));
  for (const uid of await readdir(edgeDir).catch(() => [] as string[])) {
    const dir = join(edgeDir, uid);
    if (!serving.has(dir) && !(await isKnown(endpointName(uid)))) await rm(dir, { recursive: true, force: true });
  }
  return removed;
}

export function userSpaceBalancer(edgeDir: string, reason: string): Edge {
  const dirOf = (uid: string) => join(edgeDir, uid);
  const files = (dir: string) => ({ targets: join(dir, "targets.json"), state: join(dir, "balancer.json"), log: join(dir, "balancer.log") });

  /** The live balancer of this endpoint and what it says it uses: by its pid file, checked
   *  against /proc; by a scan when the pid file is missing or stale. */
  async function running(uid: string): Promise<{ process: BalancerProcess; targets: string[] } | undefined> {
    const dir = dirOf(uid);
    const published = await readJson<Published>(files(dir).state);
    const byPid = published ? await balancerAt(published.pid) : undefined;
    if (byPid?.dir === dir) return { process: byPid, targets: published!.targets };
    const found = (await scanBalancers()).find((b) => b.dir === dir);
    return found ? { process: found, targets: [] } : undefined;
  }

  async function waitPublished(dir: string, pid: number, targets: string[], timeoutMs: number, exited?: () => boolean) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const published = await readJson<Published>(files(dir).state);
      if (published?.pid === pid && same(published.targets, targets)) return;
      if (exited?.() || Date.now() > deadline) {
        const log = (await readFile(files(dir).log, "utf8").catch(() => "")).trim().split("\n").slice(-3).join(" / ");
        throw new Error(`the read balancer in ${dir} did not take targets ${targets.join(", ")}${log ? `: ${log}` : ""}`);
      }
      await sleep(5);
    }
  }

  async function start(dir: string, listen: string, targets: string[]) {
    const log = await open(files(dir).log, "a", 0o600);
    let exited = false;
    let pid: number | undefined;
    try {
      // Its own session (detached): a worker killed with its process group leaves it serving.
      // No environment: nothing (NODE_OPTIONS loaders included) is to run inside it but the script.
      const child = spawn(process.execPath, [BALANCER_SCRIPT, "--listen", listen, "--dir", dir], {
        detached: true,
        stdio: ["ignore", log.fd, log.fd],
        cwd: dir,
        env: {},
      });
      child.once("exit", () => (exited = true));
      child.once("error", () => (exited = true));
      child.unref();
      pid = child.pid;
    } finally {
      await log.close();
    }
    if (pid === undefined) throw new Error(`the read balancer for ${listen} could not be started`);
    await waitPublished(dir, pid, targets, START_TIMEOUT_MS, () => exited);
  }

  async function stop(uid: string) {
    const found = await running(uid);
    if (found && !(await stopBalancer(found.process))) throw new Error(`the read balancer of ${uid} (pid ${found.process.pid}) survived SIGKILL`);
    await rm(dirOf(uid), { recursive: true, force: true });
  }

  return {
    kind: "proxy",
    reason,

    async observeReadTargets(instanceUid) {
      return sorted((await running(instanceUid))?.targets ?? []);
    },

    async routeReads(instanceUid, port, targets) {
      if (targets.length === 0) return stop(instanceUid);
      const dir = dirOf(instanceUid);
      const listen = `${READ_ENDPOINT_HOST}:${port}`;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeAtomically(files(dir).targets, { targets });
      let found = await running(instanceUid);
      if (found && found.process.listen !== listen) {
        await stopBalancer(found.process);
        found = undefined;
      }
      if (!found) return start(dir, listen, targets);
      process.kill(found.process.pid, "SIGHUP");
      await waitPublished(dir, found.process.pid, targets, RELOAD_TIMEOUT_MS);
    },

    removeOrphanReadEndpoints: (isKnown, range) => removeOrphanBalancers(isKnown, range, edgeDir),

    async lostReadEndpoints() {
      const lost: string[] = [];
      for (const uid of await readdir(edgeDir).catch(() => [] as string[])) {
        const wanted = await readJson<{ targets: string[] }>(files(dirOf(uid)).targets);
        if (wanted?.targets.length && !(await running(uid))) lost.push(uid);
      }
      return lost;
    },
  };
}
