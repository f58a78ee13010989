// What every scenario shares: loopback ports, child processes, the cleanup registry (so a
// failure or ^C still removes what the bench started) and a small REST client for a control
// plane. Nothing here is timed.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestControlPlane } from "../test/support/control-plane.js";
import { processesUnder as processesOf } from "../test/support/processes.js";

export const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
export const REDIS_SERVER = process.env.BENCH_REDIS_SERVER ?? "/usr/bin/redis-server";
export const BASE = "/v1/projects/default/locations/local1/instances";
export const HOST = "127.0.0.1"; // every server the bench starts or talks to is on loopback

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Epoch milliseconds with sub-millisecond resolution, comparable across worker threads. */
export const now = () => performance.timeOrigin + performance.now();

// ---- cleanup: everything the bench starts is registered here and undone in reverse ----
const cleanups: (() => Promise<unknown>)[] = [];
export const onCleanup = (fn: () => Promise<unknown>) => cleanups.push(fn);
let cleaning: Promise<void> | undefined;
export const cleanup = () =>
  (cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      await fn().catch((e: unknown) => console.error(`cleanup: ${e instanceof Error ? e.message : String(e)}`));
    }
  })());

/** Runs fn, then undoes what it registered (in reverse), also when it throws. For a group
 *  whose servers should not outlive it (a second control plane, sentinels). */
export async function scoped<T>(fn: () => Promise<T>): Promise<T> {
  const mark = cleanups.length;
  try {
    return await fn();
  } finally {
    const mine = cleanups.splice(mark).reverse();
    for (const undo of mine) await undo().catch((e: unknown) => console.error(`cleanup: ${e instanceof Error ? e.message : String(e)}`));
  }
}

export async function tempDir(prefix: string) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// ---- ports ----
export function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A kernel-chosen free loopback port (ephemeral range). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: HOST, port: 0 }, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Ports the bench's own redis-servers, sentinels and containers use: random in 30000–31999,
 *  below the ephemeral range and above the node ranges of the control planes (tests use
 *  20000–23999, `up` in the bench 25000–25899). Never the same port twice in one run. */
const handedOut = new Set<number>();
export async function benchPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 30_000 + Math.floor(Math.random() * 2_000);
    if (handedOut.has(port)) continue;
    if (await isFree(HOST, port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("no free port in 30000-31999");
}

// ---- redis ----
/** One PING over a fresh connection; true on +PONG (or -NOAUTH: it answers). */
export function pingOnce(host: string, port: number, timeoutMs = 200): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (d) => done(d.toString().startsWith("+PONG") || d.toString().startsWith("-NOAUTH")));
  });
}

export async function waitPong(host: string, port: number, everyMs: number, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (!(await pingOnce(host, port))) {
    if (performance.now() > deadline) throw new Error(`${host}:${port} did not answer PING within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** Polls until probe returns something truthy (errors count as "not yet"). */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false | null>, timeoutMs: number, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ""}`);
    await sleep(everyMs);
  }
}

// ---- child processes ----
export function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  if (!(await exited(child, graceMs))) {
    child.kill("SIGKILL");
    await exited(child, 5_000);
  }
}

/** Runs a command to completion (bounded); resolves with its stdout, rejects on failure. */
export function run(command: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(" ")}: ${signal ?? `exit ${code}`} ${err.trim().slice(0, 400)}`));
    });
  });
}

/** Processes of a data dir: those naming it on their command line, or running in it (the
 *  queue's redis-server rewrites its title). Shared with the tests. */
export async function processesUnder(root: string): Promise<number[]> {
  return (await processesOf(root)).map((p) => p.pid).filter((pid) => pid !== process.pid);
}

export async function killAllUnder(root: string) {
  for (let i = 0; i < 50; i++) {
    const pids = await processesUnder(root);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    await sleep(20);
  }
  throw new Error(`processes under ${root} would not die`);
}

// ---- a control plane as the bench sees it: a URL, a key, and optionally its internals ----
export interface Plane {
  url: string;
  key: string;
  /** The in-process control plane (test/support/control-plane.ts), when there is one. */
  cp?: TestControlPlane;
  /** Event type → time (epoch ms) for an instance, when the bench can read the database.
   *  With `since`, the first event of each type at or after it. */
  events?: (instanceId: string, since?: number) => Promise<Record<string, number>>;
}

export async function call(plane: Plane, method: string, path: string, body?: unknown) {
  const res = await fetch(`${plane.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${plane.key}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function waitOp(plane: Plane, op: any, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!op.done) {
    if (Date.now() > deadline) throw new Error(`operation ${op.name} not done after ${timeoutMs} ms`);
    const res = await call(plane, "POST", `/v1/${op.name}:wait?timeout=30s`);
    if (res.status !== 200) throw new Error(`wait ${op.name}: ${res.status} ${JSON.stringify(res.body)}`);
    op = res.body;
  }
  return op;
}

export const BASIC = { tier: "BASIC", memorySizeGb: 1 } as const;
export const HA = { tier: "STANDARD_HA", memorySizeGb: 1, replicaCount: 2, locationId: "local1-a", alternativeLocationId: "local1-b" } as const;

export async function createInstance(plane: Plane, id: string, body: object = BASIC) {
  const res = await call(plane, "POST", `${BASE}?instanceId=${id}`, body);
  if (res.status !== 200) throw new Error(`create ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function getInstance(plane: Plane, id: string) {
  const res = await call(plane, "GET", `${BASE}/${id}`);
  if (res.status !== 200) throw new Error(`get ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** READY with every node READY (and as many nodes as asked for). */
export function waitAllReady(plane: Plane, id: string, nodes: number, timeoutMs = 60_000) {
  return waitUntil(
    `${id} READY with ${nodes} READY nodes`,
    async () => {
      const got = await getInstance(plane, id);
      return got.state === "READY" && got.nodes?.length === nodes && got.nodes.every((n: any) => n.state === "READY") ? got : false;
    },
    timeoutMs,
  );
}

export async function deleteInstance(plane: Plane, id: string) {
  const res = await call(plane, "DELETE", `${BASE}/${id}`);
  if (res.status === 404) return;
  if (res.status !== 200) throw new Error(`delete ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  await waitOp(plane, res.body);
}

/** Creates an instance for a scenario and deletes it when the bench ends (or its scope). */
export async function scenarioInstance(plane: Plane, prefix: string, body: object) {
  const id = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  onCleanup(() => deleteInstance(plane, id));
  const op = await waitOp(plane, await createInstance(plane, id, body));
  if (op.error) throw new Error(`create ${id}: ${JSON.stringify(op.error)}`);
  return { id, instance: op.response };
}

export const randomTag = () => Math.random().toString(36).slice(2, 8);
