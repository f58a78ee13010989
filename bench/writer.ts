// A continuous writer on its own thread (its own event loop, so the in-process control
// plane's work neither delays its clock nor is delayed by it): SET <prefix>:<n> in a loop, one
// write at a time, paced at about one per millisecond, recording when each write was sent and
// when Redis acknowledged it. The bench asks it for the first acknowledgement of a write sent
// after some moment, the longest gap between acknowledgements in a window, and whether every
// acknowledged key still exists.
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { now, onCleanup } from "./lib.js";

/** ioredis options (JSON only): { host, port } for an endpoint, { sentinels, name } for Sentinel. */
export type WriterTarget = Record<string, unknown>;

/** The client both failover scenarios use, so they compare servers, not clients: one
 *  command in flight, retried by the bench; reconnect every 10 ms; on READONLY (the old
 *  primary after a switchover) reconnect. */
const CLIENT_OPTIONS = {
  enableReadyCheck: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 500,
  commandTimeout: 1_000,
};

const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const Redis = require(workerData.ioredis).default;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const options = (extra) => ({
  ...workerData.target, ...workerData.client, ...extra,
  retryStrategy: () => 10,
  sentinelRetryStrategy: () => 10,
  reconnectOnError: (err) => (err.message.startsWith("READONLY") ? 2 : false),
});
const redis = new Redis(options({}));
redis.on("error", () => {});
const prefix = workerData.prefix;
const sent = [], acked = []; // per acknowledged write n: when it was sent, when it was acknowledged
const ackedKeys = [];        // the key of each acknowledged write
let errors = 0, running = true, n = 0;
const waiters = new Set();   // { after, deadline, reply }

const loop = (async () => {
  while (running) {
    const key = prefix + ":" + n++;
    const t = now();
    try {
      await redis.set(key, "1");
      const a = now();
      sent.push(t); acked.push(a); ackedKeys.push(key);
      for (const w of waiters) if (t > w.after) { waiters.delete(w); w.reply({ at: a, sentAt: t }); }
    } catch {
      errors++;
    }
    await sleep(1);
  }
})();
const timer = setInterval(() => {
  const t = now();
  for (const w of waiters) if (t > w.deadline) { waiters.delete(w); w.reply({ timeout: true }); }
}, 20);

async function verify(from) {
  const check = new Redis(options({ maxRetriesPerRequest: 3 }));
  check.on("error", () => {});
  let missing = 0; const examples = [];
  try {
    const keys = ackedKeys.slice(from);
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const flags = await check.pipeline(batch.map((k) => ["exists", k])).exec();
      flags.forEach(([err, v], j) => { if (err || v !== 1) { missing++; if (examples.length < 5) examples.push(batch[j]); } });
    }
    return { checked: keys.length, missing, examples };
  } finally { check.disconnect(); }
}

parentPort.on("message", async ({ id, cmd, args }) => {
  const reply = (result) => parentPort.postMessage({ id, result });
  try {
    if (cmd === "firstAckAfter") {
      // Acks are in order: the first write sent after the moment that was acknowledged.
      for (let i = 0; i < sent.length; i++) if (sent[i] > args.after) return reply({ at: acked[i], sentAt: sent[i] });
      waiters.add({ after: args.after, deadline: now() + args.timeoutMs, reply });
    } else if (cmd === "longestGap") {
      // The longest time between consecutive acks that overlaps [from, to] (the last ack
      // before 'from' counts as the start of the first gap).
      let prev, gap = 0, start, end;
      for (let i = 0; i < acked.length; i++) {
        const a = acked[i];
        if (a < args.from) { prev = a; continue; }
        if (prev !== undefined && a - prev > gap) { gap = a - prev; start = prev; end = a; }
        prev = a;
        if (a > args.to) break;
      }
      reply({ gap, start, end });
    } else if (cmd === "mark") {
      reply({ acked: ackedKeys.length, errors });
    } else if (cmd === "verify") {
      reply(await verify(args.from ?? 0));
    } else if (cmd === "stop") {
      running = false;
      clearInterval(timer);
      await loop;
      redis.disconnect();
      reply({ acked: ackedKeys.length, errors });

    }
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

export interface Writer {
  /** When the first write sent after `after` (epoch ms, lib.now()) was acknowledged. */
  firstAckAfter(after: number, timeoutMs: number): Promise<{ at: number; sentAt: number }>;
  longestGap(from: number, to: number): Promise<{ gap: number; start?: number; end?: number }>;
  /** How many writes were acknowledged so far (an index for verify). */
  mark(): Promise<{ acked: number; errors: number }>;
  /** Checks every key acknowledged from index `from` on exists (through the same target). */
  verify(from?: number): Promise<{ checked: number; missing: number; examples: string[] }>;
  /** Stops writing (verify still works). */
  stop(): Promise<{ acked: number; errors: number }>;
  /** Ends the thread; registered for cleanup, so a failed scenario leaves nothing behind. */
  close(): Promise<void>;
}

export function startWriter(target: WriterTarget, prefix: string): Writer {
  const writer = spawnWriter(target, prefix);
  onCleanup(() => writer.close());
  return writer;
}

function spawnWriter(target: WriterTarget, prefix: string): Writer {
  const worker = new Worker(THREAD, {
    eval: true,
    workerData: { target, client: CLIENT_OPTIONS, prefix, ioredis: fileURLToPath(import.meta.resolve("ioredis")) },
  });
  let nextId = 0;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let dead: Error | undefined;
  worker.on("message", ({ id, result, error }) => {
    const p = pending.get(id);
    pending.delete(id);
    if (error) p?.reject(new Error(error));
    else p?.resolve(result);
  });
  worker.on("error", (e) => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  });
  const ask = <T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`writer: ${cmd} got no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      worker.postMessage({ id, cmd, args });
    });
  };
  let stopped: Promise<{ acked: number; errors: number }> | undefined;
  return {
    async firstAckAfter(after, timeoutMs) {
      const r = await ask<{ at?: number; sentAt?: number; timeout?: boolean }>("firstAckAfter", { after, timeoutMs }, timeoutMs + 5_000);
      if (r.timeout || r.at === undefined) throw new Error(`no write succeeded within ${timeoutMs} ms`);
      return { at: r.at, sentAt: r.sentAt! };
    },
    longestGap: (from, to) => ask("longestGap", { from, to }),
    mark: () => ask("mark"),
    verify: (from) => ask("verify", { from }, 120_000),
    stop: () => (stopped ??= ask<{ acked: number; errors: number }>("stop", {}, 10_000)),
    close: async () => {
      await worker.terminate();
    },
  };
}

/** Waits until writes flow: one sent from now on is acknowledged. */
export async function writesFlow(writer: Writer, timeoutMs = 30_000) {
  await writer.firstAckAfter(now(), timeoutMs);
}
