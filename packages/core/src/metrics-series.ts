// The per-deployment time series (GET …/metrics, the console's charts) from the worker's INFO
// samples: pure, so every definition below is unit-tested without a node.
//
// Points are bucketed on multiples of `step` since the epoch, not from the window's start, so a
// console that refreshes every few seconds sees the same buckets (and the same values for
// complete ones) each time instead of points that slide. Rates are sums of deltas over sums of
// elapsed time within a step (not an average of per-pair rates), so a step with one long gap and
// one short one is weighted by time as a counter should be. A pair of samples across a restart
// (uptime went back, or the counter did) says nothing about the rate and is skipped.
import { shardId } from "./cluster-view.js";

export const METRIC_NAMES = [
  "memory_usage_ratio",
  "ops_per_second",
  "connected_clients",
  "hit_ratio",
  "evictions_per_second",
  "replication_lag_bytes",
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type SampleRole = "PRIMARY" | "REPLICA";

export interface SeriesSample {
  nodeId: string;
  time: Date;
  role: SampleRole;
  values: Record<string, number>;
}

export interface SeriesNode {
  id: string;
  zone: string;
  /** Shard index from 0 (always 0 for an instance). */
  shard: number;
  /** The recorded role: the series' role when the node has no sample in the window. */
  role: SampleRole;
}

export interface SeriesPoint {
  time: string;
  value: number;
}

export interface MetricSeriesOut {
  metric: MetricName;
  node: string;
  zone: string;
  role: SampleRole;
  shard?: string;
  points: SeriesPoint[];
}

export interface SeriesRequest {
  windowMs: number;
  stepMs: number;
  /** The end of the window, epoch ms. */
  now: number;
  /** A cluster's series carry their shard ("0001"). */
  cluster: boolean;
}

// ---- window and step ----

/** Most points one series may have: an hour at one per second. A defaulted step grows to fit. */
export const MAX_POINTS = 3_600;
export const DEFAULT_WINDOW_MS = 3_600_000;
/** The step when sampling is off (interval 0): the default interval. */
const FALLBACK_STEP_MS = 10_000;

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** "600s", "15m", "1h" (the contract's format, already checked) to milliseconds. */
export const durationMs = (text: string) => Number(text.slice(0, -1)) * (UNIT_MS[text.slice(-1)] ?? Number.NaN);
/** Milliseconds as a protobuf Duration in JSON ("3600s"), whole seconds. */
export const formatDuration = (ms: number) => `${Math.round(ms / 1000)}s`;

export type ResolvedWindow = { ok: true; windowMs: number; stepMs: number } | { ok: false; field: "window" | "step"; message: string };

/** The query's window and step with their defaults, or the field that is wrong and why. */
export function resolveMetricsWindow(
  query: { window?: string | undefined; step?: string | undefined },
  limits: { intervalMs: number; retentionMs: number },
): ResolvedWindow {
  const windowMs = query.window === undefined ? Math.min(DEFAULT_WINDOW_MS, limits.retentionMs) : durationMs(query.window);
  if (!(windowMs > 0)) return { ok: false, field: "window", message: "must be a duration such as 600s, 15m or 1h" };
  if (windowMs > limits.retentionMs) {
    return { ok: false, field: "window", message: `must be at most the retention, ${formatDuration(limits.retentionMs)} (CACHEPLANE_METRICS_RETENTION)` };
  }
  if (query.step === undefined) {
    // Whole seconds (the wire's unit), at least the sampling interval, and few enough points.
    const interval = Math.ceil((limits.intervalMs || FALLBACK_STEP_MS) / 1000) * 1000;
    const stepMs = Math.min(windowMs, Math.max(interval, Math.ceil(windowMs / MAX_POINTS / 1000) * 1000));
    return { ok: true, windowMs, stepMs };
  }
  const stepMs = durationMs(query.step);
  if (!(stepMs > 0)) return { ok: false, field: "step", message: "must be a duration such as 10s, 1m or 1h" };
  if (stepMs > windowMs) return { ok: false, field: "step", message: `must not be longer than the window (${formatDuration(windowMs)})` };
  if (windowMs / stepMs > MAX_POINTS) {
    return {
      ok: false,
      field: "step",
      message: `gives more than ${MAX_POINTS} points over ${formatDuration(windowMs)}: use at least ${formatDuration(Math.ceil(windowMs / MAX_POINTS / 1000) * 1000)}`,
    };
  }
  return { ok: true, windowMs, stepMs };
}

/** How far before the window's start the samples must go: the pair that gives a rate its first point. */
export const lookbackMs = (req: Pick<SeriesRequest, "windowMs" | "stepMs">, intervalMs: number) =>
  req.windowMs + Math.max(req.stepMs, 2 * (intervalMs || FALLBACK_STEP_MS));

// ---- buckets ----

/** Accumulates (sum, weight) per bucket; a point is sum / weight. */
class Buckets {
  private readonly acc = new Map<number, { sum: number; weight: number }>();
  constructor(private readonly stepMs: number) {}

  add(time: number, sum: number, weight = 1) {
    const at = Math.floor(time / this.stepMs) * this.stepMs;
    const a = this.acc.get(at);
    if (a) {
      a.sum += sum;
      a.weight += weight;
    } else this.acc.set(at, { sum, weight });
  }

  points(): SeriesPoint[] {
    return [...this.acc.entries()]
      .filter(([, a]) => a.weight > 0)
      .sort(([x], [y]) => x - y)
      .map(([at, a]) => ({ time: new Date(at).toISOString(), value: round(a.sum / a.weight) }));
  }
}

/** Four decimals: a ratio to 0.01 %, a rate to 1/10000 per second; keeps the JSON small. */
const round = (v: number) => Math.round(v * 10_000) / 10_000;
const num = (s: SeriesSample, field: string): number | undefined => {
  const v = s.values[field];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
};

// ---- the metrics ----

/** A restart between two samples: their counters are not comparable. */
const restartedBetween = (prev: SeriesSample, cur: SeriesSample) => {
  const a = num(prev, "uptime_in_seconds");
  const b = num(cur, "uptime_in_seconds");
  return a !== undefined && b !== undefined && b < a;
};

/** Consecutive pairs of one node's samples (oldest first) whose later sample is in the window and
 *  that no restart separates. */
function* pairs(samples: readonly SeriesSample[], from: number) {
  for (let i = 1; i < samples.length; i++) {
    const prev = samples[i - 1]!;
    const cur = samples[i]!;
    const dt = (cur.time.getTime() - prev.time.getTime()) / 1000;
    if (cur.time.getTime() < from || dt <= 0 || restartedBetween(prev, cur)) continue;
    yield { prev, cur, dt };
  }
}

/** Delta of a counter over a pair; undefined when missing or when it went back (a reset). */
function delta(prev: SeriesSample, cur: SeriesSample, field: string): number | undefined {
  const a = num(prev, field);
  const b = num(cur, field);
  if (a === undefined || b === undefined || b < a) return undefined;
  return b - a;
}

function rate(samples: readonly SeriesSample[], field: string, from: number, stepMs: number) {
  const b = new Buckets(stepMs);
  for (const { prev, cur, dt } of pairs(samples, from)) {
    const d = delta(prev, cur, field);
    if (d !== undefined) b.add(cur.time.getTime(), d, dt);
  }
  return b.points();
}

function gauge(samples: readonly SeriesSample[], from: number, stepMs: number, read: (s: SeriesSample) => number | undefined) {
  const b = new Buckets(stepMs);
  for (const s of samples) {
    if (s.time.getTime() < from) continue;
    const v = read(s);
    if (v !== undefined) b.add(s.time.getTime(), v);
  }
  return b.points();
}

function hitRatio(samples: readonly SeriesSample[], from: number, stepMs: number) {
  const b = new Buckets(stepMs);
  for (const { prev, cur } of pairs(samples, from)) {
    const hits = delta(prev, cur, "keyspace_hits");
    const misses = delta(prev, cur, "keyspace_misses");
    if (hits !== undefined && misses !== undefined) b.add(cur.time.getTime(), hits, hits + misses);
  }
  return b.points(); // a step with no lookups has weight 0: no point
}

const memoryRatio = (s: SeriesSample) => {
  const used = num(s, "used_memory");
  const max = num(s, "maxmemory");
  return used !== undefined && max !== undefined && max > 0 ? used / max : undefined;
};

/** Per replica sample: its shard primary's master_repl_offset at the same tick minus its own
 *  slave_repl_offset (the sampler stamps every node of a tick with one time). */
function replicationLag(bySample: Map<string, SeriesSample[]>, nodes: readonly SeriesNode[], from: number, stepMs: number) {
  const shardOf = new Map(nodes.map((n) => [n.id, n.shard]));
  // tick time → shard → the primary's offset (the highest, should two claim the role mid-failover).
  const primaryOffset = new Map<number, Map<number, number>>();
  for (const [nodeId, samples] of bySample) {
    const shard = shardOf.get(nodeId) ?? 0;
    for (const s of samples) {
      const offset = num(s, "master_repl_offset");
      if (s.role !== "PRIMARY" || offset === undefined) continue;
      const at = primaryOffset.get(s.time.getTime()) ?? new Map<number, number>();
      at.set(shard, Math.max(offset, at.get(shard) ?? -Infinity));
      primaryOffset.set(s.time.getTime(), at);
    }
  }
  const out = new Map<string, SeriesPoint[]>();
  for (const [nodeId, samples] of bySample) {
    const shard = shardOf.get(nodeId) ?? 0;
    const b = new Buckets(stepMs);
    let any = false;
    for (const s of samples) {
      const own = num(s, "slave_repl_offset");
      const primary = primaryOffset.get(s.time.getTime())?.get(shard);
      if (s.role !== "REPLICA" || s.time.getTime() < from || own === undefined || primary === undefined) continue;
      b.add(s.time.getTime(), Math.max(0, primary - own));
      any = true;
    }
    if (any) out.set(nodeId, b.points());
  }
  return out;
}

/** Every metric of every node, metric by metric, nodes in the order given. */
export function metricsSeries(samples: readonly SeriesSample[], nodes: readonly SeriesNode[], req: SeriesRequest): MetricSeriesOut[] {
  const from = req.now - req.windowMs;
  const known = new Set(nodes.map((n) => n.id));
  const bySample = new Map<string, SeriesSample[]>();
  for (const s of samples) {
    if (!known.has(s.nodeId) || s.time.getTime() > req.now) continue;
    (bySample.get(s.nodeId) ?? bySample.set(s.nodeId, []).get(s.nodeId)!).push(s);
  }
  for (const list of bySample.values()) list.sort((a, b) => a.time.getTime() - b.time.getTime());

  const roleOf = (n: SeriesNode): SampleRole => {
    const inWindow = (bySample.get(n.id) ?? []).filter((s) => s.time.getTime() >= from);
    return inWindow.at(-1)?.role ?? n.role;
  };
  const lag = replicationLag(bySample, nodes, from, req.stepMs);
  const series: MetricSeriesOut[] = [];
  for (const metric of METRIC_NAMES) {
    for (const node of nodes) {
      const own = bySample.get(node.id) ?? [];
      const role = roleOf(node);
      let points: SeriesPoint[];
      switch (metric) {
        case "memory_usage_ratio":
          points = gauge(own, from, req.stepMs, memoryRatio);
          break;
        case "ops_per_second":
          points = rate(own, "total_commands_processed", from, req.stepMs);
          break;
        case "connected_clients":
          points = gauge(own, from, req.stepMs, (s) => num(s, "connected_clients"));
          break;
        case "hit_ratio":
          points = hitRatio(own, from, req.stepMs);
          break;
        case "evictions_per_second":
          points = rate(own, "evicted_keys", from, req.stepMs);
          break;
        case "replication_lag_bytes": {
          const p = lag.get(node.id);
          // A replica's series even before its first point; a primary's only for the time it was a replica.
          if (!p && role !== "REPLICA") continue;
          points = p ?? [];
          break;
        }
        default:
          return assertExhaustive(metric);
      }
      series.push({
        metric,
        node: node.id,
        zone: node.zone,
        role,
        ...(req.cluster ? { shard: shardId(node.shard) } : {}),
        points,
      });
    }
  }
  return series;
}

function assertExhaustive(x: never): never {
  throw new Error(`unhandled metric ${String(x)}`);
}
