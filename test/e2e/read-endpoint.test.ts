// READ_REPLICAS_ENABLED: a read endpoint balanced over the healthy replicas, that follows their
// health and goes away with the setting or the instance: by kernel redirects, and by the
// user-space balancer (forced with CACHEPLANE_READ_ENDPOINT=proxy, and chosen by a worker that
// finds no iptables), which must keep serving while no worker runs.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { isPortOpen } from "../support/net.js";
import { waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";
import { spawnWorker, type WorkerProcess } from "../support/worker-process.js";

const BASE = "/v1/projects/default/locations/local1/instances";

/** Which node answers each of n fresh connections to host:port (by its announced address). */
async function whoAnswers(host: string, port: number, n = 12): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const redis = new Redis({ host, port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      const [, address] = (await redis.config("GET", "replica-announce-ip")) as string[];
      const role = ((await redis.role()) as unknown[])[0];
      seen.push(`${address}:${role}`);
    } finally {
      redis.disconnect();
    }
  }
  return seen;
}

const routesOf = (uid: string) => {
  try {
    return execFileSync("iptables", ["-w", "5", "-t", "nat", "-S", `CPR-${uid.replace(/-/g, "").slice(0, 24)}`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return "";
  }
};

describe.each(DRIVERS)("read endpoint with the %s driver", (driver) => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    process.env.CACHEPLANE_READ_ENDPOINT = "kernel"; // read at the worker's start
    cp = await startTestControlPlane({ driver });
  });
  afterAll(async () => {
    await cp?.stop();
    delete process.env.CACHEPLANE_READ_ENDPOINT;
  });
  const get = async () => (await cp.api("GET", `${BASE}/reads`)).body;

  it("balances reads over healthy replicas and follows their health", async () => {
    const created = await cp.api("POST", `${BASE}?instanceId=reads`, {
      tier: "STANDARD_HA",
      memorySizeGb: 1,
      replicaCount: 2,
      readReplicasMode: "READ_REPLICAS_ENABLED",
    });
    expect(created.status).toBe(200);
    const op = await cp.waitOperation(created.body.name);
    expect(op.error).toBeUndefined();
    const instance = await get();
    expect(instance).toMatchObject({ readReplicasMode: "READ_REPLICAS_ENABLED", readEndpoint: "127.0.3.1", readEndpointPort: instance.port });
    const replicas = instance.nodes.filter((n: any) => n.role === "REPLICA");

    const writer = endpointClient(instance.host, instance.port);
    await writer.set("seen-by-readers", "yes");
    // A plain client: endpointClient would reconnect and resend on READONLY, forever, here.
    const reader = new Redis({ host: instance.readEndpoint, port: instance.readEndpointPort, maxRetriesPerRequest: 1 });
    reader.on("error", () => undefined);
    await waitFor("the write on the read endpoint", async () => (await reader.get("seen-by-readers")) === "yes");
    await expect(reader.set("x", "y")).rejects.toThrow(/READONLY/);
    reader.disconnect();
    writer.disconnect();

    const answers = await whoAnswers(instance.readEndpoint, instance.readEndpointPort);
    expect(new Set(answers)).toEqual(new Set(replicas.map((r: any) => `${r.host}:slave`)));

    // A replica's zone goes down: the read endpoint leaves it, and takes it back on recovery.
    const zone = replicas[0].zone;
    expect((await cp.api("POST", `/v1/projects/default/locations/local1/zones/${zone}:fail`)).status).toBe(200);
    try {
      await waitFor("reads to avoid the replica in the failed zone", async () => {
        const now = await whoAnswers(instance.readEndpoint, instance.readEndpointPort, 6).catch(() => []);
        return now.length === 6 && now.every((a) => a === `${replicas[1].host}:slave`);
      });
    } finally {
      await cp.api("POST", `/v1/projects/default/locations/local1/zones/${zone}:recover`);
    }
    await waitFor("both replicas serving reads again", async () => {
      const now = await whoAnswers(instance.readEndpoint, instance.readEndpointPort, 8).catch(() => []);
      return new Set(now).size === 2;
    });
  });

  it("puts its rules back when a reboot has flushed them, with nothing else changed", async () => {
    // Settled first (the zone recovered above): no reconcile pass would look at the rules anyway.
    await waitFor("the instance to settle", async () => {
      const row = await cp.prisma.instance.findFirstOrThrow({ where: { instanceId: "reads" }, include: { operations: { where: { done: false } } } });
      return row.state === "READY" && row.observedGeneration === row.generation && row.operations.length === 0;
    });
    await new Promise((r) => setTimeout(r, 1500)); // a pass that marked it READY has ended
    const instance = await get();
    const uid = (await cp.prisma.instance.findFirstOrThrow({ where: { instanceId: "reads" } })).uid;
    const chain = `CPR-${uid.replace(/-/g, "").slice(0, 24)}`;
    expect(routesOf(uid)).toMatch(/DNAT/);
    // What a reboot does to the nat table; the instance stays READY and converged meanwhile.
    const iptables = (...args: string[]) => execFileSync("iptables", ["-w", "5", "-t", "nat", ...args]);
    iptables("-D", "OUTPUT", "-d", `${instance.readEndpoint}/32`, "-p", "tcp", "--dport", String(instance.readEndpointPort), "-j", chain);
    iptables("-F", chain);
    iptables("-X", chain);
    expect(routesOf(uid)).toBe("");
    // Its chain is filled before the OUTPUT rule jumps to it: wait for reads to be answered.
    await waitFor(
      "the resync to route reads again",
      async () => (await whoAnswers(instance.readEndpoint, instance.readEndpointPort, 2).catch(() => [])).length === 2,
      20_000,
    );
    expect(routesOf(uid)).toMatch(/DNAT/);
    const answers = await whoAnswers(instance.readEndpoint, instance.readEndpointPort);
    expect(new Set(answers)).toEqual(new Set(instance.nodes.filter((n: any) => n.role === "REPLICA").map((r: any) => `${r.host}:slave`)));
  });

  it("goes away with the setting and with the instance", async () => {
    const instance = await get();
    const uid = (await cp.prisma.instance.findFirstOrThrow({ where: { instanceId: "reads" } })).uid;
    expect(routesOf(uid)).toMatch(/DNAT/);
    const off = await cp.api("PATCH", `${BASE}/reads?updateMask=readReplicasMode`, { readReplicasMode: "READ_REPLICAS_DISABLED" });
    expect((await cp.waitOperation(off.body.name)).error).toBeUndefined();
    const after = await get();
    expect(after.readEndpoint).toBeUndefined();
    expect(await isPortOpen(instance.readEndpoint, instance.readEndpointPort)).toBe(false);
    expect(routesOf(uid)).toBe("");

    const on = await cp.api("PATCH", `${BASE}/reads?updateMask=readReplicasMode`, { readReplicasMode: "READ_REPLICAS_ENABLED" });
    expect((await cp.waitOperation(on.body.name)).error).toBeUndefined();
    expect(routesOf(uid)).toMatch(/DNAT/);
    const deleted = await cp.api("DELETE", `${BASE}/reads`);
    await cp.waitOperation(deleted.body.name);
    expect(routesOf(uid)).toBe("");
    expect(await isPortOpen(instance.readEndpoint, instance.readEndpointPort)).toBe(false);
  });
});

/** pids of the read balancers listening on the read endpoint at port (their argv names it). */
async function balancersOn(port: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).split("\0");
    if (argv[1]?.endsWith("/read-balancer.mjs") && argv.includes(`127.0.3.1:${port}`)) pids.push(Number(entry));
  }
  return pids;
}

/** Fresh connections through host:port for ms: how many were answered by a replica, how many failed. */
async function readFor(host: string, port: number, ms: number) {
  const deadline = Date.now() + ms;
  let ok = 0;
  let failed = 0;
  while (Date.now() < deadline) {
    const [answer] = await whoAnswers(host, port, 1).catch(() => [undefined]);
    if (answer?.endsWith(":slave")) ok++;
    else failed++;
  }
  return { ok, failed };
}

/** PATH without the directories that hold iptables: a machine without it, for a worker child. */
const PATH_WITHOUT_IPTABLES = (process.env.PATH ?? "")
  .split(":")
  .filter((dir) => dir && !existsSync(join(dir, "iptables")))
  .join(":");

describe.each(DRIVERS)("read endpoint on the user-space balancer with the %s driver", (driver) => {
  let cp: TestControlPlane;
  let child: WorkerProcess | undefined;
  let instance: any;
  let uid: string;
  const ZONES_URL = "/v1/projects/default/locations/local1/zones";
  const get = async (id = "reads") => (await cp.api("GET", `${BASE}/${id}`)).body;
  const replicasOf = (i: any) => i.nodes.filter((n: any) => n.role === "REPLICA");
  const answers = (n: number) => whoAnswers(instance.readEndpoint, instance.readEndpointPort, n).catch(() => [] as string[]);

  beforeAll(async () => {
    process.env.CACHEPLANE_READ_ENDPOINT = "proxy"; // read at each in-process worker's start
    cp = await startTestControlPlane({ driver });
    const created = await cp.api("POST", `${BASE}?instanceId=reads`, {
      tier: "STANDARD_HA",
      memorySizeGb: 1,
      replicaCount: 2,
      readReplicasMode: "READ_REPLICAS_ENABLED",
    });
    expect((await cp.waitOperation(created.body.name)).error).toBeUndefined();
    instance = await get();
    uid = (await cp.prisma.instance.findFirstOrThrow({ where: { instanceId: "reads" } })).uid;
  });
  afterAll(async () => {
    await child?.kill();
    await cp?.stop();
    delete process.env.CACHEPLANE_READ_ENDPOINT;
  });

  it("balances reads round robin over every replica, from a process of its own", async () => {
    expect(instance).toMatchObject({ readEndpoint: "127.0.3.1", readEndpointPort: instance.port });
    const balancers = await balancersOn(instance.readEndpointPort);
    expect(balancers).toHaveLength(1);
    expect(balancers[0]).not.toBe(process.pid);
    const events = await cp.prisma.event.findMany({ where: { instanceUid: uid, type: "READ_ROUTES" } });
    expect(events.map((e) => e.message)).toContainEqual(expect.stringContaining("read endpoint on the user-space balancer: CACHEPLANE_READ_ENDPOINT=proxy"));

    const writer = endpointClient(instance.host, instance.port);
    await writer.set("seen-by-readers", "yes");
    const reader = new Redis({ host: instance.readEndpoint, port: instance.readEndpointPort, maxRetriesPerRequest: 1 });
    reader.on("error", () => undefined);
    await waitFor("the write on the read endpoint", async () => (await reader.get("seen-by-readers")) === "yes");
    await expect(reader.set("x", "y")).rejects.toThrow(/READONLY/);
    reader.disconnect();
    writer.disconnect();

    // Round robin: n connections in a row split evenly.
    const seen = await answers(12);
    const replicas = replicasOf(instance);
    for (const r of replicas) expect(seen.filter((a) => a === `${r.host}:slave`)).toHaveLength(6);
  });

  it("a replica that leaves (its zone down, a failover) gets no new connections", async () => {
    const [pid] = await balancersOn(instance.readEndpointPort);
    const replicas = replicasOf(instance);
    expect((await cp.api("POST", `${ZONES_URL}/${replicas[0].zone}:fail`)).status).toBe(200);
    try {
      await waitFor("reads to avoid the replica in the failed zone", async () => {
        const now = await answers(6);
        return now.length === 6 && now.every((a) => a === `${replicas[1].host}:slave`);
      });
    } finally {
      await cp.api("POST", `${ZONES_URL}/${replicas[0].zone}:recover`);
    }
    await waitFor("both replicas serving reads again", async () => new Set(await answers(8)).size === 2);

    // A failover: the promoted replica leaves the read endpoint, the old primary joins it once in sync.
    const failover = await cp.api("POST", `${BASE}/reads:failover`, { dataProtectionMode: "LIMITED_DATA_LOSS" });
    expect((await cp.waitOperation(failover.body.name)).error).toBeUndefined();
    const after = await get();
    const promoted = after.nodes.find((n: any) => n.role === "PRIMARY");
    expect(replicas.map((r: any) => r.host)).toContain(promoted.host);
    await waitFor("reads on both replicas of the new primary", async () => {
      const now = await answers(8);
      return now.length === 8 && new Set(now).size === 2 && now.every((a) => a.endsWith(":slave") && !a.startsWith(`${promoted.host}:`));
    });
    // Reloaded in place, never restarted.
    expect(await balancersOn(instance.readEndpointPort)).toEqual([pid]);
    instance = after;
  });

  it("keeps serving while the worker is killed, and a worker that starts again adopts the balancer", async () => {
    const [pid] = await balancersOn(instance.readEndpointPort);
    await cp.worker!.stop();
    // A worker on a machine without iptables: the probe picks the balancer by itself.
    const path = process.env.PATH;
    process.env.PATH = PATH_WITHOUT_IPTABLES;
    try {
      child = await spawnWorker(cp);
    } finally {
      process.env.PATH = path;
    }
    expect(child.output()).toMatch(/"readEndpoint":"proxy".*kernel redirects need iptables, which is not installed.*"msg":"worker started"/);
    // The child moves the endpoint off a replica and back: it found the balancer by its pid file.
    const replicas = replicasOf(instance);
    expect((await cp.api("POST", `${ZONES_URL}/${replicas[1].zone}:fail`)).status).toBe(200);
    await waitFor("the child worker to take the replica out", async () => (await answers(4)).every((a) => a === `${replicas[0].host}:slave`));
    await cp.api("POST", `${ZONES_URL}/${replicas[1].zone}:recover`);
    await waitFor("both replicas again", async () => new Set(await answers(8)).size === 2);

    await child.kill("SIGKILL");
    child = undefined;
    const during = await readFor(instance.readEndpoint, instance.readEndpointPort, 1_000);
    expect(during.failed).toBe(0);
    expect(during.ok).toBeGreaterThan(10);
    expect(await balancersOn(instance.readEndpointPort)).toEqual([pid]);
    await cp.startWorker();
    await cp.worker!.resync();
    expect(await balancersOn(instance.readEndpointPort)).toEqual([pid]);
  });

  it("goes away with the setting and with the instance", async () => {
    const stateDir = join(cp.dataDir, "edge", uid);
    expect(existsSync(join(stateDir, "balancer.json"))).toBe(true);
    const off = await cp.api("PATCH", `${BASE}/reads?updateMask=readReplicasMode`, { readReplicasMode: "READ_REPLICAS_DISABLED" });
    expect((await cp.waitOperation(off.body.name)).error).toBeUndefined();
    expect((await get()).readEndpoint).toBeUndefined();
    expect(await balancersOn(instance.readEndpointPort)).toEqual([]);
    expect(await isPortOpen(instance.readEndpoint, instance.readEndpointPort)).toBe(false);
    expect(existsSync(stateDir)).toBe(false);

    const on = await cp.api("PATCH", `${BASE}/reads?updateMask=readReplicasMode`, { readReplicasMode: "READ_REPLICAS_ENABLED" });
    expect((await cp.waitOperation(on.body.name)).error).toBeUndefined();
    expect(await balancersOn(instance.readEndpointPort)).toHaveLength(1);
    const deleted = await cp.api("DELETE", `${BASE}/reads`);
    await cp.waitOperation(deleted.body.name);
    expect(await balancersOn(instance.readEndpointPort)).toEqual([]);
    expect(await isPortOpen(instance.readEndpoint, instance.readEndpointPort)).toBe(false);
    expect(existsSync(stateDir)).toBe(false);
  });

  it("resync starts a balancer that died again, and removes one whose instance is gone", async () => {
    const created = await cp.api("POST", `${BASE}?instanceId=orphan`, {
      tier: "STANDARD_HA",
      memorySizeGb: 1,
      replicaCount: 1,
      readReplicasMode: "READ_REPLICAS_ENABLED",
    });
    expect((await cp.waitOperation(created.body.name)).error).toBeUndefined();
    const orphan = await get("orphan");
    const row = await cp.prisma.instance.findFirstOrThrow({ where: { instanceId: "orphan" } });
    const [first] = await balancersOn(orphan.readEndpointPort);
    expect(first).toBeDefined();
    process.kill(first!, "SIGKILL");
    await cp.worker!.resync();
    const [again] = await waitFor("a new balancer", async () => {
      const now = await balancersOn(orphan.readEndpointPort);
      return now.length === 1 && now[0] !== first && (await whoAnswers(orphan.readEndpoint, orphan.readEndpointPort, 1)).length === 1 && now;
    });
    expect(again).not.toBe(first);
    // The record lost behind the control plane's back: what it made is now an orphan.
    await cp.worker!.stop();
    await cp.prisma.instance.delete({ where: { uid: row.uid } });
    await (await cp.startWorker()).resync();
    expect(await balancersOn(orphan.readEndpointPort)).toEqual([]);
    expect(await isPortOpen(orphan.readEndpoint, orphan.readEndpointPort)).toBe(false);
    expect(existsSync(join(cp.dataDir, "edge", row.uid))).toBe(false);
  });
});
