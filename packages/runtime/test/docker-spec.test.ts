// Pure rules of the docker driver and the event-stream reconnection, without an engine.
import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import type { NodeSpec } from "../src/index.js";
import {
  containerBindAddresses,
  containerCreateOptions,
  containerName,
  createDockerRuntime,
  DOCKER_LABELS,
  formatPullProgress,
  isOwnContainer,
  memoryLimitBytes,
  recreateReason,
  renderContainerConf,
  UnknownRedisVersionError,
  watchContainerDeaths,
  withDefaultTag,
} from "../src/docker/index.js";
import { until } from "./helpers.js";

const spec: NodeSpec = {
  id: "abc123-0",
  instanceUid: "abc123",
  projectId: "p1",
  zone: "local1-a",
  redisVersion: "REDIS_7_0",
  host: "127.0.0.5",
  port: 7001,
  dataDir: "/var/lib/cacheplane/nodes/abc123-0",
  config: { maxmemory: "100mb", requirepass: "s3cret" },
};
const MiB = 1024 * 1024;

describe("docker container spec", () => {
  it("sizes the memory limit from maxmemory with headroom", () => {
    expect(memoryLimitBytes({ maxmemory: "100mb" })).toBe(125 * MiB + 64 * MiB);
    expect(memoryLimitBytes({ maxmemory: "1gb" })).toBe(1280 * MiB + 64 * MiB);
    expect(memoryLimitBytes({ maxmemory: "1073741824" })).toBe(1280 * MiB + 64 * MiB);
    expect(memoryLimitBytes({ maxmemory: "0" })).toBe(0);
    expect(memoryLimitBytes({})).toBe(0);
    expect(memoryLimitBytes({ maxmemory: "lots" })).toBe(0);
  });

  it("host mode: binds spec.host in the config, host network, no published port", () => {
    const conf = renderContainerConf(spec, "host");
    expect(conf).toContain("bind 127.0.0.5\n");
    expect(conf).toContain("port 7001\n");
    expect(conf).toContain("dir /data\n");
    expect(conf).toContain("logfile /data/redis.log\n");
    const create = containerCreateOptions(spec, spec.dataDir, {
      nodesRoot: "/var/lib/cacheplane/nodes",
      image: "redis:7.0",
      network: "host",
      user: "1000:1000",
    });
    expect(create.name).toBe("cacheplane-abc123-0");
    expect(create.Entrypoint).toEqual(["redis-server"]);
    expect(create.Cmd).toEqual(["/data/redis.conf"]);
    expect(create.User).toBe("1000:1000");
    expect(create.HostConfig?.NetworkMode).toBe("host");
    expect(create.HostConfig?.PortBindings).toBeUndefined();
    expect(create.HostConfig?.RestartPolicy).toEqual({ Name: "no" });
    expect(create.HostConfig?.Memory).toBe(189 * MiB);
    expect(create.HostConfig?.Mounts).toEqual([{ Type: "bind", Source: spec.dataDir, Target: "/data" }]);
    expect(create.Labels).toMatchObject({
      "cacheplane.managed": "true",
      "cacheplane.root": "/var/lib/cacheplane/nodes",
      "cacheplane.node": "abc123-0",
      "cacheplane.instance": "abc123",
      "cacheplane.project": "p1",
      "cacheplane.zone": "local1-a",
    });
    // Secrets never reach the container's metadata (docker inspect shows it to anyone with the socket).
    expect(JSON.stringify(create)).not.toContain("s3cret");
  });

  it("bridge mode: binds every interface inside, publishes spec.host:spec.port", () => {
    expect(renderContainerConf(spec, "bridge")).toContain("bind 0.0.0.0\n");
    const create = containerCreateOptions(spec, spec.dataDir, { nodesRoot: "/r", image: "redis:7.0", network: "bridge" });
    expect(create.HostConfig?.PortBindings).toEqual({ "7001/tcp": [{ HostIp: "127.0.0.5", HostPort: "7001" }] });
    expect(create.ExposedPorts).toEqual({ "7001/tcp": {} });
    expect(create.User).toBeUndefined();
  });

  it("host mode: endpoint addresses and replicaof in the container's config; bridge mode refuses endpoint addresses", () => {
    const ha: NodeSpec = { ...spec, endpointHosts: ["127.1.0.9"], replicaOf: { host: "127.0.0.6", port: 7001 } };
    const conf = renderContainerConf(ha, "host");
    expect(conf).toContain("bind 127.0.0.5 127.1.0.9\n");
    expect(conf).toContain("replicaof 127.0.0.6 7001\n");
    expect(containerBindAddresses(ha, "host")).toEqual(["127.0.0.5", "127.1.0.9"]);
    expect(containerBindAddresses(ha, "bridge")).toEqual(["0.0.0.0"]);
    expect(() => renderContainerConf(ha, "bridge")).toThrow(/endpointHosts need the docker driver's "host" network/);
    expect(renderContainerConf({ ...ha, endpointHosts: [] }, "bridge")).toContain("bind 0.0.0.0\nport 7001\n");
    // Topology is configuration, not shape: a replica and a primary use the same container.
    const shape = (s: NodeSpec) => containerCreateOptions(s, s.dataDir, { nodesRoot: "/r", image: "i", network: "host" }).Labels![DOCKER_LABELS.shape];
    expect(shape(ha)).toBe(shape(spec));
  });

  it("changes the shape label when the image changes, not when memory does", () => {
    const shape = (s: NodeSpec, image: string) =>
      containerCreateOptions(s, s.dataDir, { nodesRoot: "/r", image, network: "host" }).Labels![DOCKER_LABELS.shape];
    expect(shape(spec, "redis:7.0")).toBe(shape({ ...spec, config: { maxmemory: "1gb" } }, "redis:7.0"));
    expect(shape(spec, "redis:7.0")).not.toBe(shape(spec, "redis:7.2"));
  });

  it("recognises only its own containers", () => {
    const labels = containerCreateOptions(spec, spec.dataDir, { nodesRoot: "/r", image: "i", network: "host" }).Labels;
    expect(isOwnContainer(labels, spec.id, "/r")).toBe(true);
    expect(isOwnContainer(labels, spec.id, "/other")).toBe(false);
    expect(isOwnContainer(labels, "abc123-1", "/r")).toBe(false);
    expect(isOwnContainer({}, spec.id, "/r")).toBe(false);
    expect(isOwnContainer(undefined, spec.id, "/r")).toBe(false);
    expect(containerName("x-1")).toBe("cacheplane-x-1");
  });

  it("pull helpers", () => {
    expect(withDefaultTag("redis")).toBe("redis:latest");
    expect(withDefaultTag("redis:7.2")).toBe("redis:7.2");
    expect(withDefaultTag("localhost:5000/redis")).toBe("localhost:5000/redis:latest");
    expect(withDefaultTag("redis@sha256:abc")).toBe("redis@sha256:abc");
    expect(formatPullProgress("redis:7.2", { id: "1a2b", status: "Downloading", progressDetail: { current: 1_200_000, total: 3_000_000 } })).toBe(
      "redis:7.2 1a2b: Downloading 1.2/3.0 MB",
    );
    expect(formatPullProgress("redis:7.2", { status: "Status: Downloaded newer image" })).toBe("redis:7.2: Status: Downloaded newer image");
  });

  it("maps versions to images, with a clear error for an unknown one", () => {
    const rt = createDockerRuntime({ nodesRoot: "/r", images: { REDIS_7_0: "redis:7.0" }, docker: {} as Dockerode });
    expect(rt.imageFor(spec)).toBe("redis:7.0");
    expect(() => rt.imageFor({ ...spec, redisVersion: "REDIS_6_X" })).toThrow(UnknownRedisVersionError);
    expect(() => rt.imageFor({ ...spec, redisVersion: "REDIS_6_X" })).toThrow(/REDIS_6_X.*configured: REDIS_7_0/);
    const over = createDockerRuntime({ nodesRoot: "/r", images: {}, imageOverride: "mine:1", docker: {} as Dockerode });
    expect(over.imageFor({ ...spec, redisVersion: "REDIS_6_X" })).toBe("mine:1");
    // A node's own engine build comes first, then the driver's default.
    expect(over.imageFor({ ...spec, engine: { image: "redis:7.2" } })).toBe("redis:7.2");
    expect(rt.imageFor({ ...spec, redisVersion: "REDIS_6_X", engine: { image: "redis:7.2" } })).toBe("redis:7.2");
    expect(rt.imageFor({ ...spec, engine: { binary: "/opt/redis-server" } })).toBe("redis:7.0"); // the process driver's field
    expect(() => rt.imageFor({ ...spec, engine: { image: "" } })).toThrow(/invalid engine image/);
  });

  it("recreates a stopped container for another image, shape, labels or build behind the tag, not otherwise", () => {
    const shape = { nodesRoot: "/r", image: "redis:7.0", network: "host" as const };
    const made = containerCreateOptions(spec, spec.dataDir, shape);
    const existing = { Image: "sha256:aaa", Config: { Image: made.Image, Labels: made.Labels } };
    expect(recreateReason(existing, made)).toBeUndefined();
    expect(recreateReason(existing, made, "sha256:aaa")).toBeUndefined();
    expect(recreateReason(existing, containerCreateOptions(spec, spec.dataDir, { ...shape, image: "redis:7.2" }))).toBe(
      "its image changed (redis:7.0 -> redis:7.2)",
    );
    expect(recreateReason(existing, containerCreateOptions(spec, spec.dataDir, { ...shape, user: "1:1" }))).toBe("its shape changed");
    expect(recreateReason(existing, containerCreateOptions({ ...spec, redisVersion: "REDIS_7_2" }, spec.dataDir, shape))).toBe(
      "its labels changed (cacheplane.redis-version)",
    );
    expect(recreateReason(existing, made, "sha256:bbb")).toBe("image redis:7.0 now names another build");
    // The memory limit is not a reason: start() updates it in place.
    expect(recreateReason(existing, containerCreateOptions({ ...spec, config: { maxmemory: "1gb" } }, spec.dataDir, shape))).toBeUndefined();
  });
});

describe("watchContainerDeaths", () => {
  it("reports deaths, reconnects with backoff after the engine goes away, then sweeps stopped containers", async () => {
    const streams: PassThrough[] = [];
    const calls: unknown[] = [];
    let failNext = 2;
    const fake = {
      async getEvents(opts: unknown) {
        calls.push(opts);
        if (failNext > 0) {
          failNext--;
          throw Object.assign(new Error("connect ECONNREFUSED /var/run/docker.sock"), { code: "ECONNREFUSED" });
        }
        const s = new PassThrough();
        streams.push(s);
        return s;
      },
      async listContainers() {
        return [{ Labels: { [DOCKER_LABELS.node]: "n-2" } }];
      },
    } as unknown as Dockerode;
    const deaths: string[] = [];
    const watch = watchContainerDeaths(fake, (id) => deaths.push(id), { labels: ["cacheplane.managed=true"], minBackoffMs: 5, maxBackoffMs: 20 });
    try {
      // Two failed connects, then a stream; the recovery sweep reports the stopped n-2.
      await until(
        async () => streams.length,
        (n) => n === 1,
        2000,
      );
      await until(
        async () => deaths.length,
        (n) => n === 1,
        2000,
      );
      expect(deaths).toEqual(["n-2"]);
      const event = (id: string, action = "die") =>
        `${JSON.stringify({ Type: "container", Action: action, time: 1700000000, Actor: { ID: "c", Attributes: { [DOCKER_LABELS.node]: id } } })}\n`;
      // An event split across chunks, and two in one chunk.
      const first = event("n-1");
      streams[0]!.write(first.slice(0, 10));
      streams[0]!.write(first.slice(10) + event("n-3", "start") + event("n-4"));
      await until(
        async () => deaths.length,
        (n) => n === 3,
        2000,
      );
      expect(deaths).toEqual(["n-2", "n-1", "n-4"]);
      // The engine goes away: reconnect (asking for the events since the last one), sweep again.
      streams[0]!.end();
      await until(
        async () => streams.length,
        (n) => n === 2,
        2000,
      );
      expect(calls.at(-1)).toMatchObject({ since: 1700000000, filters: { type: ["container"], event: ["die"], label: ["cacheplane.managed=true"] } });
      await until(
        async () => deaths.length,
        (n) => n === 4,
        2000,
      );
      expect(deaths.at(-1)).toBe("n-2");
    } finally {
      watch.close();
    }
    // Nothing after close.
    const before = deaths.length;
    streams[1]!.write(`${JSON.stringify({ Type: "container", Action: "die", Actor: { Attributes: { [DOCKER_LABELS.node]: "late" } } })}\n`);
    await new Promise((r) => setTimeout(r, 20));
    expect(deaths.length).toBe(before);
  });
});
