// High availability on both drivers, against real redis-servers: replication configured live and
// from the spec at start, an endpoint address (a "virtual IP" on loopback) moving from one node to
// another, AddressInUseError while it is still held, and stop() fencing a hung node.
// One scenario, run for each driver (describe.each), never copied.

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AddressInUseError, createDockerRuntime, createProcessRuntime, type NodeObservation, type NodeRuntime, type NodeSpec } from "../src/index.js";
import { freePortOnEveryAddress, portOpen, testSpec, until } from "./helpers.js";

const exec = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const IMAGE = "cacheplane/redis-local:7.0";
const PASSWORD = "ha pass";
const docker = (...args: string[]) => exec("docker", args, { encoding: "utf8" }).then((r) => r.stdout.trim());

interface Driver {
  name: "process" | "docker";
  setup(): Promise<void>;
  runtime(): NodeRuntime;
  /** SIGSTOPs the node's redis-server: it keeps its sockets but answers nothing. */
  hang(spec: NodeSpec): Promise<void>;
  /** What observe() reports once stop() ran. */
  stoppedLiveness: NodeObservation["liveness"];
  cleanup(specs: NodeSpec[]): Promise<void>;
}

function driver(name: Driver["name"], root: string): Driver {
  const runtimes: NodeRuntime[] = [];
  const make = () => (name === "process" ? createProcessRuntime({ nodesRoot: root }) : createDockerRuntime({ nodesRoot: root, images: { REDIS_7_0: IMAGE } }));
  return {
    name,
    stoppedLiveness: name === "process" ? "absent" : "stopped",
    async setup() {
      if (name !== "docker") return;
      if (
        !(await docker("info").then(
          () => true,
          () => false,
        ))
      )
        await exec(path.join(repo, "scripts/start-dockerd.sh"), { timeout: 240_000 });
      await exec(path.join(repo, "scripts/build-local-image.sh"), [IMAGE], { timeout: 120_000 });
    },
    runtime() {
      const rt = make();
      runtimes.push(rt);
      return rt;
    },
    async hang(spec) {
      if (name === "process") process.kill(Number(readFileSync(path.join(spec.dataDir, "redis.pid"), "utf8")), "SIGSTOP");
      else await docker("kill", "--signal", "STOP", `cacheplane-${spec.id}`);
    },
    async cleanup(specs) {
      const rt = make(); // a fresh driver: the adoption path works whatever a failed test left
      for (const s of specs) await rt.destroy(s).catch(() => {});
      await rt.close();
      for (const r of runtimes) await r.close().catch(() => {});
      if (name === "docker") {
        const left = await docker("ps", "-a", "-q", "--filter", `label=cacheplane.root=${root}`).catch(() => "");
        if (left) await docker("rm", "-f", ...left.split("\n")).catch(() => {});
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A loopback address no parallel test picks (127.0.x.x left to the usual suspects). */
const loopback = () => `127.${2 + Math.floor(Math.random() * 249)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
function distinctLoopbacks(n: number): string[] {
  const set = new Set<string>();
  while (set.size < n) set.add(loopback());
  return [...set];
}

const clients: Redis[] = [];
function connect(host: string, port: number): Redis {
  const redis = new Redis({
    host,
    port,
    password: PASSWORD,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on("error", () => {});
  clients.push(redis);
  return redis;
}
/** The bind of whichever node answers on host:port (it names that node's own host first). */
async function whoAnswers(host: string, port: number): Promise<string | undefined> {
  const c = connect(host, port);
  try {
    await c.connect();
    return ((await c.config("GET", "bind")) as string[])[1]?.split(" ")[0];
  } catch {
    return undefined;
  } finally {
    c.disconnect();
  }
}

describe.each(["process", "docker"] as const)("high availability, %s driver", (driverName) => {
  const root = mkdtempSync(path.join(os.tmpdir(), `cacheplane-ha-${driverName}-`));
  const d = driver(driverName, root);
  const specs: NodeSpec[] = [];
  let n = 0;

  beforeAll(() => d.setup(), 300_000);
  afterAll(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await d.cleanup(specs);
  });

  const spec = (host: string, port: number, over: Partial<NodeSpec> = {}): NodeSpec => {
    const s = testSpec(root, {
      id: `ha${driverName[0]}${process.pid}-${n++}`,
      instanceUid: `ha${process.pid}`,
      host,
      port,
      // Redis 7's default diskless sync waits 5 s for more replicas before each full sync.
      config: { requirepass: PASSWORD, masterauth: PASSWORD, maxmemory: "64mb", "repl-diskless-sync-delay": "0" },
      ...over,
    });
    specs.push(s);
    return s;
  };
  const observeUntil = (rt: NodeRuntime, s: NodeSpec, ok: (o: NodeObservation) => boolean, timeoutMs = 10_000) => until(() => rt.observe(s), ok, timeoutMs);

  it("replicates, moves the endpoint address to a promoted replica, and refuses an address still held", async () => {
    const rt = d.runtime();
    const port = await freePortOnEveryAddress();
    const [hostA, hostB, vip] = distinctLoopbacks(3) as [string, string, string];
    const a0 = spec(hostA, port);
    const b0 = spec(hostB, port);
    await rt.start(a0);
    await rt.start(b0);
    // start() resolves once the port listens; on a loaded machine the first PING may still be slow.
    const fresh = await observeUntil(rt, b0, (o) => o.liveness === "running");
    expect(fresh.replication).toMatchObject({ role: "primary", offset: 0 });

    // B follows A, configured live.
    const b = { ...b0, replicaOf: { host: hostA, port } };
    await rt.configure(b);
    const seenB = await observeUntil(rt, b, (o) => o.replication?.linkUp === true);
    expect(seenB).toMatchObject({ liveness: "running", role: "slave", bind: [hostB] });
    expect(seenB.replication).toMatchObject({ role: "replica", primaryHost: hostA, primaryPort: port, linkUp: true, syncing: false });
    expect(readFileSync(path.join(b.dataDir, "redis.conf"), "utf8")).toContain(`replicaof ${hostA} ${port}\n`);
    await rt.configure(b); // idempotent: nothing to do, nothing breaks
    expect((await rt.observe(b)).replication?.linkUp).toBe(true);

    // A takes the endpoint address at runtime; a client on it reaches A.
    const a = { ...a0, endpointHosts: [vip] };
    await rt.configure(a);
    const seenA = await rt.observe(a);
    expect(seenA.bind).toEqual([hostA, vip]);
    expect(seenA.replication).toMatchObject({ role: "primary", connectedReplicas: 1 });
    expect(readFileSync(path.join(a.dataDir, "redis.conf"), "utf8")).toContain(`bind ${hostA} ${vip}\n`);
    expect(await whoAnswers(vip, port)).toBe(hostA);

    // Writes on A (through the endpoint) reach B; offsets advance on both.
    const before = seenA.replication!.offset;
    const viaVip = connect(vip, port);
    await viaVip.connect();
    for (let i = 0; i < 50; i++) await viaVip.set(`k${i}`, `v${i}`);
    const primaryOffset = (await rt.observe(a)).replication!.offset;
    expect(primaryOffset).toBeGreaterThan(before);
    const synced = await observeUntil(rt, b, (o) => (o.replication?.offset ?? -1) >= primaryOffset);
    expect(synced.replication!.offset).toBeGreaterThanOrEqual(primaryOffset);
    const onB = connect(hostB, port);
    await onB.connect();
    expect(await onB.get("k49")).toBe("v49");
    await expect(onB.set("x", "1")).rejects.toThrow(/READONLY/);

    // B cannot take the address while A holds it: AddressInUseError naming it, B left as it was
    // (still a replica, same bind, the other change in the same spec not applied).
    const promoteB = { ...b, replicaOf: undefined, endpointHosts: [vip], config: { ...b.config, "maxmemory-policy": "allkeys-lru" } };
    const refused = await rt.configure(promoteB).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AddressInUseError);
    expect((refused as Error).message).toContain(`${vip}:${port}`);
    const unchanged = await rt.observe(promoteB);
    expect(unchanged).toMatchObject({ role: "slave", bind: [hostB], config: { "maxmemory-policy": "noeviction" } });
    expect(unchanged.replication?.linkUp).toBe(true);
    expect(readFileSync(path.join(b.dataDir, "redis.conf"), "utf8")).toContain(`replicaof ${hostA} ${port}\n`);

    // Move: A gives the address up (its clients on it are cut), then B is promoted and takes it.
    await rt.configure(a0);
    expect((await rt.observe(a0)).bind).toEqual([hostA]);
    await until(
      async () => viaVip.status,
      (s) => s === "end" || s === "close",
      2000,
    );
    expect(["end", "close"]).toContain(viaVip.status);
    expect(await portOpen(port, vip)).toBe(false);
    await rt.configure(promoteB);
    const promoted = await rt.observe(promoteB);
    expect(promoted).toMatchObject({ role: "master", bind: [hostB, vip], config: { "maxmemory-policy": "allkeys-lru" } });
    expect(promoted.replication).toMatchObject({ role: "primary" });
    expect(readFileSync(path.join(b.dataDir, "redis.conf"), "utf8")).not.toMatch(/^replicaof /m);
    expect(await whoAnswers(vip, port)).toBe(hostB);
    const viaVip2 = connect(vip, port);
    await viaVip2.connect();
    expect(await viaVip2.set("after-move", "b")).toBe("OK");
    expect(await viaVip2.get("k0")).toBe("v0");

    // The former primary follows the new one and gets the write made after the move.
    const demotedA = { ...a0, replicaOf: { host: hostB, port } };
    await rt.configure(demotedA);
    await observeUntil(rt, demotedA, (o) => o.replication?.linkUp === true);
    const onA = connect(hostA, port);
    await onA.connect();
    expect(
      await until(
        () => onA.get("after-move"),
        (v) => v === "b",
      ),
    ).toBe("b");
    expect((await rt.observe(promoteB)).replication).toMatchObject({ role: "primary", connectedReplicas: 1 });
  }, 60_000);

  it("stop() fences a hung primary; a node restarted with replicaOf comes back as a replica with its data", async () => {
    const rt = d.runtime();
    const port = await freePortOnEveryAddress();
    const [hostA, hostB, vip, hostC] = distinctLoopbacks(4) as [string, string, string, string];
    const a = spec(hostA, port, { endpointHosts: [vip] });
    const b = spec(hostB, port, { replicaOf: { host: hostA, port } }); // a replica from its first start
    await rt.start(a);
    await rt.start(b);
    expect((await rt.observe(a)).bind).toEqual([hostA, vip]);
    const onA = connect(vip, port);
    await onA.connect();
    for (let i = 0; i < 20; i++) await onA.set(`before${i}`, "x");
    const offset = (await rt.observe(a)).replication!.offset;
    await observeUntil(rt, b, (o) => o.replication?.linkUp === true && o.replication.offset >= offset);
    onA.disconnect();

    // A hangs: it still holds its addresses, so B cannot take the endpoint address yet.
    await d.hang(a);
    expect((await rt.observe(a)).liveness).toBe("unresponsive");
    const promoteB = { ...b, replicaOf: undefined, endpointHosts: [vip] };
    await expect(rt.configure(promoteB)).rejects.toThrow(AddressInUseError);
    expect((await rt.observe(b)).replication?.role).toBe("replica");
    const c = spec(hostC, port, { endpointHosts: [vip] }); // a third node cannot start on it either
    await expect(rt.start(c)).rejects.toThrow(new RegExp(`address ${vip.replace(/\./g, "\\.")}:${port} is in use`));
    expect((await rt.observe(c)).liveness).toBe("absent");

    // Fence A: nothing of it listens any more, its data dir and config stay; twice is fine.
    await rt.stop(a);
    expect(await portOpen(port, vip)).toBe(false);
    expect(await portOpen(port, hostA)).toBe(false);
    expect(existsSync(path.join(a.dataDir, "redis.conf"))).toBe(true);
    expect((await rt.observe(a)).liveness).toBe(d.stoppedLiveness);
    await rt.stop(a);
    await rt.stop(spec(hostA, port)); // never started: no error

    await rt.configure(promoteB);
    expect(await whoAnswers(vip, port)).toBe(hostB);
    const onB = connect(vip, port);
    await onB.connect();
    await onB.set("after", "y");

    // A comes back as a replica of B (its spec says so), never as an empty primary.
    const aReplica = { ...a, endpointHosts: undefined, replicaOf: { host: hostB, port } };
    await rt.start(aReplica);
    const back = await observeUntil(rt, aReplica, (o) => o.replication?.linkUp === true);
    expect(back.replication).toMatchObject({ role: "replica", primaryHost: hostB, linkUp: true });
    expect(back.bind).toEqual([hostA]);
    const aDirect = connect(hostA, port);
    await aDirect.connect();
    expect(
      await until(
        () => aDirect.get("after"),
        (v) => v === "y",
      ),
    ).toBe("y");
    expect(await aDirect.get("before19")).toBe("x");

    // Restart while its primary is down: still a replica, serving the data it had (its own RDB).
    await aDirect.save();
    aDirect.disconnect();
    await rt.stop(promoteB);
    await rt.stop(aReplica);
    await rt.start(aReplica);
    const alone = await observeUntil(rt, aReplica, (o) => o.liveness === "running" && !o.loading && o.replication !== undefined);
    expect(alone.replication).toMatchObject({ role: "replica", primaryHost: hostB, linkUp: false });
    const again = connect(hostA, port);
    await again.connect();
    expect(await again.get("after")).toBe("y");
    expect(await again.get("before0")).toBe("x");
    again.disconnect();

    // And the stopped primary starts again from its kept data (docker: the same container).
    await rt.start(promoteB);
    await observeUntil(rt, aReplica, (o) => o.replication?.linkUp === true);
  }, 60_000);
});
