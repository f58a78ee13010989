// The docker driver: one labelled container per node, running `redis-server /data/redis.conf`
// with the node's data dir (redis.conf, data, redis.log) bind-mounted at /data. Containers are
// found again by their deterministic name (cacheplane-<node id>) and only touched when their
// labels say they are this node of this control plane (cacheplane.root = nodesRoot).
//
// Images are pulled by images.ts, engine answers are told apart in engine-errors.ts, container
// logs decoded in logs.ts, a node's log lines read in container-logs.ts, the end of a start
// awaited in start-wait.ts; the container's shape (and when a stopped one must be recreated) is
// container-spec.ts.
//
// Engine down: every method that needs the engine throws RuntimeUnavailableError rather than
// reporting nodes absent or gone (see errors.ts); reconcile must back off on it.

import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import Dockerode from "dockerode";
import { assertEngineImage, confBindAddresses, isNodeId, locateNode } from "../config.js";
import { silentLogger, type RuntimeLogger } from "../logger.js";
import type { NodeObservation, NodeRuntime, NodeSpec, StartOptions } from "../node-runtime.js";
import { isPortFree } from "../proc.js";
import { NodeStartError, NodeUnavailableError, PortInUseError } from "../errors.js";
import { withTimeout } from "../redis-admin.js";
import {
  CONTAINER_DATA_DIR,
  LABELS,
  containerBindAddresses,
  containerCreateOptions,
  containerName,
  isOwnContainer,
  managedFilters,
  memoryLimitBytes,
  recreateReason,
  renderContainerConf,
  type DockerNetwork,
} from "./container-spec.js";
import { ContainerConflictError, RuntimeUnavailableError, UnknownRedisVersionError } from "./errors.js";
import { assertAddressesFree, createNodeAdmin, prepareDataFiles, seedClusterIdentity } from "../node-admin.js";
import { watchContainerDeaths, type Watch } from "./watch.js";
import { createNodeLocks } from "../node-locks.js";
import { isEngineDown, messageOf, statusOf } from "./engine-errors.js";
import { createImagePuller } from "./images.js";
import { createStartWaiter } from "./start-wait.js";
import { shutdownSaving } from "../shutdown-save.js";
import { pruneCaBundles } from "../tls/node-tls.js";
import { createNodeFiles } from "./node-files.js";
import { writeAclFile } from "../acl/acl-file.js";
import { createContainerLogReader } from "./container-logs.js";

export interface DockerRuntimeOptions {
  /** Directory holding one data dir per node, named by node id; also labels the containers
   *  (cacheplane.root), so two control planes on one engine never touch each other's nodes. */
  nodesRoot: string;
  /** Image per engine version label, e.g. { REDIS_7_0: "redis:7.0", REDIS_7_2: "redis:7.2" }. */
  images: Record<string, string>;
  /** One image for every version (tests, a locally built image). */
  imageOverride?: string;
  /** Engine client; default `new Dockerode()` (DOCKER_HOST or the default socket). */
  docker?: Dockerode;
  /** "host" (default on Linux): the node binds spec.host:spec.port itself, like a process.
   *  "bridge" (default elsewhere): the container port is published on spec.host:spec.port. */
  network?: DockerNetwork;
  /** "uid:gid" the server runs as; default the driver's own uid:gid (so it can delete what the
   *  node writes), or "0:0" under rootless Docker (container root is the user there).
   *  null: the image's default user. */
  user?: string | null;
  /** Server command in the image; default ["redis-server"] (the config path is appended). */
  command?: string[];
  logger?: RuntimeLogger;
  /** Pull progress of every start() (a per-call onProgress takes precedence). */
  onProgress?: (message: string, nodeId: string) => void;
  /** How long start() waits for the node to answer before returning anyway; default 10000 ms. */
  startTimeoutMs?: number;
  /** Limit for one engine API call (not pulls); past it the engine counts as unavailable. Default 10000 ms. */
  apiTimeoutMs?: number;
}

/** StartOptions; onProgress reports the image pull this start needs, one line per event. */
export type DockerStartOptions = StartOptions;

export interface DockerRuntime extends NodeRuntime {
  readonly driver: "docker";
  start(spec: NodeSpec, options?: DockerStartOptions): Promise<void>;
  /** The image a node runs (spec.engine.image ?? imageOverride ?? images[spec.redisVersion]); throws
   *  UnknownRedisVersionError when none applies, InvalidNodeSpecError for a malformed engine.image. */
  imageFor(spec: NodeSpec): string;
  /**
   * Calls onDeath(nodeId) when one of this control plane's containers dies (crash, kill, OOM,
   * also destroy), reconnecting with backoff when the engine goes away, and reporting stopped
   * containers once after a reconnect. Stop it with close() of the result, or the runtime's close().
   */
  watch(onDeath: (nodeId: string) => void): Watch;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How long a container whose server took SHUTDOWN SAVE (it answers only once saved) has to exit. */
const EXIT_AFTER_SHUTDOWN_MS = 5000;

export function createDockerRuntime(options: DockerRuntimeOptions): DockerRuntime {
  const nodesRoot = path.resolve(options.nodesRoot);
  const log = options.logger ?? silentLogger;
  const docker = options.docker ?? new Dockerode();
  const network: DockerNetwork = options.network ?? (process.platform === "linux" ? "host" : "bridge");
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const apiTimeoutMs = options.apiTimeoutMs ?? 10_000;
  const stopTimeoutMs = 10_000;
  const admin = createNodeAdmin(log, {
    bindFor: (spec) => containerBindAddresses(spec, network),
    sameNetwork: network === "host",
    nodeDataDir: () => CONTAINER_DATA_DIR,
  });
  const watches = new Set<Watch>();

  /** An engine call with a time limit; a connection failure or timeout becomes RuntimeUnavailableError. */
  const api = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(call(), apiTimeoutMs, `docker ${what}`);
    } catch (err) {
      if (isEngineDown(err) || (err instanceof Error && err.message === `docker ${what} timed out after ${apiTimeoutMs} ms`)) {
        throw new RuntimeUnavailableError(`the Docker engine is not available (${what}): ${messageOf(err)}`);
      }
      throw err;
    }
  };

  const locate = (spec: NodeSpec) => locateNode(nodesRoot, spec);

  const imageFor = (spec: NodeSpec) => {
    if (spec.engine?.image !== undefined) {
      assertEngineImage(spec.id, spec.engine.image);
      return spec.engine.image;
    }
    const image = options.imageOverride ?? options.images[spec.redisVersion];
    if (!image) {
      const known = Object.keys(options.images);
      throw new UnknownRedisVersionError(
        `node ${spec.id}: no Docker image configured for redis version ${JSON.stringify(spec.redisVersion)}` +
          (known.length ? ` (configured: ${known.join(", ")})` : " (no images configured)"),
      );
    }
    return image;
  };

  // The user the server runs as, decided once per driver (it is part of the container's shape).
  let userPromise: Promise<string | undefined> | undefined;
  const resolveUser = () =>
    (userPromise ??= (async () => {
      if (options.user !== undefined) return options.user ?? undefined;
      if (typeof process.getuid !== "function" || typeof process.getgid !== "function") return undefined;
      const own = `${process.getuid()}:${process.getgid()}`;
      if (own === "0:0") return own;
      try {
        const info = (await api("info", () => docker.info())) as { SecurityOptions?: string[] };
        if (info.SecurityOptions?.some((o) => o.includes("name=rootless"))) return "0:0";
      } catch (err) {
        userPromise = undefined; // ask again next time
        throw err;
      }
      return own;
    })());

  const serialized = createNodeLocks();

  const inspect = async (id: string): Promise<Dockerode.ContainerInspectInfo | undefined> => {
    try {
      return await api("inspect container", () => docker.getContainer(containerName(id)).inspect());
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  };

  /** The id of the image a name stands for now; undefined when the engine does not have it. */
  const imageIdOf = async (image: string): Promise<string | undefined> => {
    try {
      return (await api("inspect image", () => docker.getImage(image).inspect())).Id;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  };

  /** Whether the node's container is not running (exited, or gone) within ms. */
  const stoppedWithin = async (id: string, ms: number) => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (!(await inspect(id))?.State.Running) return true;
      if (Date.now() >= deadline) return false;
      await sleep(20);
    }
  };

  const { handOver, writeConf, writeTls } = createNodeFiles(resolveUser);

  const ensureImage = createImagePuller(docker, api, log);

  const waitForAnswer = createStartWaiter(api, log, startTimeoutMs);

  /** Sets the container's memory limit (and swap limit, equal: no swap). 0 = leave as is. */
  const updateMemory = async (spec: NodeSpec, container: Dockerode.Container, current: number | undefined) => {
    const limit = memoryLimitBytes(spec.config);
    if (limit === (current ?? 0)) return;
    if (limit === 0) {
      log.warn({ node: spec.id }, "maxmemory removed: the container keeps its memory limit until it is recreated");
      return;
    }
    await api("update container", () => container.update({ Memory: limit, MemorySwap: limit }));
    log.info({ node: spec.id, memoryLimit: limit }, "container memory limit changed");
  };

  const removeContainer = async (container: Dockerode.Container) => {
    try {
      await api("remove container", () => container.remove({ force: true, v: true }));
    } catch (err) {
      const status = statusOf(err);
      if (status === 404) return;
      if (status === 409) {
        // "removal already in progress": wait until it is gone.
        for (let i = 0; i < 100; i++) {
          await sleep(50);
          try {
            await api("inspect container", () => container.inspect());
          } catch (e) {
            if (statusOf(e) === 404) return;
            throw e;
          }
        }
      }
      throw err;
    }
  };

  const start = async (spec: NodeSpec, startOptions: DockerStartOptions = {}) => {
    const files = locate(spec);
    const image = imageFor(spec);
    const conf = renderContainerConf(spec, network); // validates before any effect
    const progress = (message: string) => {
      try {
        if (startOptions.onProgress) startOptions.onProgress(message);
        else options.onProgress?.(message, spec.id);
      } catch {
        // a progress callback never breaks a start
      }
    };
    return serialized(spec.id, async () => {
      const name = containerName(spec.id);
      let existing = await inspect(spec.id);
      if (existing && !isOwnContainer(existing.Config.Labels, spec.id, nodesRoot)) {
        throw new ContainerConflictError(`a container named ${name} exists but is not node ${spec.id} of this control plane (${nodesRoot}); it is left alone`);
      }
      if (existing?.State.Running) {
        log.debug({ node: spec.id, container: existing.Id.slice(0, 12) }, "container already running");
        return;
      }
      const create = containerCreateOptions(spec, files.dataDir, { nodesRoot, image, network, user: await resolveUser(), command: options.command });
      const reason = existing && recreateReason(existing, create, await imageIdOf(image));
      // Before any effect: a missing image leaves nothing behind, or the old container in place.
      if (!existing || reason) await ensureImage(image, progress);
      if (existing && reason) {
        // Stopped, and made for another image/shape/labels: recreate it (the data dir stays).
        log.info({ node: spec.id, from: existing.Config.Image, to: image, reason }, "recreating the stopped container");
        await removeContainer(docker.getContainer(existing.Id));
        existing = undefined;
      }
      const startConfig = await prepareDataFiles(spec, files.dataDir, log, { keepData: startOptions.keepData });
      await writeConf(files, startConfig === spec.config ? conf : renderContainerConf({ ...spec, config: startConfig }, network));
      if (spec.tls) await writeTls(spec, files, true);
      // The node's users, its default user first (acl/acl-file.ts); its server rewrites the file.
      await writeAclFile(files.acl, spec);
      await handOver(files.acl);
      if (network === "host" && !(await isPortFree(spec.host, spec.port))) {
        throw new PortInUseError(`port ${spec.port} on ${spec.host} is already in use by another process; node ${spec.id} cannot start there`);
      }
      if (network === "host") await assertAddressesFree(spec, confBindAddresses(spec).slice(1)); // endpoint addresses
      if (spec.cluster) {
        await seedClusterIdentity(spec, files.nodesConf);
        await handOver(files.nodesConf);
      }
      let container: Dockerode.Container;
      if (existing) {
        container = docker.getContainer(existing.Id);
        await updateMemory(spec, container, existing.HostConfig.Memory);
      } else {
        try {
          container = await api("create container", () => docker.createContainer(create));
        } catch (err) {
          if (statusOf(err) !== 409) throw new NodeStartError(`cannot create the container of node ${spec.id}: ${messageOf(err)}`);
          // Created meanwhile by another driver instance: adopt it if it is ours.
          const raced = await inspect(spec.id);
          if (!raced || !isOwnContainer(raced.Config.Labels, spec.id, nodesRoot))
            throw new ContainerConflictError(`container name ${name} is taken: ${messageOf(err)}`);
          container = docker.getContainer(raced.Id);
        }
      }
      try {
        await api("start container", () => container.start());
      } catch (err) {
        if (statusOf(err) !== 304) {
          if (err instanceof RuntimeUnavailableError) throw err;
          const message = messageOf(err);
          if (/address already in use|port is already allocated/i.test(message)) {
            throw new PortInUseError(`port ${spec.port} on ${spec.host} is already in use; node ${spec.id} cannot start there (${message})`);
          }
          throw new NodeStartError(`cannot start the container of node ${spec.id}: ${message}`);
        }
      }
      await waitForAnswer(spec, files.log, container);
      log.info({ node: spec.id, container: container.id.slice(0, 12), image, port: spec.port }, "container started");
    });
  };

  const runtime: DockerRuntime = {
    driver: "docker",
    imageFor,
    start,

    async observe(spec) {
      const files = locate(spec);
      const absent: NodeObservation = { id: spec.id, liveness: "absent", loading: false, config: {} };
      const info = await inspect(spec.id); // RuntimeUnavailableError propagates: nothing is known
      if (!info || !isOwnContainer(info.Config.Labels, spec.id, nodesRoot)) {
        admin.drop(spec.id);
        return absent;
      }
      const handle = info.Id.slice(0, 12);
      const engine = info.Config.Image;
      if (!info.State.Running) {
        // Exited (crash, kill, OOM, SHUTDOWN) or never started (the engine refused to): start()
        // brings the same container back with its data, or recreates it for another image.
        admin.drop(spec.id);
        return { id: spec.id, handle, engine, liveness: "stopped", loading: false, config: {} };
      }
      if (info.State.Paused || info.State.Restarting) {
        admin.drop(spec.id);
        return { id: spec.id, handle, engine, liveness: "unresponsive", loading: false, config: {} };
      }
      return { ...(await admin.observeRunning(spec, files.conf, handle)), engine };
    },

    async configure(spec) {
      const files = locate(spec);
      const conf = renderContainerConf(spec, network);
      return serialized(spec.id, async () => {
        const info = await inspect(spec.id);
        if (info && !isOwnContainer(info.Config.Labels, spec.id, nodesRoot)) {
          throw new ContainerConflictError(`a container named ${containerName(spec.id)} exists but is not node ${spec.id} of this control plane`);
        }
        const container = info && docker.getContainer(info.Id);
        if (!info?.State.Running) {
          // Not running: the file (and the limit) is all there is; the next start() uses them.
          await writeConf(files, conf);
          if (spec.tls) await writeTls(spec, files, false);
          if (container) await updateMemory(spec, container, info!.HostConfig.Memory);
          return;
        }
        // Raise the memory limit before Redis may use more; lower it only once Redis uses less.
        const current = info.HostConfig.Memory ?? 0;
        const limit = memoryLimitBytes(spec.config);
        const raising = current !== 0 && limit > current;
        if (raising) await updateMemory(spec, container!, current);
        // New TLS files first: the live CONFIG SET loads them.
        if (spec.tls) await writeTls(spec, files, false);
        const changed = await admin.applyLive(spec, files.conf);
        // Persist only what the node accepted, so a restart cannot fail on a value Redis refused.
        await writeConf(files, conf);
        if (spec.tls) await pruneCaBundles(spec.tls, files.dataDir);
        if (!raising) {
          try {
            await updateMemory(spec, container!, current);
          } catch (err) {
            if (err instanceof RuntimeUnavailableError) throw err;
            log.warn({ node: spec.id, err: messageOf(err) }, "cannot change the container's memory limit");
          }
        }
        log.info({ node: spec.id, changed }, "node configured");
      });
    },

    async applyAcl(spec, change) {
      const files = locate(spec);
      return serialized(spec.id, async () => {
        const info = await inspect(spec.id); // RuntimeUnavailableError propagates
        if (!info?.State.Running || !isOwnContainer(info.Config.Labels, spec.id, nodesRoot)) {
          throw new NodeUnavailableError(`node ${spec.id} is not running; users not applied`);
        }
        return admin.applyAcl(spec, files.conf, change);
      });
    },

    async destroy(spec) {
      const files = locate(spec);
      return serialized(spec.id, async () => {
        admin.drop(spec.id);
        const info = await inspect(spec.id);
        if (info && isOwnContainer(info.Config.Labels, spec.id, nodesRoot)) {
          await removeContainer(docker.getContainer(info.Id));
          log.info({ node: spec.id, container: info.Id.slice(0, 12) }, "container removed");
        } else if (info) {
          log.warn({ node: spec.id, container: info.Id.slice(0, 12) }, "a container with the node's name is not ours; left alone");
        }
        try {
          await rm(files.dataDir, { recursive: true, force: true });
        } catch (err) {
          throw new Error(
            `node ${spec.id}: cannot remove ${files.dataDir} (${(err as Error).message}); files written by the container belong to another user — ` +
              "run the driver with the `user` option matching the owner, or remove them as root",
          );
        }
      });
    },

    async stop(spec, stopOptions = {}) {
      const files = locate(spec);
      return serialized(spec.id, async () => {
        admin.drop(spec.id);
        const info = await inspect(spec.id);
        if (!info) return;
        if (!isOwnContainer(info.Config.Labels, spec.id, nodesRoot)) {
          log.warn({ node: spec.id, container: info.Id.slice(0, 12) }, "a container with the node's name is not ours; left alone");
          return;
        }
        if (!info.State.Running) return;
        const container = docker.getContainer(info.Id);
        // With save, a node that answers saves and exits by itself; its container stays exited
        // (restart policy "no"), as after a kill, for start() to run again or recreate.
        const saved =
          stopOptions.save === true && (await shutdownSaving(spec, files.conf, log)) === "exiting" && (await stoppedWithin(spec.id, EXIT_AFTER_SHUTDOWN_MS));
        if (saved) {
          log.info({ node: spec.id, container: info.Id.slice(0, 12) }, "container saved and exited (stopped; kept for start)");
          return;
        }
        // SIGKILL (a paused or hung node too); the container stays, so start() brings it back.
        try {
          await api("kill container", () => container.kill());
        } catch (err) {
          const status = statusOf(err);
          if (status !== 404 && status !== 409) throw err; // 409: not running (any more)
        }
        if (!(await stoppedWithin(spec.id, stopTimeoutMs))) {
          throw new Error(`node ${spec.id}: container ${info.Id.slice(0, 12)} still runs after docker kill`);
        }
        log.info({ node: spec.id, container: info.Id.slice(0, 12) }, "container killed (stopped; kept for start)");
      });
    },

    logs: createContainerLogReader(docker, api, nodesRoot),

    async list() {
      const containers = await api("list containers", () => docker.listContainers({ all: true, filters: { label: managedFilters(nodesRoot) } }));
      const ids = new Set<string>();
      for (const c of containers) {
        const id = c.Labels?.[LABELS.node];
        if (id && isNodeId(id)) ids.add(id);
      }
      // A data dir without a container (a start that died before create) is an orphan too.
      try {
        for (const e of await readdir(nodesRoot, { withFileTypes: true })) if (e.isDirectory() && isNodeId(e.name)) ids.add(e.name);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
      return [...ids].sort();
    },

    watch(onDeath) {
      const watch = watchContainerDeaths(docker, onDeath, { labels: managedFilters(nodesRoot), logger: log });
      watches.add(watch);
      return {
        ready: watch.ready,
        close() {
          watches.delete(watch);
          watch.close();
        },
      };
    },

    async close() {
      for (const w of watches) w.close();
      watches.clear();
      await admin.close();
    },
  };
  return runtime;
}
