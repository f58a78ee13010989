// stop(spec, { save: true }): the node writes its whole dataset to its RDB file and exits by itself
// (SHUTDOWN SAVE), so a restart with StartOptions.keepData (an engine upgrade of a node with no
// replica) loads every acknowledged write, also with persistence off. A plain SAVE followed by a
// kill would lose the writes acknowledged between the two; SHUTDOWN stops serving writes and saves
// in one step (Redis 7 pauses writes while it lets lagging replicas catch up, shutdown-timeout).
// Shared by both drivers; each waits for the exit its own way.

import { Command, type Redis } from "ioredis";
import type { RuntimeLogger } from "./logger.js";
import type { NodeSpec } from "./node-runtime.js";
import { PROBE_TIMEOUT_MS, previousConfig } from "./node-admin.js";
import { RedisAuthError, connectAdmin, isAuthError, ping } from "./redis-admin.js";
import { clientTls } from "./tls/node-tls.js";

/** How long SHUTDOWN SAVE may take (replicas catching up, then a synchronous save of the dataset)
 *  before stop() gives up on it; a kill before the save ends would lose what the caller keeps. */
export const SAVE_TIMEOUT_MS = 120_000;

/** "exiting": the node took SHUTDOWN SAVE, saved and dropped the connection as it exits.
 *  "unreachable": it does not answer (down, hung, paused); the caller kills it as usual. */
export type ShutdownOutcome = "exiting" | "unreachable";

/** An admin connection that answers PING, with the spec's password, then redis.conf's (auth
 *  changed and configure() has not run yet). Undefined when the node does not answer. */
async function answeringAdmin(spec: NodeSpec, confPath: string): Promise<Redis | undefined> {
  const passwords = new Set([spec.config.requirepass, (await previousConfig(confPath)).requirepass]);
  for (const password of passwords) {
    let redis: Redis | undefined;
    try {
      redis = await connectAdmin({ host: spec.host, port: spec.port, password, timeoutMs: PROBE_TIMEOUT_MS, tls: clientTls(spec.tls) });
      await ping(redis, PROBE_TIMEOUT_MS); // "loading" answers too: SHUTDOWN then skips the save, its files are intact
      return redis;
    } catch (err) {
      redis?.disconnect();
      if (!(err instanceof RedisAuthError || isAuthError(err))) return undefined;
    }
  }
  throw new Error(`node ${spec.id} answers but refuses every known password; it cannot be told to SHUTDOWN SAVE and still runs`);
}

/**
 * Sends SHUTDOWN SAVE to the node if it answers. Throws when it answers but does not shut down:
 * Redis refused (the save failed: disk full, dir not writable; SHUTDOWN renamed away) or the
 * command did not end within SAVE_TIMEOUT_MS. The node still runs then, its data unsaved.
 */
export async function shutdownSaving(spec: NodeSpec, confPath: string, log: RuntimeLogger): Promise<ShutdownOutcome> {
  const redis = await answeringAdmin(spec, confPath);
  if (!redis) return "unreachable";
  try {
    const command = new Command("SHUTDOWN", ["SAVE"]);
    // Set before sending: ioredis keeps the first timer, not the connection's short commandTimeout.
    command.setTimeout(SAVE_TIMEOUT_MS);
    redis.sendCommand(command);
    await command.promise;
    return "exiting"; // Redis never answers +OK to SHUTDOWN; if one did, it is exiting all the same
  } catch (err) {
    const message = (err as Error).message;
    if ((err as Error).name === "ReplyError") {
      throw new Error(`node ${spec.id} refused SHUTDOWN SAVE (${message}); it still runs, its dataset not saved`);
    }
    if (/timed out/i.test(message)) {
      throw new Error(`node ${spec.id} did not finish SHUTDOWN SAVE within ${SAVE_TIMEOUT_MS / 1000} s; left running so the save is not lost`);
    }
    // The connection closed under the command: that is how a SHUTDOWN succeeds.
    log.info({ node: spec.id }, "node saved its dataset (SHUTDOWN SAVE) and exits");
    return "exiting";
  } finally {
    redis.disconnect();
  }
}
