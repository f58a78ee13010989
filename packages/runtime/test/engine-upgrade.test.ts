// Engine builds per node (NodeSpec.engine), as a rolling upgrade uses them, on both drivers against
// real redis-servers: a node started with build A is stopped and started with build B, keeping its
// data dir; stop({ save }) then start({ keepData }) keeps every acknowledged write of a primary
// with persistence off (also with requirepass, in cluster mode); a build that cannot run fails
// its start clearly and leaves the node down, not hanging. One scenario per driver (describe.each).
//
// Builds: process, copies of the host's redis-server in a temp dir (named redis-server: Debian's
// binary behaves by its name) and a redis-server script that exits 1; docker, the local image
// under a second tag, and an image committed from it whose PATH has no redis-server (the driver
// runs `redis-server` itself, so the image's own ENTRYPOINT would not break it).

import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDockerRuntime,
  createProcessRuntime,
  findRedisServer,
  InvalidNodeSpecError,
  NodeStartError,
  type NodeEngine,
  type NodeObservation,
  type NodeRuntime,
  type NodeSpec,
} from "../src/index.js";
import { client, freeClusterPort, freePort, portOpen, testSpec, until } from "./helpers.js";

const exec = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const IMAGE = "cacheplane/redis-local:7.0";
const docker = (...args: string[]) => exec("docker", args, { encoding: "utf8" }).then((r) => r.stdout.trim());

interface Driver {
  name: "process" | "docker";
  root: string;
  setup(): Promise<void>;
  runtime(): NodeRuntime;
  /** Two builds of the same engine, and one that cannot run. */
  engines(): { a: NodeEngine; b: NodeEngine; broken: NodeEngine };
  /** What observe().engine reports for a build. */
  reported(engine: NodeEngine): string;
  /** What observe() reports once stop() ran. */
  stoppedLiveness: NodeObservation["liveness"];
  /** SIGSTOPs the node's redis-server: it keeps its sockets but answers nothing. */
  hang(spec: NodeSpec): Promise<void>;
  /** Docker: names a build's image `cacheplane/redis-local:<name>-<pid>` (moving the tag if it exists). */
  retag?(engine: NodeEngine, name: string): Promise<NodeEngine>;
  cleanup(specs: NodeSpec[]): Promise<void>;
}

function processDriver(): Driver {
  const root = mkdtempSync(path.join(os.tmpdir(), "cacheplane-engine-nodes-"));
  const builds = mkdtempSync(path.join(os.tmpdir(), "cacheplane-engine-builds-"));
  const runtimes: NodeRuntime[] = [];
  const build = (name: string) => path.join(builds, name, "redis-server");
  return {
    name: "process",
    root,
    stoppedLiveness: "absent",
    async setup() {
      const real = realpathSync(findRedisServer());
      for (const name of ["a", "b", "broken"]) mkdirSync(path.join(builds, name));
      for (const name of ["a", "b"]) {
        copyFileSync(real, build(name));
        chmodSync(build(name), 0o755);
      }
      writeFileSync(build("broken"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    },
    runtime() {
      const rt = createProcessRuntime({ nodesRoot: root });
      runtimes.push(rt);
      return rt;
    },
    engines: () => ({ a: { binary: build("a") }, b: { binary: build("b") }, broken: { binary: build("broken") } }),
    reported: (engine) => realpathSync(engine.binary!),
    async hang(spec) {
      process.kill(Number(readFileSync(path.join(spec.dataDir, "redis.pid"), "utf8")), "SIGSTOP");
    },
    async cleanup(specs) {
      const rt = createProcessRuntime({ nodesRoot: root });
      for (const s of specs) await rt.destroy(s).catch(() => {});
      await rt.close();
      for (const r of runtimes) await r.close().catch(() => {});
      rmSync(root, { recursive: true, force: true });
      rmSync(builds, { recursive: true, force: true });
    },
  };
}

function dockerDriver(): Driver {
  const root = mkdtempSync(path.join(os.tmpdir(), "cacheplane-engine-docker-"));
  const engine = new Dockerode();
  const runtimes: NodeRuntime[] = [];
  // Tags of this run only, so parallel runs on one engine never untag each other's images.
  const upgradeTag = `7.0-upgrade-test-${process.pid}`;
  const brokenTag = `broken-test-${process.pid}`;
  const tags = new Set([upgradeTag, brokenTag]);
  const make = () => createDockerRuntime({ nodesRoot: root, images: { REDIS_7_0: IMAGE } });
  return {
    name: "docker",
    root,
    stoppedLiveness: "stopped",
    async setup() {
      if (
        !(await docker("info").then(
          () => true,
          () => false,
        ))
      )
        await exec(path.join(repo, "scripts/start-dockerd.sh"), { timeout: 240_000 });
      await exec(path.join(repo, "scripts/build-local-image.sh"), [IMAGE], { timeout: 120_000 });
      await engine.getImage(IMAGE).tag({ repo: "cacheplane/redis-local", tag: upgradeTag });
      // Labelled like a node of this root, so cleanup removes it whatever happens here.
      const base = await engine.createContainer({ Image: IMAGE, Labels: { "cacheplane.managed": "true", "cacheplane.root": root } });
      try {
        await base.commit({ repo: "cacheplane/redis-local", tag: brokenTag, changes: "ENV PATH=/nonexistent" });
      } finally {
        await base.remove({ force: true });
      }
    },
    runtime() {
      const rt = make();
      runtimes.push(rt);
      return rt;
    },
    engines: () => ({
      a: { image: IMAGE },
      b: { image: `cacheplane/redis-local:${upgradeTag}` },
      broken: { image: `cacheplane/redis-local:${brokenTag}` },
    }),
    reported: (e) => e.image!,
    async hang(spec) {
      await docker("kill", "--signal", "STOP", `cacheplane-${spec.id}`);
    },
    async retag(e, name) {
      const tag = `${name}-${process.pid}`;
      tags.add(tag);
      await engine.getImage(e.image!).tag({ repo: "cacheplane/redis-local", tag });
      return { image: `cacheplane/redis-local:${tag}` };
    },
    async cleanup(specs) {
      const rt = make(); // a fresh driver: the adoption path works whatever a failed test left
      for (const s of specs) await rt.destroy(s).catch(() => {});
      await rt.close();
      for (const r of runtimes) await r.close().catch(() => {});
      const left = await docker("ps", "-a", "-q", "--filter", `label=cacheplane.root=${root}`).catch(() => "");
      if (left) await docker("rm", "-f", ...left.split("\n")).catch(() => {});
      for (const tag of tags)
        await engine
          .getImage(`cacheplane/redis-local:${tag}`)
          .remove({ force: true })
          .catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}

describe.each([processDriver(), dockerDriver()])("engine builds on the $name driver", (d) => {
  const specs: NodeSpec[] = [];
  let n = 0;
  const spec = async (config: Record<string, string>, over: Partial<NodeSpec> = {}): Promise<NodeSpec> => {
    const s = testSpec(d.root, { id: `eng${process.pid}-${d.name[0]}${n++}`, instanceUid: `eng${process.pid}`, port: await freePort(), config, ...over });
    specs.push(s);
    return s;
  };
  const running = (rt: NodeRuntime, s: NodeSpec) =>
    until(
      () => rt.observe(s),
      (o) => o.liveness === "running" && !o.loading,
    );
  const withEngine = (s: NodeSpec, engine: NodeEngine): NodeSpec => ({ ...s, engine });

  beforeAll(() => d.setup(), 300_000);
  afterAll(() => d.cleanup(specs), 60_000);

  it("runs the build a start asks for; an upgrade (stop, start with another build) keeps the data dir", async () => {
    const { a, b } = d.engines();
    const rt = d.runtime();
    const s = await spec({ save: "3600 1" }, { engine: a });
    await rt.start(s);
    const first = await running(rt, s);
    expect(first.engine).toBe(d.reported(a));
    const c = client(s.port);
    await c.connect();
    for (let i = 0; i < 100; i++) await c.set(`k${i}`, String(i));
    await c.save();
    c.disconnect();

    // start() never replaces a running node, whatever build the spec names now.
    await rt.start(withEngine(s, b));
    expect(await rt.observe(s)).toMatchObject({ handle: first.handle, engine: d.reported(a) });

    await rt.stop(s);
    expect((await rt.observe(s)).liveness).toBe(d.stoppedLiveness);
    const upgraded = withEngine(s, b);
    await rt.start(upgraded);
    const after = await running(rt, upgraded);
    expect(after.engine).toBe(d.reported(b));
    expect(after.handle).not.toBe(first.handle); // a new process / a new container
    const again = client(s.port);
    await again.connect();
    expect(await again.dbsize()).toBe(100);
    again.disconnect();

    // A fresh driver (a restarted worker) adopts the node, whatever build runs it.
    const adopter = d.runtime();
    expect(await running(adopter, upgraded)).toMatchObject({ handle: after.handle, engine: d.reported(b) });
    await adopter.destroy(upgraded);
    expect(await portOpen(s.port)).toBe(false);
  });

  it("stop({ save }) then start({ keepData }) keeps every acknowledged write of a primary with persistence off", async () => {
    const { a, b } = d.engines();
    const rt = d.runtime();
    const s = await spec({ save: "", appendonly: "no", requirepass: "save me" }, { engine: a });
    await rt.start(s);
    await running(rt, s);
    const c = client(s.port, "save me");
    await c.connect();
    const writes = c.pipeline();
    for (let i = 0; i < 1000; i++) writes.set(`k${i}`, String(i));
    await writes.exec(); // acknowledged; no SAVE by the test
    c.disconnect();

    await rt.stop(s, { save: true });
    expect(await portOpen(s.port)).toBe(false);
    expect((await rt.observe(s)).liveness).toBe(d.stoppedLiveness);
    expect(existsSync(path.join(s.dataDir, "dump.rdb"))).toBe(true);
    await rt.stop(s, { save: true }); // idempotent

    const upgraded = withEngine(s, b);
    await rt.start(upgraded, { keepData: true });
    expect(await running(rt, upgraded)).toMatchObject({ engine: d.reported(b), config: s.config });
    const again = client(s.port, "save me");
    await again.connect();
    expect(await again.dbsize()).toBe(1000);
    expect(await again.get("k999")).toBe("999");
    again.disconnect();

    // Without keepData today's rule holds: a primary with persistence off restarts empty.
    await rt.stop(upgraded, { save: true });
    await rt.start(upgraded);
    await running(rt, upgraded);
    const emptied = client(s.port, "save me");
    await emptied.connect();
    expect(await emptied.dbsize()).toBe(0);
    emptied.disconnect();
    expect(existsSync(path.join(s.dataDir, "dump.rdb"))).toBe(false);
    await rt.destroy(upgraded);
  });

  it("stop({ save }) in cluster mode keeps the node's keys and its nodes.conf (slots, identity)", async () => {
    const { a, b } = d.engines();
    const rt = d.runtime();
    const myId = "e1".repeat(20);
    const s = await spec(
      { save: "", appendonly: "no", requirepass: "cluster pw", masterauth: "cluster pw" },
      { engine: a, cluster: { myId }, port: await freeClusterPort() },
    );
    await rt.start(s);
    await running(rt, s);
    const c = client(s.port, "cluster pw");
    await c.connect();
    await c.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
    await until(
      async () => String(await c.call("CLUSTER", "INFO")),
      (text) => text.includes("cluster_state:ok"),
    );
    for (let i = 0; i < 50; i++) await c.set(`k${i}`, String(i));
    c.disconnect();

    await rt.stop(s, { save: true });
    const upgraded = withEngine(s, b);
    await rt.start(upgraded, { keepData: true });
    const seen = await running(rt, upgraded);
    expect(seen.engine).toBe(d.reported(b));
    const again = client(s.port, "cluster pw");
    await again.connect();
    expect(await again.call("CLUSTER", "MYID")).toBe(myId);
    expect(String(await again.call("CLUSTER", "NODES"))).toMatch(/ myself,master\S* .* connected 0-16383\n/);
    expect(await again.dbsize()).toBe(50);
    again.disconnect();
    await rt.destroy(upgraded);
  });

  it("stop({ save }) of a node that does not answer stops it as usual", async () => {
    const rt = d.runtime();
    const s = await spec({ save: "", appendonly: "no" }, { engine: d.engines().a });
    await rt.start(s);
    await running(rt, s);
    await d.hang(s);
    const t0 = Date.now();
    await rt.stop(s, { save: true });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await portOpen(s.port)).toBe(false);
    expect((await rt.observe(s)).liveness).toBe(d.stoppedLiveness);
    await rt.destroy(s);
  });

  it("a build that cannot run fails its start naming the node, leaves it down, and a good build starts", async () => {
    const { a, broken } = d.engines();
    const rt = d.runtime();
    const s = await spec({}, { engine: broken });
    const err = await rt.start(s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeStartError);
    expect((err as Error).message).toContain(`node ${s.id}`);
    const t0 = Date.now();
    const seen = await rt.observe(s);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(seen.liveness).toBe(d.stoppedLiveness);
    if (d.name === "docker") expect(seen.engine).toBe(d.reported(broken));
    await rt.stop(s); // nothing to fence: no error

    const good = withEngine(s, a);
    await rt.start(good);
    expect(await running(rt, good)).toMatchObject({ liveness: "running", engine: d.reported(a) });
    await rt.destroy(good);
  });

  // Driver-specific cases are defined only for their driver (nothing is reported as skipped).
  if (d.name === "docker")
    it("recreates a stopped container whose image name now stands for another build", async () => {
      const { a, broken } = d.engines();
      const rt = d.runtime();
      const moving = await d.retag!(a, "moving");
      const s = await spec({}, { engine: moving });
      await rt.start(s);
      await running(rt, s);
      await rt.stop(s);
      // The tag moves to a build that cannot run: the start fails, so it ran the new build, not the
      // stopped container made from the old one.
      await d.retag!(broken, "moving");
      await expect(rt.start(s)).rejects.toThrow(NodeStartError);
      await d.retag!(a, "moving");
      await rt.start(s);
      expect(await running(rt, s)).toMatchObject({ liveness: "running", engine: moving.image });
      await rt.destroy(s);
    });

  if (d.name === "process")
    it("refuses a relative binary before any effect, and a missing one clearly", async () => {
      const rt = d.runtime();
      const s = await spec({}, { engine: { binary: "redis-server" } });
      await expect(rt.start(s)).rejects.toThrow(InvalidNodeSpecError);
      expect(existsSync(s.dataDir)).toBe(false);
      const missing = withEngine(s, { binary: path.join(d.root, "no-such-build", "redis-server") });
      await expect(rt.start(missing)).rejects.toThrow(/engine binary .*no-such-build\/redis-server of node .* is not an executable file/);
      expect((await rt.observe(missing)).liveness).toBe("absent");
    });
});
