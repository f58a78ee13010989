// The read endpoint, balanced over replicas by the kernel: a nat OUTPUT rule sends connections
// for <read address>:<port> to a chain that DNATs each new connection to the next replica
// (statistic nth). Nothing sits between a client and Redis (~100% of direct throughput with
// redis-benchmark GET -P 16, where a Node proxy keeps ~42%: shared/ENVIRONMENT.md), and the rules
// outlive the worker, so reads keep flowing while the control plane restarts. Needs root and
// iptables; read-endpoint.ts falls back to the user-space balancer without them.
//
// The rules do not outlive the machine: a reboot flushes the nat table. So each endpoint's
// wanted targets are also written to {stateDir}/{instance uid}.json, and lostReadEndpoints()
// names those whose chain no longer routes them, for the resync to reconcile.
import { execFile } from "node:child_process";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { READ_ENDPOINT_HOST } from "@cacheplane/core";
import { EdgeUnavailableError, endpointName, type Edge } from "./edge.js";
import { readJson, writeAtomically } from "./state-files.js";

const run = promisify(execFile);

export const chainFor = endpointName;

/** Why iptables cannot be used here, in words for a log line and an event. */
function unusable(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException & { stderr?: string };
  if (e.code === "ENOENT") return "kernel redirects need iptables, which is not installed";
  if (/Permission denied|you must be root|Operation not permitted/i.test(e.stderr ?? e.message)) return "kernel redirects need root and iptables";
  return undefined;
}

async function iptables(args: string[], input?: string): Promise<string> {
  try {
    if (input === undefined) return (await run("iptables", ["-w", "5", ...args], { timeout: 10_000 })).stdout;
    return await new Promise<string>((resolve, reject) => {
      const child = execFile("iptables-restore", ["-w", "5", "--noflush"], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      child.stdin!.end(input);
    });
  } catch (error) {
    const why = unusable(error);
    if (why) throw new EdgeUnavailableError(`${why} on the worker's machine (CACHEPLANE_READ_ENDPOINT=auto uses the user-space balancer there)`);
    throw error;
  }
}

/** undefined when kernel redirects work here (iptables present, the nat table readable, which
 *  takes what writing it takes: CAP_NET_ADMIN); else why not. */
export async function probeKernelRedirects(): Promise<string | undefined> {
  try {
    await run("iptables", ["-w", "5", "-t", "nat", "-S", "OUTPUT"], { timeout: 10_000 });
    return undefined;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    return unusable(error) ?? `kernel redirects are unavailable: ${(e.stderr || e.message).trim().split("\n")[0]}`;
  }
}

const jumpRule = (uid: string, port: number) => ["-d", `${READ_ENDPOINT_HOST}/32`, "-p", "tcp", "--dport", String(port), "-j", chainFor(uid)];

async function removeChain(chain: string, jump: string[]) {
  await iptables(["-t", "nat", "-D", "OUTPUT", ...jump]).catch(() => undefined);
  await iptables(["-t", "nat", "-F", chain]).catch(() => undefined);
  await iptables(["-t", "nat", "-X", chain]).catch(() => undefined);
}

/** stateDir: where the wanted routes are remembered (see the top); without it (an edge used only
 *  to remove rules) nothing is remembered and nothing is reported lost. */
export function kernelRedirects(reason: string, stateDir?: string): Edge {
  const wantedFile = (uid: string) => join(stateDir!, `${uid}.json`);
  const remember = async (uid: string, targets: string[]) => {
    if (!stateDir) return;
    if (targets.length === 0) return rm(wantedFile(uid), { force: true });
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeAtomically(wantedFile(uid), { targets: [...targets].sort() });
  };
  const remembered = async () =>
    stateDir ? (await readdir(stateDir).catch(() => [] as string[])).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -".json".length)) : [];

  const observeReadTargets = async (instanceUid: string) => {
    let rules: string;
    try {
      rules = await iptables(["-t", "nat", "-S", chainFor(instanceUid)]);
    } catch {
      return []; // no such chain (or no iptables): no read endpoint
    }
    return [...rules.matchAll(/--to-destination (\S+)/g)].map((m) => m[1]!).sort();
  };

  return {
    kind: "kernel",
    reason,
    observeReadTargets,

    async routeReads(instanceUid, port, targets) {
      const chain = chainFor(instanceUid);
      await remember(instanceUid, targets);
      if (targets.length === 0) return removeChain(chain, jumpRule(instanceUid, port));
      // Rule i takes every (n - i)-th of the connections that reach it: an even spread.
      const rules = targets.map((target, i) =>
        i === targets.length - 1
          ? `-A ${chain} -p tcp -j DNAT --to-destination ${target}`
          : `-A ${chain} -p tcp -m statistic --mode nth --every ${targets.length - i} --packet 0 -j DNAT --to-destination ${target}`,
      );
      // Declaring the chain in a --noflush restore empties it and refills it in one commit.
      await iptables([], `*nat\n:${chain} - [0:0]\n${rules.join("\n")}\nCOMMIT\n`);
      const exists = await iptables(["-t", "nat", "-C", "OUTPUT", ...jumpRule(instanceUid, port)]).then(
        () => true,
        () => false,
      );
      if (!exists) await iptables(["-t", "nat", "-A", "OUTPUT", ...jumpRule(instanceUid, port)]);
    },

    async removeOrphanReadEndpoints(isKnown, range) {
      let rules: string;
      try {
        rules = await iptables(["-t", "nat", "-S", "OUTPUT"]);
      } catch {
        return [];
      }
      const removed: string[] = [];
      for (const m of rules.matchAll(/^-A OUTPUT -d (\S+) -p tcp -m tcp --dport (\d+) -j (CPR-\w+)$/gm)) {
        const port = Number(m[2]);
        const chain = m[3]!;
        if (port < range.first || port > range.last || (await isKnown(chain))) continue;
        await removeChain(chain, ["-d", m[1]!, "-p", "tcp", "--dport", String(port), "-j", chain]);
        removed.push(chain);
      }
      for (const uid of await remembered()) if (!(await isKnown(endpointName(uid)))) await rm(wantedFile(uid), { force: true });
      return removed;
    },

    async lostReadEndpoints() {
      const lost: string[] = [];
      for (const uid of await remembered()) {
        const wanted = (await readJson<{ targets: string[] }>(wantedFile(uid)))?.targets ?? [];
        if (wanted.length && (await observeReadTargets(uid)).join(" ") !== wanted.join(" ")) lost.push(uid);
      }
      return lost;
    },
  };
}
