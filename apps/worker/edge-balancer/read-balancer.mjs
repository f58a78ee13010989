// @ts-check
// The read endpoint's user-space balancer, where kernel redirects cannot be had (no root, no
// iptables): one detached process per read endpoint, listening on its address:port and piping
// each new connection to the next of its targets (round robin). It costs half to two thirds of
// the throughput of a direct connection (a Node socket.pipe proxy measured 42% of direct at GET
// -P 16 and 44% at -P 1 where the kernel path keeps ~100%, shared/ENVIRONMENT.md; this one, in
// `npm run bench -- --only edge` on a busy 2-core machine, 0.37-0.54x of a replica at -P 16 and
// 0.30-0.33x at -P 1, level with a bare pipe proxy there), so it is the fallback, never the fast
// path. It is a process of its own so that reads keep flowing while the worker restarts, as
// they do through kernel rules; ~45 MB resident each.
//
// Plain Node with no dependencies and no TypeScript loader: it is spawned as
// `node read-balancer.mjs --listen <host:port> --dir <state dir>` and shipped as it is.
//   <dir>/targets.json  {"targets": ["host:port", …]}  the worker's wish (written whole, then
//                       renamed), read at start and on SIGHUP
//   <dir>/balancer.json {"pid", "listen", "targets"}    what is in force: written once listening
//                       and after each reload, so the worker knows the change took (and by the
//                       pid, with /proc/<pid>/cmdline naming this dir, finds this process again)
// New connections follow the targets; open ones stay where they are, as the kernel's conntrack
// keeps a redirected flow (a replica that goes away closes its own).
// SIGTERM stops it. Without targets.json (the dir removed under it) it exits by itself.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";

/** A connection to a replica that does not answer its SYN at once is not worth waiting for. */
const CONNECT_TIMEOUT_MS = 2_000;
/** After a FIN to a client, how long it may take to close its side before the socket goes. */
const CLOSE_GRACE_MS = 5_000;

const { values } = parseArgs({ options: { listen: { type: "string" }, dir: { type: "string" } } });
if (!values.listen || !values.dir) {
  console.error("usage: node read-balancer.mjs --listen <host:port> --dir <state dir>");
  process.exit(2);
}
const dir = values.dir;
const listen = parseAddress(values.listen);
const targetsFile = join(dir, "targets.json");
const stateFile = join(dir, "balancer.json");

/**
 * @param {string} address "host:port" or "[v6]:port"
 * @returns {{ host: string, port: number }}
 */
function parseAddress(address) {
  const at = address.lastIndexOf(":");
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a host:port: ${address}`);
  return { host: address.slice(0, at).replace(/^\[(.*)\]$/, "$1"), port };
}

/** @returns {string[]} the targets the worker asks for; throws on a file that is not one */
function readTargets() {
  const parsed = JSON.parse(readFileSync(targetsFile, "utf8"));
  if (!Array.isArray(parsed?.targets) || !parsed.targets.every((/** @type {unknown} */ t) => typeof t === "string")) {
    throw new Error(`${targetsFile}: no list of "host:port" targets`);
  }
  /** @type {string[]} */
  const targets = parsed.targets;
  targets.forEach(parseAddress);
  return targets;
}

/** @type {string[]} */
let targets = readTargets();
let next = 0;

function publishState() {
  const tmp = `${stateFile}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ pid: process.pid, listen: values.listen, targets })}\n`, { mode: 0o600 });
  renameSync(tmp, stateFile);
}

/**
 * A FIN to the client (what Redis itself sends when it drops a connection), never a reset:
 * the client reads every reply already relayed, then sees the connection closed.
 * @param {net.Socket} client
 */
function closeClient(client) {
  if (client.destroyed) return;
  client.unpipe();
  client.resume(); // what the client still sends has nowhere to go
  client.end();
  client.setTimeout(CLOSE_GRACE_MS, () => client.destroy());
}

/** @type {Set<net.Socket>} */
const open = new Set();

// allowHalfOpen on both sides: a client that shuts down its writing side still gets its replies,
// as it would straight to Redis.
const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
  open.add(client);
  client.once("close", () => open.delete(client));
  if (targets.length === 0) return void client.destroy();
  const target = parseAddress(/** @type {string} */ (targets[next++ % targets.length]));
  const upstream = net.connect({ ...target, allowHalfOpen: true, noDelay: true });
  open.add(upstream);
  upstream.once("close", () => open.delete(upstream));
  upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy(new Error(`connect to ${target.host}:${target.port} timed out`)));
  upstream.once("connect", () => upstream.setTimeout(0));
  client.pipe(upstream);
  upstream.pipe(client);
  // A replica that refuses, resets or goes away: the client is closed, nothing else is tried.
  upstream.on("error", () => closeClient(client));
  upstream.once("close", () => closeClient(client));
  client.on("error", () => upstream.destroy());
  client.once("close", () => upstream.destroy());
});
server.on("error", (error) => {
  console.error(`read balancer on ${values.listen}: ${error.message}`);
  process.exit(1);
});
server.listen({ host: listen.host, port: listen.port, exclusive: true }, () => {
  publishState();
  console.error(`${new Date().toISOString()} read balancer on ${values.listen} → ${targets.join(", ")}`);
});

process.on("SIGHUP", () => {
  try {
    targets = readTargets();
    console.error(`${new Date().toISOString()} targets now ${targets.join(", ") || "(none)"}`);
  } catch (error) {
    // The old targets stay; balancer.json still names them, so the worker sees the change did not take.
    console.error(`${new Date().toISOString()} targets not reloaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  publishState();
});

function stop() {
  server.close();
  for (const socket of open) socket.destroy();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

// The state dir is this endpoint's lease: removed under it (a data dir wiped), the balancer goes.
setInterval(() => {
  if (!existsSync(targetsFile)) stop();
}, 2_000).unref();
