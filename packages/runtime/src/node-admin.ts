// Talking to a node's redis-server the way the process driver does: one cached admin connection
// per node, a PING that falls back to the password the node's redis.conf was written with, the
// observation of a running node (loading, role, live config in the spec's spelling), and the live
// half of configure() (CONFIG SET of what differs, undoing directives that left the spec).
//
// Nothing here knows about processes or containers: both drivers use it (one copy). Only
// redis-admin.ts and config.ts are used, never copied.

import { readFile } from "node:fs/promises";
import type { Redis } from "ioredis";
import { InvalidNodeSpecError, RESET_VALUES, configValuesEqual, parseSpecConfig } from "./config.js";
import type { RuntimeLogger } from "./logger.js";
import type { NodeObservation, NodeSpec } from "./node-runtime.js";
import { NodeUnavailableError } from "./errors.js";
import { RedisAuthError, configGet, configSet, connectAdmin, info, isAuthError, ping, withTimeout } from "./redis-admin.js";

export const PROBE_TIMEOUT_MS = 300;

/** The spec.config the node's redis.conf was last written from (what it runs with); {} if none. */
export async function previousConfig(confPath: string): Promise<Record<string, string>> {
  try {
    return parseSpecConfig(await readFile(confPath, "utf8")) ?? {};
  } catch {
    return {};
  }
}

export interface NodeAdmin {
  /** Observation of a node whose process/container runs: "running" (with loading, role, config)
   *  when it answers PING, "unresponsive" otherwise. Never throws. */
  observeRunning(spec: NodeSpec, confPath: string, handle: string): Promise<NodeObservation>;
  /** CONFIG SET on the live node of every directive that differs from spec.config, and the reset
   *  of directives that left the spec. Returns the names changed. Throws NodeUnavailableError when
   *  the node does not answer, InvalidNodeSpecError when Redis refuses a value. The caller
   *  persists redis.conf afterwards (only what the node accepted). */
  applyLive(spec: NodeSpec, confPath: string): Promise<string[]>;
  /** Forgets the cached connection of a node (it stopped, or its password changed). */
  drop(id: string): void;
  /** Closes every cached connection. */
  close(): Promise<void>;
}

export function createNodeAdmin(log: RuntimeLogger): NodeAdmin {
  const conns = new Map<string, { key: string; redis: Promise<Redis> }>();

  const drop = (id: string) => {
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
    drop(spec.id);
    const redis = connectAdmin({ host: spec.host, port: spec.port, password, timeoutMs: PROBE_TIMEOUT_MS });
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
        const [sections, live] = await withTimeout(
          Promise.all([info(redis, "persistence", "replication"), configGet(redis, names)]),
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
        return {
          ...base,
          liveness: "running",
          loading: answer === "loading" || sections.persistence?.loading === "1",
          role: sections.replication?.role,
          config,
        };
      } catch (err) {
        if (err instanceof RedisAuthError) {
          log.warn({ node: spec.id }, "node refuses the configured password");
          return { ...base, liveness: "running" };
        }
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
        if ("requirepass" in changes) drop(spec.id); // the next observe() connects with the new password
        return Object.keys(changes);
      } finally {
        redis.disconnect();
      }
    },

    async close() {
      const pending = [...conns.values()].map((e) => e.redis.then((r) => r.quit()).catch(() => {}));
      conns.clear();
      await Promise.all(pending);
    },
  };
}
