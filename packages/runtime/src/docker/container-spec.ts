// Pure rules of the docker driver: a node's container name, labels, memory limit, redis.conf and
// create options. No I/O here, so every rule is unit-tested without an engine.

import { createHash } from "node:crypto";
import type Dockerode from "dockerode";
import { InvalidNodeSpecError, bindAddresses, parseMemory, renderRedisConf } from "../config.js";
import type { NodeSpec } from "../node-runtime.js";

/** Where the node's data dir is mounted inside its container (redis.conf, data, redis.log). */
export const CONTAINER_DATA_DIR = "/data";
export const CONTAINER_CONF = `${CONTAINER_DATA_DIR}/redis.conf`;

export const LABELS = {
  managed: "cacheplane.managed",
  root: "cacheplane.root",
  node: "cacheplane.node",
  instance: "cacheplane.instance",
  project: "cacheplane.project",
  zone: "cacheplane.zone",
  redisVersion: "cacheplane.redis-version",
  /** Hash of the create options a running container cannot change (image, network, ports,
   *  mount, user, command): a stopped container whose hash differs is recreated by start(). */
  shape: "cacheplane.shape",
} as const;

export type DockerNetwork = "host" | "bridge";

/** Deterministic container name of a node: start() after a crash finds the same container. */
export const containerName = (nodeId: string) => `cacheplane-${nodeId}`;

/** Label filters selecting the containers of one control plane (one nodesRoot) on an engine. */
export const managedFilters = (nodesRoot: string) => [`${LABELS.managed}=true`, `${LABELS.root}=${nodesRoot}`];

export function nodeLabels(spec: NodeSpec, nodesRoot: string): Record<string, string> {
  return {
    [LABELS.managed]: "true",
    [LABELS.root]: nodesRoot,
    [LABELS.node]: spec.id,
    [LABELS.instance]: spec.instanceUid,
    [LABELS.project]: spec.projectId,
    [LABELS.zone]: spec.zone,
    [LABELS.redisVersion]: spec.redisVersion,
  };
}

/** Whether a container's labels make it this node of this control plane (the only kind touched). */
export const isOwnContainer = (labels: Record<string, string> | undefined, nodeId: string, nodesRoot: string) =>
  labels?.[LABELS.managed] === "true" && labels[LABELS.root] === nodesRoot && labels[LABELS.node] === nodeId;

const MIB = 1024n * 1024n;

/**
 * The container's memory limit in bytes for the node's `maxmemory`; 0 (no limit) when maxmemory is
 * absent, 0 or unreadable.
 *
 * Why more than maxmemory: Redis's maxmemory bounds only the dataset as Redis counts it
 * (used_memory). The cgroup counts everything the container's processes hold: allocator
 * fragmentation, client query/output buffers, the replication backlog, Lua, and above all the
 * pages a forked BGSAVE / AOF-rewrite / full-sync child copies on write — that child lives in the
 * same cgroup. A limit equal to maxmemory would let the kernel OOM-kill the node (losing every
 * key at once) where Redis would merely have evicted or refused writes. 25% of the dataset
 * covers fragmentation and a moderately busy fork; the fixed 64 MiB covers the server's own
 * baseline (a few MiB), buffers and small instances, where a percentage is too little.
 */
export function memoryLimitBytes(config: Record<string, string>): number {
  const raw = config.maxmemory;
  const bytes = raw === undefined ? undefined : parseMemory(raw);
  if (bytes === undefined || bytes === 0n) return 0;
  return Number((bytes * 5n) / 4n + 64n * MIB);
}

/** The addresses the node's redis-server binds inside its container: in host mode those of the
 *  spec (spec.host, then endpointHosts); in bridge mode every interface of the container's own
 *  network namespace (the host side publishes only spec.host:spec.port). */
export function containerBindAddresses(spec: NodeSpec, network: DockerNetwork): string[] {
  return network === "host" ? bindAddresses(spec) : ["0.0.0.0"];
}

/** The node's redis.conf as its container reads it: paths under /data, the bind of
 *  containerBindAddresses. Endpoint addresses need the host network (a bridge container's
 *  published ports are fixed at create), so bridge mode refuses them. */
export function renderContainerConf(spec: NodeSpec, network: DockerNetwork): string {
  if (network !== "host" && (spec.endpointHosts?.length ?? 0) > 0) {
    throw new InvalidNodeSpecError(`node ${spec.id}: endpointHosts need the docker driver's "host" network (it runs with "${network}")`);
  }
  const [host, ...endpointHosts] = containerBindAddresses(spec, network);
  return renderRedisConf({ ...spec, host: host!, endpointHosts, dataDir: CONTAINER_DATA_DIR });
}

export interface ContainerShape {
  nodesRoot: string;
  image: string;
  network: DockerNetwork;
  /** "uid:gid" the server runs as (owner of the files it writes in the data dir); undefined = image default. */
  user?: string;
  /** Server command inside the image; default ["redis-server"]. The config path is appended. */
  command?: readonly string[];
}

/** Create options of a node's container. `dataDir` is the host path mounted at /data. */
export function containerCreateOptions(spec: NodeSpec, dataDir: string, shape: ContainerShape): Dockerode.ContainerCreateOptions {
  const port = `${spec.port}/tcp`;
  const [entrypoint, ...args] = shape.command ?? ["redis-server"];
  const fixed = {
    Image: shape.image,
    // The image's own entrypoint is bypassed (the official image's chowns /data and drops to
    // uid 999; ours has none): the driver decides the user and the config file.
    Entrypoint: [entrypoint!],
    Cmd: [...args, CONTAINER_CONF],
    User: shape.user,
    WorkingDir: CONTAINER_DATA_DIR,
    NetworkMode: shape.network,
    ExposedPorts: shape.network === "bridge" ? { [port]: {} } : undefined,
    PortBindings: shape.network === "bridge" ? { [port]: [{ HostIp: spec.host, HostPort: String(spec.port) }] } : undefined,
    Mounts: [{ Type: "bind" as const, Source: dataDir, Target: CONTAINER_DATA_DIR }],
  };
  const memory = memoryLimitBytes(spec.config);
  return {
    name: containerName(spec.id),
    Image: fixed.Image,
    Entrypoint: fixed.Entrypoint,
    Cmd: fixed.Cmd,
    ...(fixed.User !== undefined && { User: fixed.User }),
    WorkingDir: fixed.WorkingDir,
    ...(fixed.ExposedPorts && { ExposedPorts: fixed.ExposedPorts }),
    Labels: { ...nodeLabels(spec, shape.nodesRoot), [LABELS.shape]: shapeHash(fixed) },
    HostConfig: {
      NetworkMode: fixed.NetworkMode,
      ...(fixed.PortBindings && { PortBindings: fixed.PortBindings }),
      Mounts: fixed.Mounts,
      // The control plane supervises and decides (a restarted former primary must come back as a
      // replica, never on its own as an empty primary), so the engine never restarts a node.
      RestartPolicy: { Name: "no" },
      Memory: memory,
      // Equal to Memory: no swap (a swapping Redis is worse than an evicting one). 0 = unset.
      MemorySwap: memory,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
    },
  };
}

function shapeHash(fixed: object): string {
  return createHash("sha256").update(JSON.stringify(fixed)).digest("hex").slice(0, 16);
}

/** What start() compares of a stopped container (from its inspect) with the one it would create. */
export interface ExistingContainer {
  /** Id of the image it was created from ("sha256:…"; inspect's `Image`). */
  Image: string;
  Config: { Image?: string; Labels?: Record<string, string> };
}

/**
 * Why a stopped container cannot simply be started again and must be recreated (its data dir is
 * a bind mount, so the node keeps its files); undefined: start it as it is. Everything compared is
 * fixed at create:
 * - its shape (image name, network, ports, mount, user, command): an engine upgrade names a new image;
 * - its labels (redis version, instance, project, zone), which list() and diagnostics read;
 * - the image behind the name (`wantedImageId`, when the engine has the image): a tag moved to a new
 *   build is an upgrade under the same name.
 */
export function recreateReason(
  existing: ExistingContainer,
  wanted: Pick<Dockerode.ContainerCreateOptions, "Image" | "Labels">,
  wantedImageId?: string,
): string | undefined {
  const labels = existing.Config.Labels ?? {};
  const want = wanted.Labels ?? {};
  if (labels[LABELS.shape] !== want[LABELS.shape]) {
    return existing.Config.Image === wanted.Image ? "its shape changed" : `its image changed (${existing.Config.Image} -> ${wanted.Image})`;
  }
  const changed = Object.keys(want).filter((name) => labels[name] !== want[name]);
  if (changed.length > 0) return `its labels changed (${changed.join(", ")})`;
  if (wantedImageId !== undefined && wantedImageId !== existing.Image) return `image ${wanted.Image} now names another build`;
  return undefined;
}
