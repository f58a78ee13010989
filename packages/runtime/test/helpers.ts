// Test helpers: free ports, temp node roots, and a registry of everything a test started so
// afterAll can stop it even when the test failed half-way.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { createProcessRuntime, type NodeRuntime, type NodeSpec } from "../src/index.js";

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

/** A free port below the kernel's ephemeral range (32768+), so no outgoing connection of a
 *  parallel test can grab it between this check and the node's bind. 25000-27999 is this
 *  package's slice (28000-29999 is kept for cluster buses, below); the end-to-end harness uses
 *  20000-24099. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 25000 + Math.floor(Math.random() * 3000);
    if (await isFree(port)) return port;
  }
}

/** A free port for a cluster-mode node, whose bus port (+10000) is free too. freePort's ports
 *  would put the bus in the ephemeral range, where an outgoing connection can hold it (a start
 *  failed so: "Failed listening on port 36340 (cluster)"): 18000-19999, buses 28000-29999. */
export async function freeClusterPort(): Promise<number> {
  for (;;) {
    const port = 18000 + Math.floor(Math.random() * 2000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
}

/** A free port (as freePort) on which nothing listens on any IPv4 address (a wildcard bind
 *  succeeds), for nodes that share one port across several loopback addresses. */
export async function freePortOnEveryAddress(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen({ port, host: "0.0.0.0", exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

export function portOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** Lines of `ps` whose command names this config file. */
export function processesFor(confPath: string): string[] {
  const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.includes(confPath));
}

export async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function client(port: number, password?: string): Redis {
  const redis = new Redis({
    host: "127.0.0.1",
    port,
    password,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on("error", () => {});
  return redis;
}

/** A test node's spec: loopback, zone local1-a, REDIS_7_0, its data dir under root. */
export function testSpec(root: string, fields: Partial<NodeSpec> & Pick<NodeSpec, "id" | "instanceUid" | "port">): NodeSpec {
  return { projectId: "test", zone: "local1-a", redisVersion: "REDIS_7_0", host: "127.0.0.1", dataDir: path.join(root, fields.id), config: {}, ...fields };
}

/** A temp nodes root plus cleanup that destroys every node made under it, then the root. */
export function testNodes() {
  const root = mkdtempSync(path.join(os.tmpdir(), "cacheplane-runtime-"));
  const specs = new Map<string, NodeSpec>();
  const runtimes: NodeRuntime[] = [];
  let n = 0;
  return {
    root,
    runtime(options: Partial<Parameters<typeof createProcessRuntime>[0]> = {}): NodeRuntime {
      const rt = createProcessRuntime({ nodesRoot: root, ...options });
      runtimes.push(rt);
      return rt;
    },
    async spec(config: Record<string, string> = {}): Promise<NodeSpec> {
      const spec = testSpec(root, { id: `inst${process.pid}-${n++}`, instanceUid: `inst${process.pid}`, port: await freePort(), config });
      specs.set(spec.id, spec);
      return spec;
    },
    /** Destroys through a fresh driver (adoption path), so it works whatever the test left. */
    async cleanup() {
      const rt = createProcessRuntime({ nodesRoot: root });
      for (const spec of specs.values()) await rt.destroy(spec).catch(() => {});
      await rt.close();
      for (const r of runtimes) await r.close().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A harmless long-running process (stands in for "someone else" holding a pid). */
export function spawnSleeper() {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  return child;
}
