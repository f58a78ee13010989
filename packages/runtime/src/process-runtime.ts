// The process driver: one detached `redis-server` per node, configured by a generated redis.conf in
// the node's data dir. Nodes outlive the worker; a new driver instance adopts them through the pid
// file and /proc/<pid>/cmdline (which must name the node's config file), so a reused pid is never
// mistaken for a node. Which binary runs (spec.engine.binary, else the configured/found redis-server)
// plays no part in adoption: argv[0] is never compared, only the config file after it.

import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { access, chmod, mkdir, open, readdir, rename, rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { assertEngineBinary, bindAddresses, confBindAddresses, isNodeId, locateNode, renderRedisConf } from "./config.js";
import { NodeStartError, PortInUseError } from "./errors.js";
import { silentLogger, type RuntimeLogger } from "./logger.js";
import type { NodeObservation, NodeRuntime, NodeSpec } from "./node-runtime.js";
import {
  canConnect,
  executableOf,
  isNodeProcess,
  portFreeWithin,
  killNode,
  readPidFile,
  scanForNodeProcess,
  signalNode,
  waitForExit,
  writePidFile,
} from "./proc.js";
import { assertAddressesFree, createNodeAdmin, prepareDataFiles, seedClusterIdentity } from "./node-admin.js";
import { findRedisServer, isExecutableFile } from "./redis-server-binary.js";
import { shutdownSaving } from "./shutdown-save.js";
import { createNodeLocks } from "./node-locks.js";
import { MissingCertificateError, pruneCaBundles, writeNodeTls } from "./tls/node-tls.js";
import { writeAclFile } from "./acl/acl-file.js";
import { nodeLogFile, tailNodeLog } from "./node-logs.js";

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

// Shared with the docker driver; exported from here too, where they were first defined.
export { NodeStartError, NodeUnavailableError, PortInUseError } from "./errors.js";

const STOP_GRACE_MS = 2000;
/** How long a node that took SHUTDOWN SAVE (it answers only once saved) has to leave /proc. */
const EXIT_AFTER_SHUTDOWN_MS = 5000;
/** How long start() lets the sockets of a node killed a moment ago close before it calls the
 *  port taken. */
const PORT_RELEASE_MS = 200;
const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createProcessRuntime(options: ProcessRuntimeOptions): NodeRuntime {
  const nodesRoot = path.resolve(options.nodesRoot);
  const log = options.logger ?? silentLogger;
  const startTimeoutMs = options.startTimeoutMs ?? 5000;
  const admin = createNodeAdmin(log, { sameNetwork: true });
  let binary: string | undefined;

  // The control plane allocates data dirs; this driver only accepts <nodesRoot>/<id>, because it
  // deletes the dir on destroy and list() finds orphans by those names.
  const locate = (spec: NodeSpec) => locateNode(nodesRoot, spec);
  type Files = ReturnType<typeof locate>;

  const serialized = createNodeLocks();

  /** The live pid of this node's redis-server. The pid file is enough for observe(); start and
   *  destroy also scan /proc, in case the pid file was lost while the process lives. */
  const findPid = async (files: Files, scan: boolean): Promise<number | undefined> => {
    const pid = await readPidFile(files.pid);
    if (pid !== undefined && (await isNodeProcess(pid, files.conf))) return pid;
    // redis-server rewrites its pid file as it starts (truncate, then write): a read in between
    // finds the file empty while the node runs, so an empty file is looked past like a scan.
    const rewriting = pid === undefined && (await exists(files.pid));
    // No config file means no redis-server was ever started from it (a fresh node): skip the scan.
    return (scan || rewriting) && (await exists(files.conf)) ? scanForNodeProcess(files.conf) : undefined;
  };

  const writeConf = async (files: Files, text: string) => {
    const tmp = `${files.conf}.${process.pid}.tmp`;
    await writeFile(tmp, text, { mode: 0o600 }); // may hold requirepass
    await rename(tmp, files.conf);
  };

  /** The node's TLS files (NodeSpec.tls); a node with no certificate anywhere cannot start. */
  const writeTls = async (spec: NodeSpec, files: Files) => {
    try {
      await writeNodeTls(spec.tls!, files.dataDir);
    } catch (err) {
      if (err instanceof MissingCertificateError) throw new NodeStartError(`node ${spec.id}: ${err.message}`);
      throw err;
    }
  };

  const defaultBinary = () => (binary ??= findRedisServer({ redisServerPath: options.redisServerPath, searchPath: options.searchPath }));
  /** The build this start runs: spec.engine.binary, checked here (it may not be installed yet),
   *  else the driver's default (whose absence is RedisServerNotFoundError). */
  const engineBinary = (spec: NodeSpec) => {
    const wanted = spec.engine?.binary;
    if (wanted === undefined) return defaultBinary();
    if (!isExecutableFile(wanted)) throw new NodeStartError(`engine binary ${wanted} of node ${spec.id} is not an executable file`);
    return wanted;
  };

  /** Last lines of the node's log (redis's own log and its stderr), secrets redacted. */
  const logTail = async (files: Files) => {
    try {
      const handle = await open(files.log, "r");
      try {
        const { size } = await handle.stat();
        const length = Math.min(size, 4096);
        const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length);
        return (
          buffer
            .toString("utf8")
            .split("\n")
            .map((l) => l.trim())
            .filter(Boolean)
            .slice(-4)
            .map((l) => (/requirepass|masterauth/i.test(l) ? "[line with a secret redacted]" : l))
            .join(" | ") || "(empty log)"
        );
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
          // The child may have exited before these listeners were attached (the pid file is
          // written in between): its exit code tells, where the 'exit' event no longer will.
          if (child.exitCode !== null || child.signalCode !== null) return onExit(child.exitCode, child.signalCode);
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

    async start(spec, startOptions = {}) {
      const files = locate(spec);
      const conf = renderRedisConf({ ...spec, dataDir: files.dataDir }); // validates before any effect
      if (spec.engine?.binary !== undefined) assertEngineBinary(spec.id, spec.engine.binary);
      return serialized(spec.id, async () => {
        const existing = await findPid(files, true);
        if (existing !== undefined) {
          if ((await readPidFile(files.pid)) !== existing) await writePidFile(files.pid, existing);
          log.debug({ node: spec.id, pid: existing }, "redis-server already running");
          return;
        }
        const bin = engineBinary(spec);
        await mkdir(files.dataDir, { recursive: true, mode: 0o700 });
        await chmod(files.dataDir, 0o700);
        const startConfig = await prepareDataFiles(spec, files.dataDir, log, { keepData: startOptions.keepData });
        if (spec.tls) await writeTls(spec, files);
        await writeConf(files, startConfig === spec.config ? conf : renderRedisConf({ ...spec, config: startConfig, dataDir: files.dataDir }));
        await writeAclFile(files.acl, spec); // the node's users, its default user first (acl/acl-file.ts)
        if (!(await portFreeWithin(spec.host, spec.port, PORT_RELEASE_MS))) {
          throw new PortInUseError(`port ${spec.port} on ${spec.host} is already in use by another process; node ${spec.id} cannot start there`);
        }
        await assertAddressesFree(spec, confBindAddresses(spec).slice(1)); // endpoint addresses: AddressInUseError
        await seedClusterIdentity(spec, files.nodesConf);
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
        log.info({ node: spec.id, pid: child.pid, port: spec.port, binary: bin }, "redis-server started");
      });
    },

    async observe(spec) {
      const files = locate(spec);
      const absent: NodeObservation = { id: spec.id, liveness: "absent", loading: false, config: {} };
      const pid = await findPid(files, false);
      if (pid === undefined) {
        admin.drop(spec.id);
        return absent;
      }
      const [observation, engine] = await Promise.all([admin.observeRunning(spec, files.conf, String(pid)), executableOf(pid)]);
      return engine === undefined ? observation : { ...observation, engine };
    },

    async configure(spec) {
      const files = locate(spec);
      const conf = renderRedisConf({ ...spec, dataDir: files.dataDir });
      return serialized(spec.id, async () => {
        const pid = await findPid(files, false);
        if (pid === undefined) {
          // Not running: the file is all there is; the next start() uses it.
          await mkdir(files.dataDir, { recursive: true, mode: 0o700 });
          // Its certificate, if it has none yet, comes with its next start.
          if (spec.tls) await writeNodeTls(spec.tls, files.dataDir).catch((err) => (err instanceof MissingCertificateError ? undefined : Promise.reject(err)));
          await writeConf(files, conf);
          return;
        }
        // New TLS files first: the live CONFIG SET loads them.
        if (spec.tls) await writeTls(spec, files);
        const changed = await admin.applyLive(spec, files.conf);
        // Persist only what the node accepted, so a restart cannot fail on a value Redis refused.
        await writeConf(files, conf);
        if (spec.tls) await pruneCaBundles(spec.tls, files.dataDir);
        log.info({ node: spec.id, changed }, "node configured");
      });
    },

    async applyAcl(spec, change) {
      const files = locate(spec);
      return serialized(spec.id, () => admin.applyAcl(spec, files.conf, change));
    },

    async destroy(spec) {
      const files = locate(spec);
      return serialized(spec.id, async () => {
        admin.drop(spec.id);
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

    async stop(spec, stopOptions = {}) {
      const files = locate(spec);
      return serialized(spec.id, async () => {
        admin.drop(spec.id);
        const pid = await findPid(files, true);
        if (pid === undefined) return;
        // With save, a node that answers saves and exits by itself. Once it is gone it is never
        // signalled: its pid may already belong to another process.
        const saved =
          stopOptions.save === true &&
          (await shutdownSaving(spec, files.conf, log)) === "exiting" &&
          (await waitForExit(pid, files.conf, EXIT_AFTER_SHUTDOWN_MS));
        // Otherwise SIGKILL at once: stop() fences a node that may be hung (SIGSTOP) or split off,
        // and must not return while it could still answer on an endpoint address.
        if (!saved && !(await killNode(pid, files.conf, STOP_GRACE_MS))) {
          throw new Error(`node ${spec.id}: redis-server pid ${pid} survived SIGKILL`);
        }
        // A dying process drops its memory (and so its /proc cmdline) before its sockets:
        // wait until its addresses are really free before saying it is fenced.
        for (const address of bindAddresses(spec)) await portFreeWithin(address, spec.port, STOP_GRACE_MS);
        log.info({ node: spec.id, pid }, saved ? "redis-server saved and exited (stopped; data dir kept)" : "redis-server killed (stopped; data dir kept)");
      });
    },

    // redis.log holds the engine's log and the process's stdout and stderr (start()'s spawn).
    logs: async (nodeId, logOptions) => tailNodeLog(nodeLogFile(nodesRoot, nodeId), logOptions.tail),

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
      await admin.close();
    },
  };
}
