// The process driver: one detached `redis-server` per node, configured by a generated redis.conf in
// the node's data dir. Nodes outlive the worker; a new driver instance adopts them through the pid
// file and /proc/<pid>/cmdline (which must name the node's config file), so a reused pid is never
// mistaken for a node.

import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { access, chmod, mkdir, open, readFile, readdir, rename, rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Redis } from "ioredis";
import {
  InvalidNodeSpecError,
  RESET_VALUES,
  assertNodeId,
  configValuesEqual,
  isNodeId,
  nodeFiles,
  parseSpecConfig,
  renderRedisConf,
} from "./config.js";
import { silentLogger, type RuntimeLogger } from "./logger.js";
import type { NodeObservation, NodeRuntime, NodeSpec } from "./node-runtime.js";
import {
  canConnect,
  isNodeProcess,
  isPortFree,
  readPidFile,
  scanForNodeProcess,
  signalNode,
  waitForExit,
  writePidFile,
} from "./proc.js";
import { RedisAuthError, configGet, configSet, connectAdmin, info, isAuthError, ping, withTimeout } from "./redis-admin.js";
import { findRedisServer } from "./redis-server-binary.js";

export interface ProcessRuntimeOptions {
  /** Directory holding one data dir per node, named by node id (what list() reports). */
  nodesRoot: string;
  /** Explicit redis-server binary (the app passes CACHEPLANE_REDIS_SERVER here). */
  redisServerPath?: string;
  /** PATH-style directories to search for redis-server (the app passes process.env.PATH). */
  searchPath?: string;
  logger?: RuntimeLogger;
  /** How long start() waits for the new process to listen before returning anyway; default 5000 ms. */
  startTimeoutMs?: number;
}

export class PortInUseError extends Error {
  override name = "PortInUseError";
}
export class NodeStartError extends Error {
  override name = "NodeStartError";
}
export class NodeUnavailableError extends Error {
  override name = "NodeUnavailableError";
}

const PROBE_TIMEOUT_MS = 300;
const STOP_GRACE_MS = 2000;
const exists = (file: string) => access(file).then(() => true, () => false);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createProcessRuntime(options: ProcessRuntimeOptions): NodeRuntime {
  const nodesRoot = path.resolve(options.nodesRoot);
  const log = options.logger ?? silentLogger;
  const startTimeoutMs = options.startTimeoutMs ?? 5000;
  let binary: string | undefined;

  // The control plane allocates data dirs; this driver only accepts <nodesRoot>/<id>, because it
  // deletes the dir on destroy and list() finds orphans by those names.
  const locate = (spec: NodeSpec) => {
    assertNodeId(spec.id);
    const dataDir = path.resolve(spec.dataDir);
    if (dataDir !== path.join(nodesRoot, spec.id)) {
      throw new InvalidNodeSpecError(`node ${spec.id}: dataDir must be ${path.join(nodesRoot, spec.id)}, got ${spec.dataDir}`);
    }
    return { dataDir, ...nodeFiles(dataDir) };
  };
  type Files = ReturnType<typeof locate>;

  // start, configure and destroy of one node run one at a time within this driver instance
  // (across workers, the reconcile lock already guarantees it).
  const locks = new Map<string, Promise<unknown>>();
  const serialized = <T>(id: string, fn: () => Promise<T>): Promise<T> => {
    const next = (locks.get(id) ?? Promise.resolve()).catch(() => {}).then(fn);
    locks.set(id, next);
    void next.catch(() => {}).finally(() => locks.get(id) === next && locks.delete(id));
    return next;
  };

  /** The live pid of this node's redis-server. The pid file is enough for observe(); start and
   *  destroy also scan /proc, in case the pid file was lost while the process lives. */
  const findPid = async (files: Files, scan: boolean): Promise<number | undefined> => {
    const pid = await readPidFile(files.pid);
    if (pid !== undefined && (await isNodeProcess(pid, files.conf))) return pid;
    // No config file means no redis-server was ever started from it (a fresh node): skip the scan.
    return scan && (await exists(files.conf)) ? scanForNodeProcess(files.conf) : undefined;
  };

  const writeConf = async (files: Files, text: string) => {
    const tmp = `${files.conf}.${process.pid}.tmp`;
    await writeFile(tmp, text, { mode: 0o600 }); // may hold requirepass
    await rename(tmp, files.conf);
  };

  /** The spec.config the node's current redis.conf was written from (what it runs with). */
  const previousConfig = async (files: Files): Promise<Record<string, string>> => {
    try {
      return parseSpecConfig(await readFile(files.conf, "utf8")) ?? {};
    } catch {
      return {};
    }
  };

  // ---- admin connections: one cached per node, keyed by address and password ----
  const conns = new Map<string, { key: string; redis: Promise<Redis> }>();
  const dropConn = (id: string) => {
    const entry = conns.get(id);
    if (!entry) return;
    conns.delete(id);
    entry.redis.then((r) => r.disconnect()).catch(() => {});
  };
  const cachedAdmin = async (spec: NodeSpec, password: string | undefined): Promise<Redis> => {
    const key = `${spec.host}\0${spec.port}\0${password ?? ""}`;
    const entry = conns.get(spec.id);
    if (entry?.key === key) {
      const redis = await entry.redis.catch(() => undefined);
      if (redis?.status === "ready") return redis;
    }
    dropConn(spec.id);
    const redis = connectAdmin({ host: spec.host, port: spec.port, password, timeoutMs: PROBE_TIMEOUT_MS });
    conns.set(spec.id, { key, redis });
    try {
      return await redis;
    } catch (err) {
      if (conns.get(spec.id)?.redis === redis) conns.delete(spec.id);
      throw err;
    }
  };

  /**
   * Connects and PINGs with the spec's password, falling back to the one in the node's redis.conf
   * (the password it runs with) when they differ — e.g. auth just changed and configure() has not
   * run yet. Throws RedisAuthError if neither is accepted.
   */
  const probe = async (spec: NodeSpec, files: Files) => {
    const candidates = [spec.config.requirepass];
    let lastAuthError: unknown;
    for (let i = 0; i < 2; i++) {
      const password = candidates[i];
      try {
        const redis = await cachedAdmin(spec, password);
        return { redis, answer: await ping(redis, PROBE_TIMEOUT_MS) };
      } catch (err) {
        if (!(err instanceof RedisAuthError || isAuthError(err))) throw err;
        lastAuthError = err;
        dropConn(spec.id);
        if (i === 0) {
          const onDisk = (await previousConfig(files)).requirepass;
          if ((onDisk ?? "") === (password ?? "")) break;
          candidates.push(onDisk);
        }
      }
    }
    throw lastAuthError instanceof RedisAuthError ? lastAuthError : new RedisAuthError(String((lastAuthError as Error)?.message));
  };

  const binaryPath = () =>
    (binary ??= findRedisServer({ redisServerPath: options.redisServerPath, searchPath: options.searchPath }));

  /** Last lines of the node's log (redis's own log and its stderr), secrets redacted. */
  const logTail = async (files: Files) => {
    try {
      const handle = await open(files.log, "r");
      try {
        const { size } = await handle.stat();
        const length = Math.min(size, 4096);
        const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length);
        return buffer
          .toString("utf8")
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean)
          .slice(-4)
          .map((l) => (/requirepass|masterauth/i.test(l) ? "[line with a secret redacted]" : l))
          .join(" | ");
      } finally {
        await handle.close();
      }
    } catch {
      return "(no log)";
    }
  };

  /** Resolves once the new process accepts connections; rejects with the log's reason if it exits. */
  const waitForListening = (child: ChildProcess, spec: NodeSpec, files: Files) =>
    new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        child.off("exit", onExit);
        child.off("error", onError);
        if (err) reject(err);
        else resolve();
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        void logTail(files).then((tail) => {
          void unlink(files.pid).catch(() => {});
          finish(new NodeStartError(`redis-server for node ${spec.id} exited during start (${signal ?? `code ${code}`}): ${tail}`));
        });
      };
      const onError = (err: Error) => finish(new NodeStartError(`cannot run redis-server for node ${spec.id}: ${err.message}`));
      child.once("exit", onExit);
      child.once("error", onError);
      void (async () => {
        const deadline = Date.now() + startTimeoutMs;
        while (!settled) {
          if ((await canConnect(spec.host, spec.port)) && child.exitCode === null) return finish();
          if (Date.now() > deadline) {
            log.warn({ node: spec.id, timeoutMs: startTimeoutMs }, "redis-server started but is not listening yet");
            return finish();
          }
          await sleep(2);
        }
      })();
    });

  return {
    driver: "process",

    async start(spec) {
      const files = locate(spec);
      const conf = renderRedisConf({ ...spec, dataDir: files.dataDir }); // validates before any effect
      return serialized(spec.id, async () => {
        const existing = await findPid(files, true);
        if (existing !== undefined) {
          if ((await readPidFile(files.pid)) !== existing) await writePidFile(files.pid, existing);
          log.debug({ node: spec.id, pid: existing }, "redis-server already running");
          return;
        }
        const bin = binaryPath();
        await mkdir(files.dataDir, { recursive: true, mode: 0o700 });
        await chmod(files.dataDir, 0o700);
        await writeConf(files, conf);
        if (!(await isPortFree(spec.host, spec.port))) {
          throw new PortInUseError(`port ${spec.port} on ${spec.host} is already in use by another process; node ${spec.id} cannot start there`);
        }
        const logFd = openSync(files.log, "a", 0o600);
        let child: ChildProcess;
        try {
          // Own process group and no pipes to us: the node survives the worker and its signals.
          child = spawn(bin, [files.conf], { detached: true, stdio: ["ignore", logFd, logFd], cwd: files.dataDir });
        } finally {
          closeSync(logFd);
        }
        child.unref();
        // Written now (redis rewrites the same pid a moment later) so there is no window in which
        // the process runs without a pid file for another start() to find.
        if (child.pid !== undefined) await writePidFile(files.pid, child.pid);
        await waitForListening(child, spec, files);
        log.info({ node: spec.id, pid: child.pid, port: spec.port }, "redis-server started");
      });
    },

    async observe(spec) {
      const files = locate(spec);
      const absent: NodeObservation = { id: spec.id, liveness: "absent", loading: false, config: {} };
      const pid = await findPid(files, false);
      if (pid === undefined) {
        dropConn(spec.id);
        return absent;
      }
      const base = { id: spec.id, handle: String(pid), loading: false, config: {} };
      try {
        const { redis, answer } = await probe(spec, files);
        const names = Object.keys(spec.config);
        const [sections, live] = await withTimeout(
          Promise.all([info(redis, "persistence", "replication"), configGet(redis, names)]),
          PROBE_TIMEOUT_MS,
          "INFO/CONFIG GET",
        );
        // Report the spec's own spelling where the live value means the same ("1gb" vs bytes),
        // so the caller can compare observed to desired as plain strings.
        const config: Record<string, string> = {};
        for (const name of names) {
          const value = live[name];
          if (value !== undefined) config[name] = configValuesEqual(name, value, spec.config[name]!) ? spec.config[name]! : value;
        }
        return {
          ...base,
          liveness: "running",
          loading: answer === "loading" || sections.persistence?.loading === "1",
          role: sections.replication?.role,
          config,
        };
      } catch (err) {
        if (err instanceof RedisAuthError) {
          // It answers, but not to our credentials: running, with nothing more we can see.
          log.warn({ node: spec.id }, "node refuses the configured password");
          return { ...base, liveness: "running" };
        }
        dropConn(spec.id);
        return { ...base, liveness: "unresponsive" };
      }
    },

    async configure(spec) {
      const files = locate(spec);
      const conf = renderRedisConf({ ...spec, dataDir: files.dataDir });
      return serialized(spec.id, async () => {
        const pid = await findPid(files, false);
        if (pid === undefined) {
          // Not running: the file is all there is; the next start() uses it.
          await mkdir(files.dataDir, { recursive: true, mode: 0o700 });
          await writeConf(files, conf);
          return;
        }
        const previous = await previousConfig(files);
        const desired: Record<string, string> = {};
        for (const name of Object.keys(previous)) {
          if (name in spec.config) continue;
          const reset = RESET_VALUES[name];
          if (reset !== undefined) desired[name] = reset;
          else log.warn({ node: spec.id, directive: name }, "directive removed from spec keeps its live value until restart");
        }
        Object.assign(desired, spec.config);

        // A connection of its own, so observe()'s cached one is never cut mid-command.
        let redis: Redis | undefined;
        for (const password of new Set([spec.config.requirepass, previous.requirepass])) {
          try {
            redis = await connectAdmin({ host: spec.host, port: spec.port, password, timeoutMs: 2000 });
            await redis.ping();
            break;
          } catch (err) {
            redis?.disconnect();
            redis = undefined;
            if (!(err instanceof RedisAuthError || isAuthError(err))) {
              throw new NodeUnavailableError(`node ${spec.id} does not answer (${(err as Error).message}); config not applied`);
            }
          }
        }
        if (!redis) throw new NodeUnavailableError(`node ${spec.id} refuses both the new and the previous password; config not applied`);
        try {
          const live = await configGet(redis, Object.keys(desired));
          const changes = Object.fromEntries(
            Object.entries(desired).filter(([name, value]) => live[name] === undefined || !configValuesEqual(name, live[name], value)),
          );
          try {
            await configSet(redis, changes);
          } catch (err) {
            throw new InvalidNodeSpecError(`node ${spec.id}: CONFIG SET ${Object.keys(changes).join(", ")} failed: ${(err as Error).message}`);
          }
          // Persist only what the node accepted, so a restart cannot fail on a value Redis refused.
          await writeConf(files, conf);
          if ("requirepass" in changes) dropConn(spec.id); // next observe() connects with the new password
          log.info({ node: spec.id, changed: Object.keys(changes) }, "node configured");
        } finally {
          redis.disconnect();
        }
      });
    },

    async destroy(spec) {
      const files = locate(spec);
      return serialized(spec.id, async () => {
        dropConn(spec.id);
        const pid = await findPid(files, true);
        if (pid !== undefined) {
          await signalNode(pid, "SIGTERM");
          if (!(await waitForExit(pid, files.conf, STOP_GRACE_MS))) {
            log.warn({ node: spec.id, pid }, "redis-server ignored SIGTERM; killing");
            await signalNode(pid, "SIGKILL");
            if (!(await waitForExit(pid, files.conf, STOP_GRACE_MS))) {
              throw new Error(`node ${spec.id}: redis-server pid ${pid} survived SIGKILL`);
            }
          }
          log.info({ node: spec.id, pid }, "redis-server stopped");
        }
        await rm(files.dataDir, { recursive: true, force: true });
      });
    },

    async list() {
      try {
        const entries = await readdir(nodesRoot, { withFileTypes: true });
        return entries.filter((e) => e.isDirectory() && isNodeId(e.name)).map((e) => e.name);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw err;
      }
    },

    async close() {
      const pending = [...conns.values()].map((e) => e.redis.then((r) => r.quit()).catch(() => {}));
      conns.clear();
      await Promise.all(pending);
    },
  };
}
