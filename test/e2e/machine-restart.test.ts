// A whole-machine restart (issue 9): every process of cacheplane killed at once, as a power cut
// would — the `cacheplane up` process (api, worker and the embedded PGlite in it), its private
// queue redis-server and every data node — then `cacheplane up` again on the same data dir.
// Every instance and cluster must come back READY/ACTIVE on the same endpoints: an RDB instance
// with the keys of its last snapshot, an AOF cluster with every key, an HA instance without
// persistence empty (as a cloud's replaced node is), and a NODE_RESTARTED event per node that
// says which of these it was.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, restClient, startUp, type Up } from "../../apps/cli/test/run-up.js";
import { LOCAL_IMAGE, type Driver } from "../support/control-plane.js";
import { clusterClient } from "../support/cluster-traffic.js";
import { containersUnder, removeContainersUnder } from "../support/containers.js";
import { isPortOpen } from "../support/net.js";
import { killNodesUnder, processesUnder, waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";

const docker = new Dockerode();
const LOC = "/v1/projects/default/locations/local1";
const ADMIN_KEY = "cp_machine_restart_key_0123456789";
const NANO = "REDIS_SHARED_CORE_NANO";
const DRIVERS: Driver[] = (process.env.MACHINE_RESTART_DRIVERS?.split(",") as Driver[] | undefined) ?? ["process", "docker"];

/** BGSAVE, then waits until that snapshot is on disk (no writes meanwhile). */
async function snapshot(redis: Redis) {
  const saves = (text: string) => Number(/rdb_saves:(\d+)/.exec(text)?.[1]);
  const before = saves(await redis.info("persistence"));
  await redis.bgsave();
  await waitFor("the BGSAVE to finish", async () => {
    const text = await redis.info("persistence");
    if (text.includes("rdb_last_bgsave_status:err")) throw new Error("BGSAVE failed");
    return saves(text) > before && text.includes("rdb_bgsave_in_progress:0") && text.includes("rdb_changes_since_last_save:0");
  });
}

describe.each(DRIVERS)("a whole-machine restart with the %s driver", (driver) => {
  let dir: string;
  let dataDir: string;
  let nodesRoot: string;
  let env: Record<string, string>;
  let url: string;
  let plane: Up | undefined;
  let stranger: ChildProcess | undefined;

  const api = restClient(() => url, ADMIN_KEY);
  const waitOperation = async (name: string) => {
    for (;;) {
      const res = await api("POST", `/v1/${name}:wait?timeout=60s`);
      if (res.status !== 200) throw new Error(`wait ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      if (res.body.done) return res.body;
    }
  };
  const create = async (path: string, body: unknown) => {
    const res = await api("POST", path, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.name as string;
  };
  const get = async (kind: "instances" | "clusters", id: string) => (await api("GET", `${LOC}/${kind}/${id}`)).body;
  const nodesOf = (resource: any): any[] => resource.nodes ?? resource.shards.flatMap((s: any) => s.nodes);
  const events = async (kind: "instances" | "clusters", id: string) =>
    (await api("GET", `${LOC}/${kind}/${id}/events?pageSize=1000`)).body.events as { time: string; type: string; message: string }[];
  /** Everything of this control plane's still running: processes (by data dir) and containers. */
  const running = async () => [
    ...(await processesUnder(dataDir)).map((p) => `pid ${p.pid}: ${p.cmdline}`),
    ...(driver === "docker" ? (await containersUnder(nodesRoot)).filter((c) => c.State === "running").map((c) => `container ${c.Names[0]}`) : []),
  ];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cacheplane-machine-"));
    dataDir = join(dir, "data");
    nodesRoot = join(dataDir, "nodes");
    const first = 25000 + (driver === "docker" ? 500 : 0) + Math.floor(Math.random() * 400);
    env = {
      PATH: process.env.PATH!,
      HOME: dir,
      CACHEPLANE_DATA_DIR: dataDir,
      CACHEPLANE_PORT: String(await freePort()),
      CACHEPLANE_NODE_PORTS: `${first}-${first + 99}`,
      CACHEPLANE_ADMIN_KEY: ADMIN_KEY,
      CACHEPLANE_RUNTIME: driver,
      CACHEPLANE_REDIS_IMAGE: LOCAL_IMAGE,
    };
    url = `http://127.0.0.1:${env.CACHEPLANE_PORT}`;
  });

  afterAll(async () => {
    if (!dir) return;
    if (plane?.child.exitCode === null && plane.child.signalCode === null) plane.child.kill("SIGKILL");
    stranger?.kill("SIGKILL");
    await killNodesUnder(dataDir); // nodes and the queue's redis-server
    await removeContainersUnder(nodesRoot);
    await rm(dir, { recursive: true, force: true });
  });

  it("brings every instance and cluster back on the same endpoints, with its data when persistence was on, and says so", async () => {
    const t0 = Date.now();
    const timings: string[] = [];
    const mark = (what: string) => timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    plane = await startUp(env, dir);
    mark("up");

    // ---- three deployments, created side by side
    const ops = await Promise.all([
      create(`${LOC}/instances?instanceId=rdb`, {
        tier: "BASIC",
        memorySizeGb: 1,
        persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" },
      }),
      create(`${LOC}/instances?instanceId=ha`, {
        tier: "STANDARD_HA",
        replicaCount: 1,
        memorySizeGb: 1,
        persistenceConfig: { persistenceMode: "DISABLED" },
      }),
      create(`${LOC}/clusters?clusterId=aof`, {
        shardCount: 2,
        replicaCount: 1,
        nodeType: NANO,
        persistenceConfig: { mode: "AOF", aofConfig: { appendFsync: "ALWAYS" } },
      }),
    ]);
    for (const op of await Promise.all(ops.map(waitOperation))) expect(op.error, JSON.stringify(op.error)).toBeUndefined();
    mark("created");
    const before = { rdb: await get("instances", "rdb"), ha: await get("instances", "ha"), aof: await get("clusters", "aof") };
    expect(before.rdb.state).toBe("READY");
    expect(before.ha.state).toBe("READY");
    expect(before.aof.state).toBe("ACTIVE");
    expect(nodesOf(before.ha)).toHaveLength(2);
    expect(nodesOf(before.aof)).toHaveLength(4);

    // ---- data: RDB keys snapshotted (and some written after the snapshot), HA keys on both
    // nodes, AOF keys on both shards
    const snapped = Array.from({ length: 500 }, (_, i) => `snap:${i}`);
    const late = Array.from({ length: 20 }, (_, i) => `late:${i}`);
    const rdb = endpointClient(before.rdb.host, before.rdb.port);
    try {
      await Promise.all(snapped.map((k) => rdb.set(k, k)));
      await snapshot(rdb);
      for (const k of late) await rdb.set(k, k);
    } finally {
      rdb.disconnect();
    }
    const ha = endpointClient(before.ha.host, before.ha.port);
    try {
      await Promise.all(Array.from({ length: 200 }, (_, i) => ha.set(`ha:${i}`, "v")));
      // On the replica too: had a node come back from a stale copy, the test would see it.
      expect(await ha.wait(1, 5000)).toBe(1);
    } finally {
      ha.disconnect();
    }
    const aofKeys = Array.from({ length: 500 }, (_, i) => `aof:${i}`);
    const { address, port } = before.aof.discoveryEndpoints[0];
    const cluster = clusterClient(address, port);
    try {
      for (let i = 0; i < aofKeys.length; i += 100) await Promise.all(aofKeys.slice(i, i + 100).map((k) => cluster.set(k, k)));
    } finally {
      cluster.disconnect();
    }
    // Both shards hold some: the keys really span the cluster.
    for (const primary of nodesOf(before.aof).filter((n: any) => n.role === "PRIMARY")) {
      const direct = endpointClient(primary.host, primary.port);
      try {
        expect(await direct.dbsize()).toBeGreaterThan(100);
      } finally {
        direct.disconnect();
      }
    }
    mark("written");
    // First starts are no restarts: every NODE_RESTARTED from here on is the machine's.
    const restarted = async (kind: "instances" | "clusters", id: string) => (await events(kind, id)).filter((e) => e.type === "NODE_RESTARTED");
    expect([...(await restarted("instances", "rdb")), ...(await restarted("instances", "ha")), ...(await restarted("clusters", "aof"))]).toEqual([]);

    // ---- the power cut: every process and container of this control plane, SIGKILLed at once
    const victims = (await processesUnder(dataDir)).map((p) => p.pid);
    const containers = driver === "docker" ? (await containersUnder(nodesRoot)).filter((c) => c.State === "running") : [];
    // The queue's redis-server and every node (process driver) or container (docker driver).
    expect(victims.length + containers.length).toBe(1 + 7);
    const upPid = plane.child.pid!;
    const upExit = new Promise((r) => plane!.child.once("exit", r));
    for (const pid of [upPid, ...victims]) process.kill(pid, "SIGKILL");
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).kill({ signal: "SIGKILL" })));
    await upExit;
    await waitFor("nothing of cacheplane left running", async () => (await running()).length === 0, 10_000);
    expect(await isPortOpen("127.0.0.1", Number(env.CACHEPLANE_PORT))).toBe(false);
    expect(await isPortOpen(before.rdb.host, before.rdb.port)).toBe(false);
    mark("killed");

    // A reboot hands ports out afresh: the queue's old port now belongs to someone else's Redis,
    // which the new `up` must not mistake for its own queue.
    const queueDir = join(dataDir, "queue-redis");
    const oldQueuePort = Number(await readFile(join(queueDir, "port"), "utf8"));
    stranger = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(oldQueuePort), "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    const strangerClient = endpointClient("127.0.0.1", oldQueuePort);
    await waitFor("the stranger Redis on the queue's old port", async () => (await strangerClient.ping()) === "PONG", 10_000);

    // ---- `cacheplane up` again, same data dir
    plane = await startUp(env, dir);
    mark("up again");
    // Its own queue again, in its data dir, on another port; the stranger's Redis untouched.
    const queue = (await processesUnder(queueDir)).filter((p) => p.cmdline.includes("redis-server"));
    expect(queue, JSON.stringify(queue)).toHaveLength(1);
    expect(Number(await readFile(join(queueDir, "port"), "utf8"))).not.toBe(oldQueuePort);

    /** Converged: one NODE_RESTARTED per node, the resource READY/ACTIVE with every node READY. */
    const back = (kind: "instances" | "clusters", id: string, nodes: number) =>
      waitFor(
        `${id} back`,
        async () => {
          const restarts = await restarted(kind, id);
          const got = await get(kind, id);
          const settled = got.state === (kind === "instances" ? "READY" : "ACTIVE") && nodesOf(got).every((n: any) => n.state === "READY");
          return restarts.length >= nodes && settled ? { got, restarts } : false;
        },
        90_000,
      ).catch(async (error) => {
        const got = await get(kind, id).catch(() => undefined);
        const lines = (await events(kind, id).catch(() => [])).slice(0, 15).map((e) => `${e.time} ${e.type}: ${e.message}`);
        throw new Error(
          `${(error as Error).message}\n  state ${got?.state}\n  ${nodesOf(got ?? { nodes: [] })
            .map((n: any) => `${n.id} ${n.role} ${n.state}`)
            .join("\n  ")}\n  ${lines.join("\n  ")}\n${plane?.output().slice(-3000)}`,
        );
      });
    const [rdbBack, haBack, aofBack] = await Promise.all([back("instances", "rdb", 1), back("instances", "ha", 2), back("clusters", "aof", 4)]);
    mark("converged");

    // ---- same endpoints, same nodes at the same addresses
    const shape = (r: any) =>
      nodesOf(r)
        .map((n: any) => `${n.id} ${n.host}:${n.port}`)
        .sort();
    expect([rdbBack.got.host, rdbBack.got.port]).toEqual([before.rdb.host, before.rdb.port]);
    expect([haBack.got.host, haBack.got.port]).toEqual([before.ha.host, before.ha.port]);
    expect(aofBack.got.discoveryEndpoints).toEqual(before.aof.discoveryEndpoints);
    expect(shape(rdbBack.got)).toEqual(shape(before.rdb));
    expect(shape(haBack.got)).toEqual(shape(before.ha));
    expect(shape(aofBack.got)).toEqual(shape(before.aof));

    // ---- data: RDB from its snapshot (the later writes are gone), AOF every key, HA empty
    const rdbAfter = endpointClient(before.rdb.host, before.rdb.port);
    try {
      const values = await rdbAfter.mget(...snapped);
      expect(snapped.filter((k, i) => values[i] !== k)).toEqual([]);
      expect(await rdbAfter.exists(...late)).toBe(0);
    } finally {
      rdbAfter.disconnect();
    }
    const clusterAfter = clusterClient(address, port);
    try {
      const values = await Promise.all(aofKeys.map((k) => clusterAfter.get(k)));
      expect(aofKeys.filter((k, i) => values[i] !== k)).toEqual([]);
      expect(await clusterAfter.set("after", "restart")).toBe("OK");
    } finally {
      clusterAfter.disconnect();
    }
    const haAfter = endpointClient(before.ha.host, before.ha.port);
    try {
      expect(await haAfter.dbsize()).toBe(0);
      expect(await haAfter.set("alive", "yes")).toBe("OK"); // empty, and the endpoint takes writes
      expect(await haAfter.wait(1, 5000)).toBe(1); // and its replica follows it
    } finally {
      haAfter.disconnect();
    }
    for (const node of nodesOf(haBack.got)) {
      const direct = endpointClient(node.host, node.port);
      try {
        expect(await direct.exists("ha:0", "ha:199"), node.id).toBe(0);
      } finally {
        direct.disconnect();
      }
    }

    // ---- one NODE_RESTARTED per node, saying what it came back with
    const byNode = (restarts: { message: string }[], nodes: any[]) =>
      nodes.map((n: any) => ({ node: n.id, messages: restarts.filter((e) => e.message.startsWith(`Node ${n.id} `)).map((e) => e.message) }));
    for (const { node, messages } of byNode(rdbBack.restarts, nodesOf(before.rdb))) {
      expect(messages, node).toHaveLength(1);
      expect(messages[0]).toMatch(/with its data from its last RDB snapshot/);
    }
    for (const { node, messages } of byNode(aofBack.restarts, nodesOf(before.aof))) {
      expect(messages, node).toHaveLength(1);
      expect(messages[0]).toMatch(/with its data from its AOF/);
    }
    const haPrimary = nodesOf(haBack.got).find((n: any) => n.role === "PRIMARY");
    expect(haPrimary).toBeDefined();
    for (const { node, messages } of byNode(haBack.restarts, nodesOf(before.ha))) {
      expect(messages, node).toHaveLength(1);
      expect(messages[0]).toMatch(node === haPrimary.id ? /empty: persistence is off$/ : /as a replica: persistence is off/);
    }
    expect(await strangerClient.dbsize()).toBe(0);
    strangerClient.disconnect();
    stranger.kill("SIGKILL");
    mark("checked");
    console.log(`machine restart (${driver}): ${timings.join(", ")}`);
  }, 300_000);
});
