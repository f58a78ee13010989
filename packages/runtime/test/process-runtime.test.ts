// The process driver against real redis-server processes.
import { mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findRedisServer, NodeStartError, PortInUseError, RedisServerNotFoundError, type NodeRuntime, type NodeSpec } from "../src/index.js";
import { client, portOpen, processesFor, spawnSleeper, testNodes, until } from "./helpers.js";

const nodes = testNodes();
afterAll(() => nodes.cleanup());

const running = (rt: NodeRuntime, spec: NodeSpec) =>
  until(
    () => rt.observe(spec),
    (o) => o.liveness === "running" && !o.loading,
  );
const pidOf = (spec: NodeSpec) => Number(readFileSync(path.join(spec.dataDir, "redis.pid"), "utf8"));
const confOf = (spec: NodeSpec) => path.join(spec.dataDir, "redis.conf");

describe("process runtime", () => {
  it("runs a node through start, configure, auth, crash, restart and destroy", async () => {
    const rt = nodes.runtime();
    const spec = await nodes.spec({ maxmemory: String(64 * 1024 * 1024), "maxmemory-policy": "allkeys-lru", save: "3600 1" });

    await rt.start(spec);
    expect(statSync(spec.dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(confOf(spec)).mode & 0o777).toBe(0o600);

    const first = await running(rt, spec);
    expect(first).toMatchObject({ id: spec.id, liveness: "running", loading: false, role: "master", config: spec.config });
    expect(first.handle).toBe(String(pidOf(spec)));

    const c = client(spec.port);
    await c.connect();
    await c.set("k", "v");
    expect(await c.get("k")).toBe("v");

    // maxmemory change: live and in the regenerated file.
    const bigger = { ...spec, config: { ...spec.config, maxmemory: "128mb" } };
    await rt.configure(bigger);
    expect(await c.config("GET", "maxmemory")).toEqual(["maxmemory", String(128 * 1024 * 1024)]);
    expect(readFileSync(confOf(spec), "utf8")).toMatch(/^maxmemory 128mb$/m);
    expect((await rt.observe(bigger)).config).toEqual(bigger.config); // spelled as the spec, not in bytes
    c.disconnect();

    // Auth on: anonymous clients are refused, the password works, observe keeps seeing the node.
    const password = 'pa ss"word\\1';
    const secured = { ...bigger, config: { ...bigger.config, requirepass: password } };
    await rt.configure(secured);
    const anon = client(spec.port);
    await anon.connect();
    await expect(anon.get("k")).rejects.toThrow(/NOAUTH/);
    anon.disconnect();
    const authed = client(spec.port, password);
    await authed.connect();
    expect(await authed.get("k")).toBe("v");
    await authed.save(); // so the restart below proves the data dir survived
    authed.disconnect();
    expect(await rt.observe(secured)).toMatchObject({ liveness: "running", config: secured.config });
    expect(statSync(confOf(spec)).mode & 0o777).toBe(0o600);

    // Crash: kill -9, observe sees it gone; start brings it back on the same port with its data.
    const pid = pidOf(spec);
    process.kill(pid, "SIGKILL");
    expect(
      (
        await until(
          () => rt.observe(secured),
          (o) => o.liveness === "absent",
        )
      ).liveness,
    ).toBe("absent");
    await rt.start(secured);
    expect(pidOf(spec)).not.toBe(pid);
    await running(rt, secured);
    const again = client(spec.port, password);
    await again.connect();
    expect(await again.get("k")).toBe("v");
    expect(await again.config("GET", "maxmemory")).toEqual(["maxmemory", String(128 * 1024 * 1024)]);
    again.disconnect();

    // Auth off again: the empty requirepass is applied live.
    const open = { ...secured, config: { ...secured.config, requirepass: "" } };
    await rt.configure(open);
    expect(await rt.observe(open)).toMatchObject({ liveness: "running", config: open.config });

    await rt.destroy(open);
    expect(await portOpen(spec.port)).toBe(false);
    expect(existsSync(spec.dataDir)).toBe(false);
    expect(await rt.observe(open)).toMatchObject({ liveness: "absent", config: {} });
    await rt.destroy(open); // idempotent
  });

  it("lets a new driver instance adopt, observe and destroy a node another one started", async () => {
    const a = nodes.runtime();
    // A newline in a password must survive the config file (written as \x0a, not a line break).
    const spec = await nodes.spec({ requirepass: "line1\nline2" });
    await a.start(spec);
    await running(a, spec);
    await a.close();

    const b = nodes.runtime();
    const seen = await running(b, spec);
    expect(seen.handle).toBe(String(pidOf(spec)));
    expect(seen.config).toEqual(spec.config);
    expect(await b.list()).toContain(spec.id);

    await b.destroy(spec);
    expect(processesFor(confOf(spec))).toEqual([]);
    expect(existsSync(spec.dataDir)).toBe(false);
    expect((await a.observe(spec)).liveness).toBe("absent");
    expect(await b.list()).not.toContain(spec.id);
  });

  it("starts once however often start() is called", async () => {
    const rt = nodes.runtime();
    const spec = await nodes.spec();
    await Promise.all([rt.start(spec), rt.start(spec)]);
    await rt.start(spec);
    await nodes.runtime().start(spec); // another instance, as after a worker restart
    const procs = processesFor(confOf(spec));
    expect(procs).toHaveLength(1);
    expect(Number(procs[0]!.trim().split(/\s+/)[0])).toBe(pidOf(spec));
    await rt.destroy(spec);
  });

  it("refuses a port someone else holds, clearly and at once", async () => {
    const rt = nodes.runtime();
    const spec = await nodes.spec();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(spec.port, "127.0.0.1", r));
    try {
      const t0 = Date.now();
      await expect(rt.start(spec)).rejects.toThrow(PortInUseError);
      await expect(rt.start(spec)).rejects.toThrow(new RegExp(`port ${spec.port} on 127.0.0.1 is already in use`));
      expect(Date.now() - t0).toBeLessThan(1000);
      expect((await rt.observe(spec)).liveness).toBe("absent");
    } finally {
      squatter.close();
      await rt.destroy(spec);
    }
  });

  it("reports why redis-server refused to start", async () => {
    const rt = nodes.runtime();
    const spec = await nodes.spec({ "no-such-directive": "1" });
    await expect(rt.start(spec)).rejects.toThrow(NodeStartError);
    await expect(rt.start(spec)).rejects.toThrow(/Bad directive/);
    expect((await rt.observe(spec)).liveness).toBe("absent");
    await rt.destroy(spec);
  });

  it("never signals a process that merely reuses the node's old pid", async () => {
    const rt = nodes.runtime();
    const spec = await nodes.spec();
    const sleeper = spawnSleeper();
    try {
      mkdirSync(spec.dataDir, { recursive: true });
      writeFileSync(confOf(spec), "# stale\n");
      writeFileSync(path.join(spec.dataDir, "redis.pid"), `${sleeper.pid}\n`);
      expect((await rt.observe(spec)).liveness).toBe("absent");
      await rt.destroy(spec);
      expect(sleeper.exitCode).toBeNull();
      expect(() => process.kill(sleeper.pid!, 0)).not.toThrow();
      expect(existsSync(spec.dataDir)).toBe(false);
    } finally {
      sleeper.kill("SIGKILL");
    }
  });

  it("sees a hung node as unresponsive within the probe timeout, and kills it on destroy", async () => {
    const rt = nodes.runtime();
    const spec = await nodes.spec();
    await rt.start(spec);
    await running(rt, spec);
    const pid = pidOf(spec);
    process.kill(pid, "SIGSTOP");
    try {
      const t0 = Date.now();
      expect((await rt.observe(spec)).liveness).toBe("unresponsive");
      expect(Date.now() - t0).toBeLessThan(1000);
      const t1 = Date.now();
      await rt.destroy(spec); // SIGTERM stays pending on a stopped process: escalates to SIGKILL
      expect(Date.now() - t1).toBeGreaterThanOrEqual(1900);
      expect(processesFor(confOf(spec))).toEqual([]);
    } finally {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  });

  it("still reaches a node whose password changed in the spec but not yet on the node", async () => {
    const rt = nodes.runtime();
    const spec = await nodes.spec({ requirepass: "old" });
    await rt.start(spec);
    await running(rt, spec);
    const changed = { ...spec, config: { requirepass: "new" } };
    const seen = await rt.observe(changed);
    expect(seen).toMatchObject({ liveness: "running", config: { requirepass: "old" } }); // drift is visible
    await rt.configure(changed);
    expect(await rt.observe(changed)).toMatchObject({ liveness: "running", config: { requirepass: "new" } });
    await rt.destroy(changed);
  });

  it("restarts a primary with persistence off empty, whatever RDB or AOF it left behind", async () => {
    const rt = nodes.runtime();
    const spec = await nodes.spec({ save: "", appendonly: "yes" });
    await rt.start(spec);
    await running(rt, spec);
    const c = client(spec.port);
    await c.connect();
    await c.set("old", "1");
    await c.save(); // a dump.rdb beside the AOF: both stale once persistence is off
    c.disconnect();
    const off = { ...spec, config: { save: "", appendonly: "no" } };
    await rt.configure(off);
    await rt.stop(off);
    expect(existsSync(path.join(spec.dataDir, "dump.rdb"))).toBe(true);
    await rt.start(off);
    await running(rt, off);
    const again = client(spec.port);
    await again.connect();
    expect(await again.dbsize()).toBe(0);
    again.disconnect();
    expect(existsSync(path.join(spec.dataDir, "dump.rdb"))).toBe(false);
    expect(existsSync(path.join(spec.dataDir, "appendonlydir"))).toBe(false);
    await rt.destroy(off);
  });

  it("keeps a node's RDB data when AOF was turned on while it was down, and writes its AOF", async () => {
    const rt = nodes.runtime();
    const spec = await nodes.spec({ save: "3600 1" });
    await rt.start(spec);
    await running(rt, spec);
    const c = client(spec.port);
    await c.connect();
    for (let i = 0; i < 100; i++) await c.set(`k${i}`, String(i));
    await c.save();
    c.disconnect();
    await rt.stop(spec);
    const aof = { ...spec, config: { save: "", appendonly: "yes", appendfsync: "always" } };
    await rt.configure(aof); // not running: only the file changes
    await rt.start(aof);
    // Started from its RDB with AOF off (Redis would ignore the RDB), then AOF on live.
    const started = await running(rt, aof);
    expect(started.config.appendonly).toBe("no");
    await rt.configure(aof);
    const again = client(spec.port);
    await again.connect();
    expect(await again.dbsize()).toBe(100);
    expect(await again.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
    await until(
      async () => (await again.info("persistence")).includes("aof_rewrite_in_progress:0"),
      (done) => done,
    );
    again.disconnect();
    // The AOF now holds the data: a kill -9 and a start with appendonly yes keep every key.
    process.kill(pidOf(spec), "SIGKILL");
    await until(
      () => rt.observe(aof),
      (o) => o.liveness === "absent",
    );
    await rt.start(aof);
    await running(rt, aof);
    const last = client(spec.port);
    await last.connect();
    expect(await last.dbsize()).toBe(100);
    last.disconnect();
    await rt.destroy(aof);
  });

  it("observes a node that never existed without throwing", async () => {
    const rt = nodes.runtime();
    const spec = await nodes.spec({ maxmemory: "1" });
    expect(await rt.observe(spec)).toEqual({ id: spec.id, liveness: "absent", loading: false, config: {} });
    await rt.destroy(spec);
  });

  it("rejects a data dir outside nodesRoot before touching anything", async () => {
    const rt = nodes.runtime();
    const spec = await nodes.spec();
    await expect(rt.destroy({ ...spec, dataDir: "/tmp" })).rejects.toThrow(/dataDir must be/);
  });

  it("names what to install when redis-server is missing", async () => {
    expect(() => findRedisServer({ searchPath: "/nonexistent" })).toThrow(/apt-get install redis-server/);
    expect(() => findRedisServer({ redisServerPath: "/nonexistent/redis-server" })).toThrow(RedisServerNotFoundError);
    expect(findRedisServer({ searchPath: "/usr/bin" })).toBe("/usr/bin/redis-server");
    const rt = nodes.runtime({ redisServerPath: "/nonexistent/redis-server" });
    const spec = await nodes.spec();
    await expect(rt.start(spec)).rejects.toThrow(/apt-get install redis-server/);
  });
});
