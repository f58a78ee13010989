// Cluster clients on their own thread (as bench/writer.ts, so the in-process control plane's
// event loop neither delays their clock nor is delayed by them), each a plain ioredis
// `Cluster` seeded with one address, with the same options on both sides of a comparison:
//  - load: `concurrency` loops of SET or GET (half each) on random keys of the loaded set,
//    counting successful operations, errors (any rejected command) and wrong reads (a GET
//    that did not return the key's value: a key lost or not yet moved);
//  - writer: one SET at a time of "{tag}:n" (every key in one slot, so in one shard), about one
//    per millisecond, recording when each was sent and acknowledged.
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { now, onCleanup } from "../lib.js";

/** ioredis Cluster options both sides use: the defaults (MOVED/ASK followed, a failed node's
 *  commands retried after retryDelayOnFailover 100 ms on a refreshed slot map), plus bounds so
 *  that no command waits on a dead socket for ever. */
export const CLUSTER_CLIENT_OPTIONS = { redisOptions: { connectTimeout: 500, commandTimeout: 1_000 } };

const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const { Cluster } = require(workerData.ioredis);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const { mode, seed, options } = workerData;
const client = new Cluster([seed], options);
client.on("error", () => {});
let running = true, ok = 0, errors = 0, wrong = 0;
const errorMessages = new Map();
const fail = (e) => { errors++; const m = String(e && e.message || e).slice(0, 120); errorMessages.set(m, (errorMessages.get(m) || 0) + 1); };
const sent = [], acked = [], ackedKeys = [];
let latencies = []; // load: each successful operation's latency (ms) since the last "window"
const waiters = new Set();

const keyOf = (i) => "key:" + i; // as cluster-keys.ts
const valueOf = (i) => ("value-" + i + "-").padEnd(32, "x");

async function loadLoop() {
  while (running) {
    const i = Math.floor(Math.random() * workerData.keys);
    const t = performance.now();
    try {
      if (Math.random() < 0.5) { await client.set(keyOf(i), valueOf(i)); ok++; }
      else { const v = await client.get(keyOf(i)); if (v === valueOf(i)) ok++; else wrong++; }
      latencies.push(performance.now() - t);
    } catch (e) { fail(e); await sleep(1); } // a failing client must not spin
  }
}

async function writeLoop() {
  let n = 0;
  while (running) {
    const key = "{" + workerData.tag + "}:" + n++;
    const t = now();
    try {
      await client.set(key, "1");
      const a = now();
      sent.push(t); acked.push(a); ackedKeys.push(key); ok++;
      for (const w of waiters) if (t > w.after) { waiters.delete(w); w.reply({ at: a, sentAt: t }); }
    } catch (e) { fail(e); }
    await sleep(1);
  }
}

const loops = mode === "load" ? Array.from({ length: workerData.concurrency }, loadLoop) : [writeLoop()];
const timer = setInterval(() => {
  const t = now();
  for (const w of waiters) if (t > w.deadline) { waiters.delete(w); w.reply({ timeout: true }); }
}, 20);
const latency = () => {
  const s = Float64Array.from(latencies).sort();
  const at = (p) => (s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN);
  return { p50: at(50), p99: at(99), max: s.length ? s[s.length - 1] : NaN };
};
const counters = () => ({ ok, errors, wrong, errorMessages: [...errorMessages].map(([m, n]) => n + "x " + m).slice(0, 5), latency: latency() });

parentPort.on("message", async ({ id, cmd, args }) => {
  const reply = (result) => parentPort.postMessage({ id, result });
  try {
    if (cmd === "firstAckAfter") {
      for (let i = 0; i < sent.length; i++) if (sent[i] > args.after) return reply({ at: acked[i], sentAt: sent[i] });
      waiters.add({ after: args.after, deadline: now() + args.timeoutMs, reply });
    } else if (cmd === "counters") {
      reply(counters());
    } else if (cmd === "window") {
      const c = counters(); // the window that ends here
      latencies = [];
      reply(c);
    } else if (cmd === "verify") {
      let missing = 0; const examples = [];
      const keys = ackedKeys.slice(args.from || 0);
      for (let i = 0; i < keys.length; i += 500) {
        const batch = keys.slice(i, i + 500);
        const flags = await Promise.all(batch.map((k) => client.exists(k).catch(() => -1)));
        flags.forEach((v, j) => { if (v !== 1) { missing++; if (examples.length < 5) examples.push(batch[j]); } });
      }
      reply({ checked: keys.length, missing, examples });
    } else if (cmd === "stop") {
      running = false;
      clearInterval(timer);
      await Promise.all(loops);
      reply(counters());
    }
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

export interface Counters {
  ok: number;
  errors: number;
  wrong: number;
  errorMessages: string[];
  /** Load: latency of the successful operations since window() (ms). */
  latency: { p50: number; p99: number; max: number };
}

export interface ClusterClient {
  counters(): Promise<Counters>;
  /** Load: ends the latency window (the counters as they are, with its latencies) and starts a new one. */
  window(): Promise<Counters>;
  /** Writer: when the first write sent after `after` (lib.now()) was acknowledged. */
  firstAckAfter(after: number, timeoutMs: number): Promise<{ at: number; sentAt: number }>;
  /** Writer: how many acknowledged keys (from index `from`) no longer exist. */
  verify(from?: number): Promise<{ checked: number; missing: number; examples: string[] }>;
  /** Stops the loops (verify still works); the final counters. */
  stop(): Promise<Counters>;
  close(): Promise<void>;
}

type Mode = { mode: "load"; keys: number; concurrency: number } | { mode: "writer"; tag: string };

export function startClusterClient(seed: { host: string; port: number }, mode: Mode): ClusterClient {
  const worker = new Worker(THREAD, {
    eval: true,
    workerData: {
      ...mode,
      seed: { host: seed.host, port: seed.port },
      options: CLUSTER_CLIENT_OPTIONS,
      ioredis: fileURLToPath(import.meta.resolve("ioredis")),
    },
  });
  onCleanup(() => worker.terminate());
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
        reject(new Error(`cluster client: ${cmd} got no answer in ${timeoutMs} ms`));
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
  let stopped: Promise<Counters> | undefined;
  return {
    counters: () => ask("counters"),
    window: () => ask("window"),
    async firstAckAfter(after, timeoutMs) {
      const r = await ask<{ at?: number; sentAt?: number; timeout?: boolean }>("firstAckAfter", { after, timeoutMs }, timeoutMs + 5_000);
      if (r.timeout || r.at === undefined) throw new Error(`no write acknowledged within ${timeoutMs} ms`);
      return { at: r.at, sentAt: r.sentAt! };
    },
    verify: (from) => ask("verify", { from }, 120_000),
    stop: () => (stopped ??= ask<Counters>("stop", {}, 15_000)),
    close: async () => void (await worker.terminate()),
  };
}

/** Waits until the writer's writes are acknowledged again. */
export async function clusterWritesFlow(client: ClusterClient, timeoutMs = 30_000) {
  await client.firstAckAfter(now(), timeoutMs);
}

/** Waits until the load has made `ops` successful operations more than it had. */
export async function loadFlows(client: ClusterClient, ops = 200, timeoutMs = 30_000) {
  const start = (await client.counters()).ok;
  const deadline = Date.now() + timeoutMs;
  while ((await client.counters()).ok < start + ops) {
    if (Date.now() > deadline) throw new Error(`the cluster load made no progress in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
