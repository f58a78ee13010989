// The read endpoint, balanced over replicas by the kernel: a nat OUTPUT rule sends connections
// for <read address>:<port> to a chain that DNATs each new connection to the next replica
// (statistic nth). Nothing sits between a client and Redis, and the rules outlive the worker,
// so reads keep flowing while the control plane restarts. Needs root and iptables; without
// them an instance asking for a read endpoint fails with a clear error.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { READ_ENDPOINT_HOST } from "@cacheplane/core";

const run = promisify(execFile);
const CHAIN_PREFIX = "CPR-";

export class EdgeUnavailableError extends Error {}

/** iptables chain names are at most 28 characters. */
export const chainFor = (instanceUid: string) => `${CHAIN_PREFIX}${instanceUid.replace(/-/g, "").slice(0, 24)}`;

async function iptables(args: string[], input?: string): Promise<string> {
  try {
    if (input === undefined) return (await run("iptables", ["-w", "5", ...args], { timeout: 10_000 })).stdout;
    return await new Promise<string>((resolve, reject) => {
      const child = execFile("iptables-restore", ["-w", "5", "--noflush"], { timeout: 10_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      );
      child.stdin!.end(input);
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT" || /Permission denied|you must be root/i.test(e.stderr ?? e.message)) {
      throw new EdgeUnavailableError("a read endpoint needs iptables and root on the worker's machine (kernel redirects)");
    }
    throw error;
  }
}

/** "host:port" targets the read endpoint sends connections to now ([] when it has none). */
export async function observeReadTargets(instanceUid: string): Promise<string[]> {
  let rules: string;
  try {
    rules = await iptables(["-t", "nat", "-S", chainFor(instanceUid)]);
  } catch (error) {
    if (error instanceof EdgeUnavailableError) return [];
    return []; // no such chain: no read endpoint
  }
  return [...rules.matchAll(/--to-destination (\S+)/g)].map((m) => m[1]!).sort();
}

const jumpRule = (uid: string, port: number) => ["-d", `${READ_ENDPOINT_HOST}/32`, "-p", "tcp", "--dport", String(port), "-j", chainFor(uid)];

/** Makes the read endpoint send each new connection to the next of `targets`, atomically;
 *  no targets removes it. Idempotent. */
export async function routeReads(instanceUid: string, port: number, targets: string[]): Promise<void> {
  const chain = chainFor(instanceUid);
  if (targets.length === 0) {
    await iptables(["-t", "nat", "-D", "OUTPUT", ...jumpRule(instanceUid, port)]).catch(() => undefined);
    await iptables(["-t", "nat", "-F", chain]).catch(() => undefined);
    await iptables(["-t", "nat", "-X", chain]).catch(() => undefined);
    return;
  }
  // Rule i takes every (n - i)-th of the connections that reach it: an even spread.
  const rules = targets.map((target, i) =>
    i === targets.length - 1
      ? `-A ${chain} -p tcp -j DNAT --to-destination ${target}`
      : `-A ${chain} -p tcp -m statistic --mode nth --every ${targets.length - i} --packet 0 -j DNAT --to-destination ${target}`,
  );
  // Declaring the chain in a --noflush restore empties it and refills it in one commit.
  await iptables([], `*nat\n:${chain} - [0:0]\n${rules.join("\n")}\nCOMMIT\n`);
  const exists = await iptables(["-t", "nat", "-C", "OUTPUT", ...jumpRule(instanceUid, port)]).then(() => true, () => false);
  if (!exists) await iptables(["-t", "nat", "-A", "OUTPUT", ...jumpRule(instanceUid, port)]);
}

/** Read endpoints on ports in this control plane's range whose instance is gone. */
export async function removeOrphanReadEndpoints(isKnown: (chain: string) => boolean, range: { first: number; last: number }) {
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
    if (port < range.first || port > range.last || isKnown(chain)) continue;
    await iptables(["-t", "nat", "-D", "OUTPUT", "-d", m[1]!, "-p", "tcp", "--dport", String(port), "-j", chain]).catch(() => undefined);
    await iptables(["-t", "nat", "-F", chain]).catch(() => undefined);
    await iptables(["-t", "nat", "-X", chain]).catch(() => undefined);
    removed.push(chain);
  }
  return removed;
}
