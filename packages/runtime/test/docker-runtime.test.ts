// The docker driver against a real Docker engine and a real redis-server image. The engine is
// started (scripts/start-dockerd.sh) and the local image built (scripts/build-local-image.sh)
// when missing. Everything a test creates is labelled with this file's temp nodesRoot and
// removed in afterAll, even when a test failed half-way.

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isNodeId, type NodeSpec } from "../src/index.js";
import {
  ContainerConflictError,
  createDockerRuntime,
  ImageUnavailableError,
  RuntimeUnavailableError,
  UnknownRedisVersionError,
  type DockerRuntime,
  type DockerRuntimeOptions,
} from "../src/docker/index.js";
import { client, freePort, portOpen, testSpec, until } from "./helpers.js";

const exec = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const IMAGE = "cacheplane/redis-local:7.0";

const docker = (...args: string[]) => exec("docker", args, { encoding: "utf8" }).then((r) => r.stdout.trim());
const dockerOk = () =>
  docker("info").then(
    () => true,
    () => false,
  );

const root = mkdtempSync(path.join(os.tmpdir(), "cacheplane-docker-"));
const specs = new Map<string, NodeSpec>();
const runtimes: DockerRuntime[] = [];
const foreign: string[] = []; // containers made by the tests without cacheplane labels
let n = 0;

function runtime(options: Partial<DockerRuntimeOptions> = {}): DockerRuntime {
  const rt = createDockerRuntime({ nodesRoot: root, images: { REDIS_7_0: IMAGE }, ...options });
  runtimes.push(rt);
  return rt;
}

async function spec(config: Record<string, string> = {}, over: Partial<NodeSpec> = {}): Promise<NodeSpec> {
  const s = testSpec(root, {
    id: `dk${process.pid}-${n++}`,
    instanceUid: `dk${process.pid}`,
    port: await freePort(),
    config: { maxmemory: "64mb", ...config },
    ...over,
  });
  specs.set(s.id, s);
  return s;
}

/** Ids of every container (running or not) carrying this label. */
const containersWith = (label: string) => docker("ps", "-a", "-q", "--filter", `label=${label}`).then((out) => out.split("\n").filter(Boolean));

beforeAll(async () => {
  if (!(await dockerOk())) await exec(path.join(repo, "scripts/start-dockerd.sh"), { timeout: 240_000 });
  await exec(path.join(repo, "scripts/build-local-image.sh"), [IMAGE], { timeout: 120_000 });
}, 300_000);

afterAll(async () => {
  const rt = createDockerRuntime({ nodesRoot: root, images: { REDIS_7_0: IMAGE } });
  for (const s of specs.values()) await rt.destroy(s).catch(() => {});
  await rt.close();
  for (const r of runtimes) await r.close().catch(() => {});
  // Whatever is still labelled with this root (a test died between create and registration).
  const left = await containersWith(`cacheplane.root=${root}`).catch(() => []);
  if (left.length) await docker("rm", "-f", ...left).catch(() => {});
  if (foreign.length) await docker("rm", "-f", ...foreign).catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

describe("docker runtime", () => {
  it("runs a node through its whole life: start, data, configure, auth, kill, restart, destroy", async () => {
    const rt = runtime();
    const s = await spec({ appendonly: "yes", appendfsync: "always" });
    await rt.start(s);

    let seen = await rt.observe(s);
    expect(seen).toMatchObject({ id: s.id, liveness: "running", loading: false, role: "master", config: { maxmemory: "64mb", appendonly: "yes" } });
    const containerId = seen.handle!;
    expect(containerId).toMatch(/^[0-9a-f]{12}$/);

    const inspect = JSON.parse(await docker("inspect", `cacheplane-${s.id}`))[0];
    expect(inspect.Config.Labels).toMatchObject({
      "cacheplane.managed": "true",
      "cacheplane.node": s.id,
      "cacheplane.instance": s.instanceUid,
      "cacheplane.project": "test",
      "cacheplane.zone": "local1-a",
      "cacheplane.root": root,
    });
    expect(inspect.HostConfig.NetworkMode).toBe("host");
    expect(inspect.HostConfig.RestartPolicy.Name).toBe("no");
    expect(inspect.HostConfig.Memory).toBe(Math.floor(64 * 1.25 + 64) * 1024 * 1024);
    expect(readFileSync(path.join(s.dataDir, "redis.conf"), "utf8")).toContain(`bind 127.0.0.1\nport ${s.port}\ndir /data\n`);

    const c = client(s.port);
    await c.connect();
    expect(await c.set("k", "v")).toBe("OK");
    expect(await c.get("k")).toBe("v");
    c.disconnect();

    // configure: maxmemory live, in the file, and in the container's memory limit.
    const bigger = { ...s, config: { ...s.config, maxmemory: "128mb" } };
    await rt.configure(bigger);
    seen = await rt.observe(bigger);
    expect(seen.config.maxmemory).toBe("128mb");
    expect(JSON.parse(await docker("inspect", `cacheplane-${s.id}`))[0].HostConfig.Memory).toBe((160 + 64) * 1024 * 1024);
    expect(readFileSync(path.join(s.dataDir, "redis.conf"), "utf8")).toContain("maxmemory 128mb");

    // requirepass: the old client is refused, the password works, observe still sees it running.
    const authed = { ...bigger, config: { ...bigger.config, requirepass: "pw-1 with space" } };
    await rt.configure(authed);
    const anon = client(s.port);
    await anon.connect();
    await expect(anon.get("k")).rejects.toThrow(/NOAUTH/);
    anon.disconnect();
    const withPw = client(s.port, "pw-1 with space");
    await withPw.connect();
    expect(await withPw.get("k")).toBe("v");
    withPw.disconnect();
    expect(await rt.observe(authed)).toMatchObject({ liveness: "running", config: { requirepass: "pw-1 with space" } });
    // The secret is in the 0600 file in the bind mount, never in the container's metadata.
    expect(await docker("inspect", `cacheplane-${s.id}`)).not.toContain("pw-1");
    expect(statSync(path.join(s.dataDir, "redis.conf")).mode & 0o777).toBe(0o600);

    // docker kill: not running; start again: same container, same port, data dir and data kept.
    await docker("kill", `cacheplane-${s.id}`);
    seen = await until(
      () => rt.observe(authed),
      (o) => o.liveness !== "running",
      5000,
    );
    expect(seen.liveness).toBe("stopped");
    expect(await portOpen(s.port)).toBe(false);
    await rt.start(authed);
    expect((await rt.observe(authed)).liveness).toBe("running");
    expect((await rt.observe(authed)).handle).toBe(containerId);
    const again = client(s.port, "pw-1 with space");
    await again.connect();
    expect(await again.get("k")).toBe("v"); // appendfsync always: the write survived the kill
    again.disconnect();

    // destroy: no container, no dir, port closed; twice is fine.
    await rt.destroy(authed);
    expect(await containersWith(`cacheplane.node=${s.id}`)).toEqual([]);
    expect(existsSync(s.dataDir)).toBe(false);
    expect(await portOpen(s.port)).toBe(false);
    expect(await rt.observe(authed)).toMatchObject({ liveness: "absent" });
    await rt.destroy(authed);
    expect(await rt.list()).not.toContain(s.id);
  });

  it("start is idempotent, also when called concurrently", async () => {
    const rt = runtime();
    const s = await spec();
    await Promise.all([rt.start(s), rt.start(s), rt.start(s)]);
    await rt.start(s);
    expect(await containersWith(`cacheplane.node=${s.id}`)).toHaveLength(1);
    expect((await rt.observe(s)).liveness).toBe("running");
    await rt.destroy(s);
  });

  it("a fresh driver adopts running nodes: observe, list, configure, destroy", async () => {
    const first = runtime();
    const s = await spec({ requirepass: "adopt-me" });
    await first.start(s);
    await first.close();

    const second = runtime();
    expect(await second.observe(s)).toMatchObject({ liveness: "running", config: { requirepass: "adopt-me", maxmemory: "64mb" } });
    expect(await second.list()).toContain(s.id);
    await second.start(s); // no-op: already running
    await second.configure({ ...s, config: { ...s.config, "maxmemory-policy": "allkeys-lru" } });
    expect((await second.observe({ ...s, config: { ...s.config, "maxmemory-policy": "allkeys-lru" } })).config["maxmemory-policy"]).toBe("allkeys-lru");
    await second.destroy(s);
    expect(await containersWith(`cacheplane.node=${s.id}`)).toEqual([]);
    expect(await second.list()).not.toContain(s.id);
  });

  it("a missing image that cannot be pulled is ImageUnavailableError and leaves nothing behind", async () => {
    const progress: string[] = [];
    const rt = runtime({ imageOverride: "cacheplane/does-not-exist:1" });
    const s = await spec();
    const err = await rt.start(s, { onProgress: (m) => progress.push(m) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageUnavailableError);
    expect((err as Error).message).toMatch(/cacheplane\/does-not-exist:1 is not on this Docker engine and cannot be pulled/);
    expect(progress[0]).toBe("cacheplane/does-not-exist:1: pulling");
    expect(await containersWith(`cacheplane.node=${s.id}`)).toEqual([]);
    expect(existsSync(s.dataDir)).toBe(false);
    expect(await rt.observe(s)).toMatchObject({ liveness: "absent" });
  });

  it("an unknown redis version is a clear error before any effect", async () => {
    const rt = runtime();
    const s = await spec({}, { redisVersion: "REDIS_5_0" });
    await expect(rt.start(s)).rejects.toThrow(UnknownRedisVersionError);
    expect(await containersWith(`cacheplane.node=${s.id}`)).toEqual([]);
  });

  it("never lists or touches containers without its labels, or of another nodesRoot", async () => {
    const rt = runtime();
    const mine = await spec();
    await rt.start(mine);

    // Someone else's redis on this engine, with the same image.
    const otherPort = await freePort();
    const stranger = `cp-stranger-${process.pid}`;
    foreign.push(stranger);
    await docker("run", "-d", "--name", stranger, "--network", "host", IMAGE, "--port", String(otherPort), "--bind", "127.0.0.1", "--save", "");
    // And a container squatting on a node's name, without labels.
    const squatted = await spec();
    foreign.push(`cacheplane-${squatted.id}`);
    await docker("create", "--name", `cacheplane-${squatted.id}`, "--network", "host", IMAGE, "--port", String(squatted.port));

    const ids = await rt.list();
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(squatted.id);
    expect(ids.every(isNodeId)).toBe(true);
    expect(await rt.observe(squatted)).toMatchObject({ liveness: "absent" });
    await expect(rt.start(squatted)).rejects.toThrow(ContainerConflictError);
    await rt.destroy(squatted);
    expect(await docker("inspect", "--format", "{{.State.Status}}", `cacheplane-${squatted.id}`)).toBe("created");
    expect(await docker("inspect", "--format", "{{.State.Status}}", stranger)).toBe("running");

    // Another control plane on the same engine (another nodesRoot) sees none of ours.
    const otherRoot = mkdtempSync(path.join(os.tmpdir(), "cacheplane-docker-other-"));
    try {
      const other = runtime({ nodesRoot: otherRoot });
      expect(await other.list()).toEqual([]);
      expect(await other.observe({ ...mine, dataDir: path.join(otherRoot, mine.id) })).toMatchObject({ liveness: "absent" });
      await other.destroy({ ...mine, dataDir: path.join(otherRoot, mine.id) });
      expect((await rt.observe(mine)).liveness).toBe("running");
    } finally {
      rmSync(otherRoot, { recursive: true, force: true });
    }
    await rt.destroy(mine);
  });

  it("watch reports the death of a node at once", async () => {
    const rt = runtime();
    const s = await spec();
    await rt.start(s);
    const deaths: string[] = [];
    const watch = rt.watch((id) => deaths.push(id));
    try {
      await watch.ready;
      const killedAt = Date.now();
      await docker("kill", `cacheplane-${s.id}`);
      await until(
        async () => deaths.length,
        (len) => len > 0,
        5000,
      );
      expect(deaths).toEqual([s.id]);
      expect(Date.now() - killedAt).toBeLessThan(2000);
    } finally {
      watch.close();
    }
    await rt.destroy(s);
  });

  it("runs the node as the configured user, so what it writes can be removed", async () => {
    const rt = runtime({ user: "1234:1234" });
    const s = await spec({ appendonly: "yes" });
    await rt.start(s);
    const c = client(s.port);
    await c.connect();
    await c.set("k", "v");
    c.disconnect();
    await until(async () => existsSync(path.join(s.dataDir, "appendonlydir")), Boolean, 3000);
    expect(statSync(path.join(s.dataDir, "appendonlydir")).uid).toBe(process.getuid?.() === 0 ? 1234 : process.getuid?.());
    await rt.destroy(s);
    expect(existsSync(s.dataDir)).toBe(false);
  });

  it("a node that cannot start reports why, from its log", async () => {
    const rt = runtime();
    const s = await spec({ "maxmemory-policy": "no-such-policy" });
    const err = await rt.start(s).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/exited during start.*maxmemory-policy/s);
    await rt.destroy(s);
    expect(await containersWith(`cacheplane.node=${s.id}`)).toEqual([]);
  });

  it("stop() kills a paused container but keeps it; start() brings the same one back with its data", async () => {
    const rt = runtime();
    const s = await spec({ appendonly: "yes", appendfsync: "always" });
    await rt.start(s);
    const id = (await rt.observe(s)).handle;
    const c = client(s.port);
    await c.connect();
    await c.set("k", "v");
    c.disconnect();
    await docker("pause", `cacheplane-${s.id}`);
    expect((await rt.observe(s)).liveness).toBe("unresponsive");
    await rt.stop(s);
    expect(await portOpen(s.port)).toBe(false);
    expect(await rt.observe(s)).toMatchObject({ liveness: "stopped", handle: id });
    await rt.stop(s); // idempotent
    await rt.start(s);
    expect(await rt.observe(s)).toMatchObject({ liveness: "running", handle: id });
    const again = client(s.port);
    await again.connect();
    expect(await again.get("k")).toBe("v");
    again.disconnect();
    await rt.destroy(s);
    await rt.stop(s); // absent: no error
  });

  it("a port held by another process is PortInUseError", async () => {
    const rt = runtime();
    const s = await spec();
    const net = await import("node:net");
    const server = net.createServer().listen(s.port, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      await expect(rt.start(s)).rejects.toMatchObject({ name: "PortInUseError" });
    } finally {
      server.close();
      await rt.destroy(s);
    }
  });

  it("an unreachable engine is RuntimeUnavailableError, never absent", async () => {
    const sock = path.join(root, "no-engine.sock");
    writeFileSync(sock, ""); // a file, not a socket: connect fails
    const rt = runtime({ docker: new Dockerode({ socketPath: path.join(root, "missing.sock") }) });
    const s = await spec();
    await expect(rt.observe(s)).rejects.toThrow(RuntimeUnavailableError);
    await expect(rt.list()).rejects.toThrow(RuntimeUnavailableError);
    await expect(rt.start(s)).rejects.toThrow(RuntimeUnavailableError);
    await expect(rt.destroy(s)).rejects.toThrow(RuntimeUnavailableError);
    const refused = runtime({ docker: new Dockerode({ socketPath: sock }) });
    await expect(refused.observe(s)).rejects.toThrow(/Docker engine is not available/);
  });
});
