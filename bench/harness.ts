// A tiny benchmark harness: latency scenarios (N timed runs after discarded warm-ups) and
// throughput scenarios (requests/s over a fixed duration at a concurrency level, median of
// several rounds). Every result can name a baseline measured in the same run; the table
// prints median / baseline median as "ratio". Numbers are medians: the machine is noisy.
import { Worker } from "node:worker_threads";

export interface Stats {
  median: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

export interface Result {
  name: string;
  kind: "latency" | "throughput";
  /** "ms" for latency, "req/s" for throughput. */
  unit: string;
  /** Timed runs (latency) or rounds (throughput). */
  samples: number[];
  stats: Stats;
  /** Name of the result this one is compared with. */
  baseline?: string | undefined;
  /** Free-form extras (errors, concurrency, phase breakdowns) for the JSON line. */
  extra?: Record<string, unknown>;
  /** What the product aims for, checked on the median or on the ratio to the baseline. */
  target?: Target | undefined;
}

export interface Target {
  /** median: the row's own median; ratio: median / the baseline's; difference: median − the baseline's. */
  on: "median" | "ratio" | "difference";
  max?: number;
  min?: number;
}

/** Nearest-rank percentile on a sorted copy. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: median(sorted), p90: percentile(sorted, 90), p99: percentile(sorted, 99), min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}

export interface LatencyOptions {
  runs: number;
  warmup?: number;
  baseline?: string;
  /** One run: does its work and returns the milliseconds it measured (it owns the clock, so
   *  untimed setup/cleanup can live in the same function). */
  run: (index: number) => Promise<number>;
  /** Called once at the end for the result's extras (if run() recorded any). */
  extra?: () => Record<string, unknown>;
  target?: Target;
}

/** A latency scenario ready to run: its display name, its runs, and (optionally) work to do
 *  once all runs are done (a final check whose findings go into the result's extras). */
export interface LatencyScenario {
  name: string;
  opts: LatencyOptions;
  finish?: (result: Result) => Promise<void>;
}

/** What the scenario registry says about a row: its name, its baseline's name, its target. */
export interface Spec {
  name: string;
  baseline?: string | undefined;
  target?: Target | undefined;
}

export async function latency(name: string, opts: LatencyOptions): Promise<Result> {
  const [result] = await interleavedLatency([{ name, opts }]);
  return result!;
}

/** Several latency scenarios with their runs interleaved (a, b, a, b, ...), so a scenario
 *  and its baseline see the same background noise. */
export async function interleavedLatency(scenarios: LatencyScenario[]): Promise<Result[]> {
  // A failed run is recorded, not fatal: the table shows how many failed and why, and the
  // attempts are bounded (twice the runs).
  const acc = scenarios.map(() => ({ samples: [] as number[], errors: [] as string[] }));
  const attempt = async (k: number, index: number) => {
    try {
      return await scenarios[k]!.opts.run(index);
    } catch (error) {
      acc[k]!.errors.push(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  };
  const warmups = Math.max(...scenarios.map((s) => s.opts.warmup ?? 1));
  for (let i = 0; i < warmups; i++) {
    for (const [k, { opts }] of scenarios.entries()) if (i < (opts.warmup ?? 1)) await attempt(k, -1 - i);
  }
  const maxRuns = Math.max(...scenarios.map((s) => s.opts.runs));
  for (let i = 0; i < maxRuns * 2; i++) {
    let pending = false;
    for (const [k, { opts }] of scenarios.entries()) {
      if (acc[k]!.samples.length >= opts.runs || i >= opts.runs * 2) continue;
      pending = true;
      const ms = await attempt(k, i);
      if (ms !== undefined) acc[k]!.samples.push(ms);
    }
    if (!pending) break;
  }
  const results: Result[] = [];
  for (const [k, { name, opts, finish }] of scenarios.entries()) {
    const { samples, errors } = acc[k]!;
    if (samples.length === 0) throw new Error(`${name}: every run failed; first error: ${errors[0]}`);
    const result: Result = {
      name,
      kind: "latency",
      unit: "ms",
      samples,
      stats: stats(samples),
      baseline: opts.baseline,
      target: opts.target,
      extra: { ...opts.extra?.(), errors: errors.length, errorMessages: errors.slice(0, 5) },
    };
    await finish?.(result);
    results.push(result);
  }
  return results;
}

export interface ThroughputOptions {
  url: string;
  headers?: Record<string, string>;
  concurrency: number;
  durationMs: number;
  rounds: number;
  /** A short discarded round first (connections opened, JIT warm). */
  warmupMs?: number;
  baseline?: string;
  target?: Target;
}

interface RoundResult {
  ok: number;
  errors: number;
  elapsedMs: number;
  statuses: Record<string, number>;
}

// The load generator runs on its own thread (its own event loop, so it can use the second
// core) and speaks plain node:http with keep-alive: one socket per concurrent client.
const LOAD_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const { url, headers, concurrency, durationMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
let ok = 0, errors = 0;
const statuses = {};
const once = () => new Promise((resolve) => {
  const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: "GET", headers }, (res) => {
    statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
    if (res.statusCode === 200) ok++; else errors++;
    res.resume();
    res.on("end", resolve);
    res.on("error", () => resolve());
  });
  req.on("error", () => { errors++; resolve(); });
  req.end();
});
(async () => {
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) await once();
  }));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  parentPort.postMessage({ ok, errors, elapsedMs, statuses });
})();
`;

function loadRound(opts: ThroughputOptions, durationMs: number): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, {
      eval: true,
      workerData: { url: opts.url, headers: opts.headers ?? {}, concurrency: opts.concurrency, durationMs },
    });
    // Bounded: a round can never outlive its duration by more than 30 s.
    const guard = setTimeout(() => void worker.terminate().then(() => reject(new Error(`load round on ${opts.url} hung`))), durationMs + 30_000);
    worker.once("message", (m: RoundResult) => {
      clearTimeout(guard);
      void worker.terminate();
      resolve(m);
    });
    worker.once("error", (e) => {
      clearTimeout(guard);
      reject(e);
    });
  });
}

/** A throughput row (req/s per round) from a scenario that drives its own load. */
export function throughputResult(spec: Spec, samples: number[], extra: Record<string, unknown>): Result {
  return { name: spec.name, kind: "throughput", unit: "req/s", samples, stats: stats(samples), baseline: spec.baseline, target: spec.target, extra };
}

export async function throughput(name: string, opts: ThroughputOptions): Promise<Result> {
  const [result] = await interleavedThroughput([{ name, opts }]);
  return result!;
}

/** Several throughput scenarios with their rounds interleaved (a, b, a, b, ...), so a
 *  scenario and its baseline see the same background noise. */
export async function interleavedThroughput(scenarios: { name: string; opts: ThroughputOptions }[]): Promise<Result[]> {
  for (const { opts } of scenarios) if (opts.warmupMs) await loadRound(opts, opts.warmupMs);
  const acc = scenarios.map(() => ({ samples: [] as number[], errors: 0, statuses: {} as Record<string, number> }));
  const rounds = Math.max(...scenarios.map((s) => s.opts.rounds));
  for (let i = 0; i < rounds; i++) {
    for (const [k, { opts }] of scenarios.entries()) {
      if (i >= opts.rounds) continue;
      const round = await loadRound(opts, opts.durationMs);
      const a = acc[k]!;
      a.samples.push((round.ok / round.elapsedMs) * 1000);
      a.errors += round.errors;
      for (const [code, n] of Object.entries(round.statuses)) a.statuses[code] = (a.statuses[code] ?? 0) + n;
    }
  }
  return scenarios.map(({ name, opts }, k) =>
    throughputResult({ name, baseline: opts.baseline, target: opts.target }, acc[k]!.samples, {
      concurrency: opts.concurrency,
      durationMs: opts.durationMs,
      errors: acc[k]!.errors,
      statuses: acc[k]!.statuses,
    }),
  );
}

const fmt = (v: number, unit: string) =>
  Number.isNaN(v) ? "—" : unit === "ms" ? (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)) : Math.round(v).toLocaleString("en-US");

/** Median / the baseline's median; for throughput >1 is faster, for latency >1 is slower. */
export function ratioOf(result: Result, all: Result[]): number | undefined {
  const base = all.find((r) => r.name === result.baseline);
  return base ? result.stats.median / base.stats.median : undefined;
}

/** Median − the baseline's median, in the row's unit. */
export function differenceOf(result: Result, all: Result[]): number | undefined {
  const base = all.find((r) => r.name === result.baseline);
  return base ? result.stats.median - base.stats.median : undefined;
}

const fmtRatio = (ratio: number) => `${ratio.toFixed(ratio < 10 ? 2 : 1)}x`;

/** "median ≤ 1,500 ms: yes" — the target and whether this run met it. */
export function targetOf(result: Result, all: Result[]): { text: string; met: boolean } | undefined {
  const t = result.target;
  if (!t) return undefined;
  const value = t.on === "median" ? result.stats.median : t.on === "ratio" ? ratioOf(result, all) : differenceOf(result, all);
  if (value === undefined || Number.isNaN(value)) return undefined;
  const show = (v: number) =>
    t.on === "median" ? `${fmt(v, result.unit)} ${result.unit}` : t.on === "difference" ? `+${fmt(v, result.unit)} ${result.unit}` : fmtRatio(v);
  // A range (min and max) shows both ends, so a miss on either side reads as one.
  const bound = [t.min !== undefined ? `≥ ${show(t.min)}` : "", t.max !== undefined ? `≤ ${show(t.max)}` : ""].filter(Boolean).join(" and ");
  const met = (t.max === undefined || value <= t.max) && (t.min === undefined || value >= t.min);
  return { text: `${t.on} ${bound}: ${met ? "yes" : "NO"}`, met };
}

export function table(results: Result[]): string {
  const rows = [["scenario", "runs", "median", "p90", "p99", "min", "ratio", "vs", "target"]];
  for (const r of results) {
    const ratio = ratioOf(r, results);
    const ms = r.kind === "latency";
    rows.push([
      r.name,
      String(r.samples.length),
      `${fmt(r.stats.median, r.unit)} ${r.unit}`,
      ms ? fmt(r.stats.p90, r.unit) : "—",
      ms ? fmt(r.stats.p99, r.unit) : "—",
      fmt(r.stats.min, r.unit),
      ratio === undefined ? "—" : fmtRatio(ratio),
      r.baseline ?? "(baseline)",
      targetOf(r, results)?.text ?? "",
    ]);
  }
  return markdown(rows);
}

/** A markdown table with padded columns; the first row is the header. */
export function markdown(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => (cell ?? "").padEnd(widths[c]!)).join(" | ")} |`;
  return [line(rows[0]!), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.slice(1).map(line)].join("\n");
}

/** Tables of where the time went: results whose extra.timeline (phase → median ms) share an
 *  extra.timelineTitle go in one table, phases in chronological order. */
export function timelines(results: Result[]): string[] {
  const groups = new Map<string, Result[]>();
  for (const r of results) {
    if (!r.extra?.timeline) continue;
    const title = String(r.extra.timelineTitle ?? "where the time goes (median ms)");
    groups.set(title, [...(groups.get(title) ?? []), r]);
  }
  return [...groups].map(([title, rs]) => {
    const lines = rs.map((r) => r.extra!.timeline as Record<string, number>);
    const phases = [...new Set(lines.flatMap((t) => Object.keys(t)))];
    const at = (p: string) => Math.min(...lines.map((t) => t[p] ?? Infinity));
    phases.sort((a, b) => at(a) - at(b));
    const rows = [["phase", ...rs.map((r) => r.name)], ...phases.map((p) => [p, ...lines.map((t) => (t[p] === undefined ? "—" : t[p]!.toFixed(1)))])];
    return `${title}\n${markdown(rows)}`;
  });
}
