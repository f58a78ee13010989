// `cacheplane up` / `down` as a user runs them (child processes, the real bin): `down` stops what
// `up` started for itself — the private queue redis-server — while data nodes keep serving; an
// `up` killed with SIGKILL leaves its queue redis-server behind, and the next `up` adopts it (or
// replaces it when it hangs), so there is never a second one on the same files; a recorded pid
// that now belongs to another process is never signalled.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killNodesUnder, processesUnder, waitFor } from "../../../test/support/processes.js";
import { isPortOpen } from "../../../test/support/net.js";
import { isRunning } from "../src/process-identity.js";
import { runCli } from "./run-cli.js";
import { freePort, restClient, startUp } from "./run-up.js";

const LOC = "/v1/projects/default/locations/local1";
const ADMIN_KEY = "cp_up_down_test_key_0123456789ab";

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once("exit", () => r()));

describe("cacheplane up and down", () => {
  let dir: string;
  let dataDir: string;
  let queueDir: string;
  let env: Record<string, string>;
  let url: string;
  let plane: ChildProcess | undefined;
  const strangers: ChildProcess[] = [];

  const api = restClient(() => url, ADMIN_KEY);
  /** Creates a BASIC instance and waits until its operation is done: the queue carried the job. */
  const createReady = async (id: string) => {
    const created = await api("POST", `${LOC}/instances?instanceId=${id}`, { tier: "BASIC", memorySizeGb: 1 });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    for (;;) {
      const res = await api("POST", `/v1/${created.body.name}:wait?timeout=60s`);
      expect(res.status).toBe(200);
      if (res.body.done) {
        expect(res.body.error).toBeUndefined();
        break;
      }
    }
    const got = (await api("GET", `${LOC}/instances/${id}`)).body;
    expect(got.state).toBe("READY");
    return got as { host: string; port: number };
  };
  /** The queue's redis-server processes of this data dir (they run in queue-redis/). */
  const queueServers = async () => (await processesUnder(queueDir)).filter((p) => p.cmdline.includes("redis-server"));
  const queuePort = async () => Number(await readFile(join(queueDir, "port"), "utf8"));
  const ping = async (host: string, port: number) => {
    const redis = new Redis({ host, port, maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await redis.connect();
      return await redis.ping();
    } finally {
      redis.disconnect();
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cacheplane-updown-"));
    dataDir = join(dir, "data");
    queueDir = join(dataDir, "queue-redis");
    const first = 26000 + Math.floor(Math.random() * 9) * 100;
    env = {
      PATH: process.env.PATH!,
      HOME: dir,
      CACHEPLANE_DATA_DIR: dataDir,
      CACHEPLANE_PORT: String(await freePort()),
      CACHEPLANE_NODE_PORTS: `${first}-${first + 99}`,
      CACHEPLANE_ADMIN_KEY: ADMIN_KEY,
      CACHEPLANE_RUNTIME: "process",
    };
    url = `http://127.0.0.1:${env.CACHEPLANE_PORT}`;
  });

  afterAll(async () => {
    plane?.kill("SIGKILL");
    for (const s of strangers) s.kill("SIGKILL");
    if (!dir) return;
    await killNodesUnder(dir);
    await rm(dir, { recursive: true, force: true });
  });

  it("down stops the queue's redis-server; a data node created before keeps serving", async () => {
    plane = (await startUp(env)).child;
    const node = await createReady("keep");
    const servers = await queueServers();
    expect(servers, JSON.stringify(servers)).toHaveLength(1);
    const port = await queuePort();
    expect(await isPortOpen("127.0.0.1", port)).toBe(true);

    const down = await runCli(["down"], env);
    expect(down.stderr).toBe("");
    expect(down.code).toBe(0);
    expect(down.stdout).toBe(`cacheplane stopped (pid ${plane.pid}).\n`);
    await exited(plane);

    expect(await isPortOpen("127.0.0.1", port)).toBe(false);
    expect(await queueServers()).toEqual([]);
    expect(isRunning(servers[0]!.pid)).toBe(false);
    // Nothing of the control plane is left but the data node.
    const left = await processesUnder(dataDir);
    expect(
      left.map((p) => p.cmdline).every((c) => c.includes(join(dataDir, "nodes"))),
      JSON.stringify(left),
    ).toBe(true);
    expect(left).toHaveLength(1);
    expect(await ping(node.host, node.port)).toBe("PONG");
  }, 240_000);

  it("after a SIGKILL of up, up again adopts the queue's redis-server: one, and the queue works", async () => {
    plane = (await startUp(env)).child;
    const [queue] = await queueServers();
    expect(queue).toBeDefined();
    const port = await queuePort();

    plane.kill("SIGKILL");
    await exited(plane);
    // Killed, `up` stopped nothing: its queue redis-server is still there.
    expect((await queueServers()).map((p) => p.pid)).toEqual([queue!.pid]);

    plane = (await startUp(env)).child;
    expect((await queueServers()).map((p) => p.pid)).toEqual([queue!.pid]);
    expect(await queuePort()).toBe(port);
    expect((await api("GET", `${LOC}/instances/keep`)).body.state).toBe("READY");
    await createReady("after-kill");
    expect(await queueServers()).toHaveLength(1);
  }, 240_000);

  it("replaces a queue redis-server that no longer answers (stopped) instead of starting a second", async () => {
    const [hung] = await queueServers();
    expect(hung).toBeDefined();
    plane!.kill("SIGKILL");
    await exited(plane!);
    process.kill(hung!.pid, "SIGSTOP");

    plane = (await startUp(env)).child;
    await waitFor("the stopped queue redis-server gone", async () => !isRunning(hung!.pid), 10_000);
    const servers = await queueServers();
    expect(servers).toHaveLength(1);
    expect(servers[0]!.pid).not.toBe(hung!.pid);
    await createReady("after-hang");
  }, 240_000);

  it("down after a killed up stops the queue redis-server it left; a stranger with a recorded pid is never signalled", async () => {
    const [left] = await queueServers();
    plane!.kill("SIGKILL");
    await exited(plane!);
    plane = undefined;
    const down = await runCli(["down"], env);
    expect(down.code).toBe(0);
    expect(down.stdout).toBe(`cacheplane is not running from ${dataDir}. Stopped the queue's redis-server it left running.\n`);
    expect(isRunning(left!.pid)).toBe(false);
    expect(await queueServers()).toEqual([]);

    // The record of a queue redis-server whose pid now belongs to another process.
    const stranger = spawn("sleep", ["30"], { stdio: "ignore" });
    strangers.push(stranger);
    await writeFile(join(queueDir, "server.pid"), `${stranger.pid}\nsome-boot-id:12345\n`);
    const again = await runCli(["down"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`cacheplane is not running from ${dataDir}.\n`);
    expect(isRunning(stranger.pid!)).toBe(true);
  }, 120_000);
});
