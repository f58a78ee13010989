// Talking to a node's redis-server the way the process driver does: one cached admin connection
// per node, a PING that falls back to the password the node's redis.conf was written with, the
// observation of a running node (loading, role, replication, bind, live config in the spec's
// spelling), and the live half of configure() (CONFIG SET of what differs, undoing directives that
// left the spec; the listening addresses; the replication role).
//
// Nothing here knows about processes or containers: both drivers use it (one copy). Only
// redis-admin.ts and config.ts are used, never copied.

import { access, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Redis } from "ioredis";
import {
  InvalidNodeSpecError,
  RESET_VALUES,
  bindAddresses,
  configValuesEqual,
  nodeFiles,
  parseSpecConfig,
  persistenceFiles,
  persistsData,
  planDataFiles,
} from "./config.js";
import { AddressInUseError, NodeUnavailableError } from "./errors.js";
import type { RuntimeLogger } from "./logger.js";
import type { AclApplied, AclChange, NodeObservation, NodeSpec } from "./node-runtime.js";
import { isPortFree } from "./proc.js";
import { clusterFailover, observeCluster, parseClusterNodes, seedNodesConf } from "./cluster-admin.js";
import { RedisAuthError, configGet, configSet, connectAdmin, formatAddress, info, isAuthError, parseReplication, ping, withTimeout } from "./redis-admin.js";
import { applyAclChange } from "./acl/node-acl.js";
import { caBundleDigest, clientTls, servedCertificate, tlsDirectives, trustOfCaFile } from "./tls/node-tls.js";

/** How long a probe waits for PING. A dead node refuses at once, so this only bounds how long
 *  a hung one takes to notice; it is generous because a loaded 2-core machine can take a few
 *  hundred milliseconds to answer a healthy node (the control plane then waits DOWN_AFTER_MS
 *  more before it acts). */
export const PROBE_TIMEOUT_MS = 750;

/** The spec.config the node's redis.conf was last written from (what it runs with); {} if none. */
export async function previousConfig(confPath: string): Promise<Record<string, string>> {
  try {
    return parseSpecConfig(await readFile(confPath, "utf8")) ?? {};
  } catch {
    return {};
  }
}

/** Node's TLS errors for a certificate that does not verify (unknown CA, wrong address, expired). */
const isTlsVerificationError = (err: unknown) =>
  /certificate|Hostname\/IP does not match|self[- ]signed|UNABLE_TO|ERR_TLS/i.test(
    `${(err as NodeJS.ErrnoException)?.code ?? ""} ${(err as Error)?.message ?? ""}`,
  );

/** Live listening addresses from CONFIG GET bind ("127.0.0.1 127.1.0.9"). */
const splitBind = (value: string | undefined) => (value ?? "").split(/\s+/).filter(Boolean);

/**
 * Throws AddressInUseError for the first of `addresses` on which another process already listens
 * on `port` (a brief exclusive bind from this process), InvalidNodeSpecError for an address this
 * machine does not have. Only meaningful where the driver shares the node's network namespace.
 */
export async function assertAddressesFree(spec: Pick<NodeSpec, "id" | "port">, addresses: readonly string[]): Promise<void> {
  for (const address of addresses) {
    let free: boolean;
    try {
      free = await isPortFree(address, spec.port);
    } catch (err) {
      throw new InvalidNodeSpecError(`node ${spec.id}: cannot listen on ${address} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (!free) {
      throw new AddressInUseError(
        `address ${formatAddress(address, spec.port)} is in use by another process; node ${spec.id} cannot listen there (stop its holder first)`,
        address,
        spec.port,
      );
    }
  }
}

/** Writes a cluster node's first nodes.conf (its identity) unless it has one: Redis owns the file
 *  after the first start. */
export async function seedClusterIdentity(spec: NodeSpec, nodesConfPath: string): Promise<void> {
  if (!spec.cluster) return;
  await writeFile(nodesConfPath, seedNodesConf(spec.cluster.myId, spec.host, spec.port), { mode: 0o600, flag: "wx" }).catch((err) => {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  });
}

const present = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** Readies a stopped node's data files for its start (see planDataFiles: a primary's stale files
 *  removed when persistence is off, unless `keepData`; an RDB not left behind when AOF is on but
 *  not written yet) and returns the directives to start it with. `dataDir` is the node's dir as
 *  this process sees it. Call it before the start writes redis.conf: a dir without one has never
 *  run a node. */
export async function prepareDataFiles(
  spec: NodeSpec,
  dataDir: string,
  log: RuntimeLogger,
  start: { keepData?: boolean } = {},
): Promise<Record<string, string>> {
  const files = persistenceFiles(dataDir);
  const [ranBefore, rdb, manifest, legacy] = await Promise.all([
    present(nodeFiles(dataDir).conf), // written by every start (call this before writing it)
    present(files.rdb),
    present(files.aofManifest),
    present(files.legacyAof),
  ]);
  const primary = spec.replicaOf === undefined && spec.cluster?.primaryId === undefined;
  const plan = planDataFiles(spec.config, { primary, ranBefore, rdb, aof: manifest || legacy }, start);
  if (start.keepData && !persistsData(spec.config) && primary && ranBefore && (rdb || manifest || legacy)) {
    log.info({ node: spec.id }, "persistence is off but keepData: the primary starts from its data files");
  }
  if (plan.remove.includes("rdb")) await rm(files.rdb, { force: true });
  if (plan.remove.includes("aof")) await Promise.all([rm(files.aofDir, { recursive: true, force: true }), rm(files.legacyAof, { force: true })]);
  if (plan.remove.length > 0) log.info({ node: spec.id, removed: plan.remove }, "persistence is off: the primary starts empty, its old data files removed");
  if (plan.startConfig !== spec.config) log.info({ node: spec.id }, "AOF is on but not written yet: the node starts from its RDB, then turns AOF on live");
  return plan.startConfig;
}

/** CLUSTER REPLICATE. A former primary that still holds keys but no slots (it was fenced, its
 *  slots taken over) is emptied first: Redis refuses to make a non-empty master a replica, and
 *  keys in no slot of its own are served by nobody. */
async function clusterReplicate(redis: Redis, primaryId: string) {
  try {
    await redis.call("CLUSTER", "REPLICATE", primaryId);
  } catch (err) {
    if (!/must be empty/i.test((err as Error).message)) throw err;
    const me = parseClusterNodes((await redis.call("CLUSTER", "NODES")) as string).peers.find((p) => p.flags.includes("myself"));
    if (me && me.slots.length > 0) throw err; // it still owns slots: wait for gossip
    await redis.call("FLUSHALL");
    await redis.call("CLUSTER", "REPLICATE", primaryId);
  }
}

export interface NodeAdminOptions {
  /** The addresses a node must listen on; default [spec.host, ...spec.endpointHosts]. */
  bindFor?: (spec: NodeSpec) => string[];
  /** The driver shares the node's network namespace (process driver, docker's host network), so
   *  it can tell before any change whether an address to bind is held by someone else. */
  sameNetwork?: boolean;
  /** The node's data dir as the node itself sees it (docker: /data); default spec.dataDir. */
  nodeDataDir?: (spec: NodeSpec) => string;
}

export interface NodeAdmin {
  /** Observation of a node whose process/container runs: "running" (with loading, role,
   *  replication, bind, config) when it answers PING, "unresponsive" otherwise. Never throws. */
  observeRunning(spec: NodeSpec, confPath: string, handle: string): Promise<NodeObservation>;
  /** Converges the live node on the spec: CONFIG SET of every directive that differs from
   *  spec.config (and the reset of directives that left it), the listening addresses (bind) and
   *  the replication role (REPLICAOF). A node becoming a primary is promoted before it binds new
   *  addresses; a node stopping being a primary drops its endpoint addresses (and kills the
   *  clients connected through them) before REPLICAOF. Returns the names changed ("bind",
   *  "replicaof" among them). Throws NodeUnavailableError when the node does not answer,
   *  AddressInUseError (nothing changed) when an address to bind is held by another process,
   *  InvalidNodeSpecError when Redis refuses a value. The caller persists redis.conf afterwards
   *  (only what the node accepted). */
  applyLive(spec: NodeSpec, confPath: string): Promise<string[]>;
  /** NodeRuntime.applyAcl on the running node (its own connection, as applyLive). Throws
   *  NodeUnavailableError when the node does not answer or refuses every known password. */
  applyAcl(spec: NodeSpec, confPath: string, change: AclChange): Promise<AclApplied>;
  /** Forgets the cached connection of a node (it stopped, or its password changed). */
  drop(id: string): void;
  /** Closes every cached connection. */
  close(): Promise<void>;
}

export function createNodeAdmin(log: RuntimeLogger, options: NodeAdminOptions = {}): NodeAdmin {
  const bindFor = options.bindFor ?? bindAddresses;
  const nodeDataDir = options.nodeDataDir ?? ((spec: NodeSpec) => path.resolve(spec.dataDir));
  const conns = new Map<string, { key: string; redis: Promise<Redis> }>();

  const drop = (id: string) => {
    const entry = conns.get(id);
    if (!entry) return;
    conns.delete(id);
    entry.redis.then((r) => r.disconnect()).catch(() => {});
  };

  const cachedAdmin = async (spec: NodeSpec, password: string | undefined): Promise<Redis> => {
    const key = `${spec.host}\0${spec.port}\0${password ?? ""}\0${spec.tls ? caBundleDigest(spec.tls.caPem) : ""}`;
    const entry = conns.get(spec.id);
    if (entry?.key === key) {
      const redis = await entry.redis.catch(() => undefined);
      if (redis?.status === "ready") return redis;
    }
    drop(spec.id);
    const redis = connectAdmin({ host: spec.host, port: spec.port, password, timeoutMs: PROBE_TIMEOUT_MS, tls: clientTls(spec.tls) });
    conns.set(spec.id, { key, redis });
    try {
      return await redis;
    } catch (err) {
      if (conns.get(spec.id)?.redis === redis) conns.delete(spec.id);
      throw err;
    }
  };

  /** PING with the spec's password, then with the one in redis.conf (auth just changed and
   *  configure() has not run yet). Throws RedisAuthError if neither is accepted. */
  const probe = async (spec: NodeSpec, confPath: string) => {
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
        drop(spec.id);
        if (i === 0) {
          const onDisk = (await previousConfig(confPath)).requirepass;
          if ((onDisk ?? "") === (password ?? "")) break;
          candidates.push(onDisk);
        }
      }
    }
    throw lastAuthError instanceof RedisAuthError ? lastAuthError : new RedisAuthError(String((lastAuthError as Error)?.message));
  };

  return {
    drop,

    async observeRunning(spec, confPath, handle) {
      const base = { id: spec.id, handle, loading: false, config: {} };
      try {
        const { redis, answer } = await probe(spec, confPath);
        const names = Object.keys(spec.config);
        const [sections, live, cluster, aclLines] = await withTimeout(
          Promise.all([
            info(redis, "persistence", "replication"),
            configGet(redis, [...names, "bind", ...(spec.tls ? ["tls-ca-cert-file"] : [])]),
            spec.cluster && answer === "pong" ? observeCluster(redis) : undefined,
            // Users only for a reconcile (spec.acl), not for every probe.
            spec.acl && answer === "pong" ? (redis.call("ACL", "LIST") as Promise<string[]>) : undefined,
          ]),
          PROBE_TIMEOUT_MS,
          "INFO/CONFIG GET",
        );
        // The spec's own spelling where the live value means the same ("1gb" vs bytes), so the
        // caller compares observed to desired as plain strings.
        const config: Record<string, string> = {};
        for (const name of names) {
          const value = live[name];
          if (value !== undefined) config[name] = configValuesEqual(name, value, spec.config[name]!) ? spec.config[name]! : value;
        }
        const served = spec.tls ? servedCertificate(redis, spec.tls) : undefined;
        const trust = trustOfCaFile(live["tls-ca-cert-file"]);
        return {
          ...base,
          liveness: "running",
          ...(served ? { tls: { ...served, ...(trust ? { trust } : {}) } } : {}),
          loading: answer === "loading" || sections.persistence?.loading === "1",
          role: sections.replication?.role,
          bind: splitBind(live.bind),
          replication: parseReplication(sections.replication),
          config,
          ...(cluster ? { cluster } : {}),
          ...(aclLines ? { acl: { lines: aclLines } } : {}),
        };
      } catch (err) {
        if (err instanceof RedisAuthError) {
          log.warn({ node: spec.id }, "node refuses the configured password");
          return { ...base, liveness: "running" };
        }
        // A TLS node whose certificate does not verify answers, but not safely: the control plane
        // sends it nothing (no password), and plan() fences and restarts it with a new certificate.
        if (spec.tls && isTlsVerificationError(err)) log.warn({ node: spec.id, err: (err as Error).message }, "node's certificate does not verify");
        drop(spec.id);
        return { ...base, liveness: "unresponsive" };
      }
    },

    async applyLive(spec, confPath) {
      const previous = await previousConfig(confPath);
      const desired: Record<string, string> = {};
      for (const name of Object.keys(previous)) {
        if (name in spec.config) continue;
        const reset = RESET_VALUES[name];
        if (reset !== undefined) desired[name] = reset;
        else log.warn({ node: spec.id, directive: name }, "directive removed from spec keeps its live value until restart");
      }
      Object.assign(desired, spec.config);
      if (spec.tls) Object.assign(desired, tlsDirectives(spec.tls, nodeDataDir(spec)));

      // A connection of its own, so observe()'s cached one is never cut mid-command.
      let redis: Redis | undefined;
      for (const password of new Set([spec.config.requirepass, previous.requirepass])) {
        try {
          redis = await connectAdmin({ host: spec.host, port: spec.port, password, timeoutMs: 2000, tls: clientTls(spec.tls) });
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
        const [live, sections] = await Promise.all([configGet(redis, [...Object.keys(desired), "bind"]), info(redis, "replication")]);
        const changes: Record<string, string> = Object.fromEntries(
          Object.entries(desired).filter(([name, value]) => live[name] === undefined || !configValuesEqual(name, live[name], value)),
        );
        // A newly issued certificate sits under the same file names: setting them again is what
        // makes Redis load it (tls-*-file directives reload even when unchanged).
        if (spec.tls?.certPem !== undefined) {
          changes["tls-cert-file"] = desired["tls-cert-file"]!;
          changes["tls-key-file"] = desired["tls-key-file"]!;
        }

        const wantBind = bindFor(spec);
        const liveBind = splitBind(live.bind);
        const added = wantBind.filter((a) => !liveBind.includes(a));
        const removed = liveBind.filter((a) => !wantBind.includes(a));
        if (added.length > 0 || removed.length > 0) changes.bind = wantBind.join(" ");

        const replication = parseReplication(sections.replication);
        const primary = spec.replicaOf;
        const promote = !primary && replication?.role !== "primary";
        const follow =
          primary !== undefined && !(replication?.role === "replica" && replication.primaryHost === primary.host && replication.primaryPort === primary.port);

        // Before any change: an address held by another process (a former primary that still
        // listens on the endpoint address) fails the whole configure, leaving the node as it was.
        if (options.sameNetwork) await assertAddressesFree(spec, added);

        const changed: string[] = [];
        if (promote) {
          // Writable before it takes the endpoint address: clients never reach a read-only node there.
          // In cluster mode the replica takes its primary's slots over at once, with no election:
          // the control plane has fenced the old primary already.
          if (spec.cluster) await clusterFailover(redis, "TAKEOVER");
          else await redis.call("REPLICAOF", "NO", "ONE");
          changed.push("replicaof");
          log.info({ node: spec.id }, "node promoted to primary");
        }
        try {
          await configSet(redis, changes); // all or none: a bind that fails undoes the rest
        } catch (err) {
          const message = (err as Error).message;
          if ("bind" in changes && /bind/i.test(message) && added.length > 0) {
            if (options.sameNetwork) await assertAddressesFree(spec, added); // names the address taken
            const shown = added.map((a) => formatAddress(a, spec.port)).join(", ");
            throw new AddressInUseError(
              `node ${spec.id} cannot listen on ${shown}: ${message}${promote ? " (the node was promoted to primary already)" : ""}`,
              added[0]!,
              spec.port,
            );
          }
          throw new InvalidNodeSpecError(`node ${spec.id}: CONFIG SET ${Object.keys(changes).join(", ")} failed: ${message}`);
        }
        changed.push(...Object.keys(changes));
        // Clients that came in through an address the node no longer holds would otherwise stay
        // with it (a rebind closes listeners only): cut them, so they reconnect to the new holder.
        for (const address of removed) {
          try {
            await redis.call("CLIENT", "KILL", "LADDR", formatAddress(address, spec.port));
          } catch (err) {
            log.warn({ node: spec.id, address, err: (err as Error).message }, "cannot disconnect the clients of a dropped address");
          }
        }
        if (follow) {
          // In cluster mode REPLICAOF is refused: the node follows its primary's cluster id.
          if (spec.cluster?.primaryId) await clusterReplicate(redis, spec.cluster.primaryId);
          else await redis.call("REPLICAOF", primary.host, String(primary.port));
          changed.push("replicaof");
          log.info({ node: spec.id, primary: formatAddress(primary.host, primary.port) }, "node replicates");
        }
        // The next observe() connects with the new password, or sees the new certificate.
        if ("requirepass" in changes || Object.keys(changes).some((name) => name.startsWith("tls-"))) drop(spec.id);
        return changed;
      } finally {
        redis.disconnect();
      }
    },

    async applyAcl(spec, confPath, change) {
      const previous = await previousConfig(confPath);
      let lastError: unknown;
      // The spec's password, then the one the node was last configured with (auth just changed).
      for (const password of new Set([spec.config.requirepass, previous.requirepass])) {
        let redis: Redis | undefined;
        try {
          redis = await connectAdmin({ host: spec.host, port: spec.port, password, timeoutMs: 2000, tls: clientTls(spec.tls) });
          await redis.ping();
        } catch (err) {
          redis?.disconnect();
          lastError = err;
          if (err instanceof RedisAuthError || isAuthError(err)) continue;
          throw new NodeUnavailableError(`node ${spec.id} does not answer (${(err as Error).message}); users not applied`);
        }
        try {
          const applied = await applyAclChange(redis, change);
          log.info(
            { node: spec.id, set: change.set.map((u) => u.name), removed: change.remove, rejected: applied.rejected.map((r) => r.name) },
            "node users applied",
          );
          return applied;
        } finally {
          redis.disconnect();
        }
      }
      throw new NodeUnavailableError(`node ${spec.id} refuses every known password (${(lastError as Error)?.message}); users not applied`);
    },

    async close() {
      const pending = [...conns.values()].map((e) => e.redis.then((r) => r.quit()).catch(() => {}));
      conns.clear();
      await Promise.all(pending);
    },
  };
}
