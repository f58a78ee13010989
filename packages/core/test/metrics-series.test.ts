import { describe, expect, it } from "vitest";
import {
  durationMs,
  formatDuration,
  lookbackMs,
  MAX_POINTS,
  metricsSeries,
  resolveMetricsWindow,
  type SeriesNode,
  type SeriesSample,
} from "../src/metrics-series.js";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0); // a multiple of every step used here
const at = (s: number) => new Date(T0 + s * 1000);
const iso = (s: number) => at(s).toISOString();
const sample = (nodeId: string, s: number, values: Record<string, number>, role: "PRIMARY" | "REPLICA" = "PRIMARY"): SeriesSample => ({
  nodeId,
  time: at(s),
  role,
  values: { uptime_in_seconds: 1000 + s, ...values },
});
const PRIMARY: SeriesNode = { id: "u-0", zone: "local1-a", shard: 0, role: "PRIMARY" };
const REPLICA: SeriesNode = { id: "u-1", zone: "local1-b", shard: 0, role: "REPLICA" };
const req = (over: Partial<{ windowMs: number; stepMs: number; now: number; cluster: boolean }> = {}) => ({
  windowMs: 3_600_000,
  stepMs: 10_000,
  now: T0 + 600_000,
  cluster: false,
  ...over,
});
const pointsOf = (series: ReturnType<typeof metricsSeries>, metric: string, node = "u-0") => series.find((s) => s.metric === metric && s.node === node)?.points;

describe("resolveMetricsWindow", () => {
  const limits = { intervalMs: 10_000, retentionMs: 7_200_000 };

  it("defaults to a 1 h window stepped by the sampling interval", () => {
    expect(resolveMetricsWindow({}, limits)).toEqual({ ok: true, windowMs: 3_600_000, stepMs: 10_000 });
  });

  it("takes s, m and h", () => {
    expect(durationMs("600s")).toBe(600_000);
    expect(durationMs("15m")).toBe(900_000);
    expect(durationMs("2h")).toBe(7_200_000);
    expect(resolveMetricsWindow({ window: "15m", step: "30s" }, limits)).toEqual({ ok: true, windowMs: 900_000, stepMs: 30_000 });
  });

  it("formats durations as protobuf JSON seconds", () => {
    expect(formatDuration(3_600_000)).toBe("3600s");
    expect(formatDuration(10_000)).toBe("10s");
  });

  it("refuses a window beyond the retention, naming window and the setting", () => {
    const r = resolveMetricsWindow({ window: "3h" }, limits);
    expect(r).toMatchObject({ ok: false, field: "window" });
    expect(r.ok || r.message).toMatch(/7200s.*CACHEPLANE_METRICS_RETENTION/);
  });

  it("accepts a window equal to the retention", () => {
    expect(resolveMetricsWindow({ window: "2h" }, limits)).toMatchObject({ ok: true, windowMs: 7_200_000 });
  });

  it("refuses a step longer than the window, naming step", () => {
    expect(resolveMetricsWindow({ window: "10m", step: "1h" }, limits)).toMatchObject({ ok: false, field: "step" });
  });

  it("refuses a step that gives more than MAX_POINTS points, and says which step would do", () => {
    const r = resolveMetricsWindow({ window: "2h", step: "1s" }, limits);
    expect(r).toMatchObject({ ok: false, field: "step" });
    expect(r.ok || r.message).toMatch(/at least 2s/);
    expect(resolveMetricsWindow({ window: "1h", step: "1s" }, limits)).toMatchObject({ ok: true, stepMs: 1_000 });
    expect(3_600_000 / 1_000).toBe(MAX_POINTS);
  });

  it("grows a defaulted step to fit MAX_POINTS, and rounds a sub-second interval up to 1s", () => {
    expect(resolveMetricsWindow({ window: "2h" }, { intervalMs: 500, retentionMs: 7_200_000 })).toEqual({ ok: true, windowMs: 7_200_000, stepMs: 2_000 });
    expect(resolveMetricsWindow({ window: "10m" }, { intervalMs: 500, retentionMs: 7_200_000 })).toEqual({ ok: true, windowMs: 600_000, stepMs: 1_000 });
  });

  it("never defaults a step longer than the window", () => {
    expect(resolveMetricsWindow({ window: "5s" }, { intervalMs: 60_000, retentionMs: 7_200_000 })).toEqual({ ok: true, windowMs: 5_000, stepMs: 5_000 });
  });

  it("steps by 10 s when sampling is off", () => {
    expect(resolveMetricsWindow({}, { intervalMs: 0, retentionMs: 7_200_000 })).toMatchObject({ stepMs: 10_000 });
  });

  it("looks back one step (or two intervals) before the window, for the first rate", () => {
    expect(lookbackMs({ windowMs: 600_000, stepMs: 10_000 }, 10_000)).toBe(620_000);
    expect(lookbackMs({ windowMs: 600_000, stepMs: 60_000 }, 10_000)).toBe(660_000);
  });
});

describe("metricsSeries", () => {
  it("memory_usage_ratio is used_memory / maxmemory, averaged per step", () => {
    const s = metricsSeries(
      [
        sample("u-0", 0, { used_memory: 100, maxmemory: 1000 }),
        sample("u-0", 5, { used_memory: 300, maxmemory: 1000 }),
        sample("u-0", 10, { used_memory: 500, maxmemory: 1000 }),
      ],
      [PRIMARY],
      req(),
    );
    expect(pointsOf(s, "memory_usage_ratio")).toEqual([
      { time: iso(0), value: 0.2 },
      { time: iso(10), value: 0.5 },
    ]);
  });

  it("memory_usage_ratio has no point without a maxmemory", () => {
    const s = metricsSeries([sample("u-0", 0, { used_memory: 100, maxmemory: 0 })], [PRIMARY], req());
    expect(pointsOf(s, "memory_usage_ratio")).toEqual([]);
  });

  it("ops_per_second is the delta of total_commands_processed over the delta of time", () => {
    const s = metricsSeries(
      [
        sample("u-0", 0, { total_commands_processed: 100 }),
        sample("u-0", 10, { total_commands_processed: 600 }),
        sample("u-0", 20, { total_commands_processed: 700 }),
      ],
      [PRIMARY],
      req(),
    );
    expect(pointsOf(s, "ops_per_second")).toEqual([
      { time: iso(10), value: 50 },
      { time: iso(20), value: 10 },
    ]);
  });

  it("a rate within one step weighs its pairs by time (sum of deltas / sum of seconds)", () => {
    const s = metricsSeries(
      [
        sample("u-0", 0, { total_commands_processed: 0 }),
        sample("u-0", 61, { total_commands_processed: 100 }),
        sample("u-0", 62, { total_commands_processed: 1100 }),
      ],
      [PRIMARY],
      req({ stepMs: 60_000 }),
    );
    // Both pairs end in the step 60..120: (100 + 1000) / (61 + 1) s.
    expect(pointsOf(s, "ops_per_second")).toEqual([{ time: iso(60), value: Math.round((1100 / 62) * 10_000) / 10_000 }]);
  });

  it("a counter reset after a restart is no rate at all, never a negative one", () => {
    const s = metricsSeries(
      [
        sample("u-0", 0, { total_commands_processed: 5000 }),
        { ...sample("u-0", 10, { total_commands_processed: 3 }), values: { uptime_in_seconds: 2, total_commands_processed: 3 } },
        { ...sample("u-0", 20, {}), values: { uptime_in_seconds: 12, total_commands_processed: 103 } },
      ],
      [PRIMARY],
      req(),
    );
    expect(pointsOf(s, "ops_per_second")).toEqual([{ time: iso(20), value: 10 }]);
  });

  it("a counter that went back without the uptime saying so is skipped too", () => {
    const s = metricsSeries([sample("u-0", 0, { evicted_keys: 50 }), sample("u-0", 10, { evicted_keys: 0 })], [PRIMARY], req());
    expect(pointsOf(s, "evictions_per_second")).toEqual([]);
  });

  it("evictions_per_second from evicted_keys", () => {
    const s = metricsSeries([sample("u-0", 0, { evicted_keys: 0 }), sample("u-0", 10, { evicted_keys: 25 })], [PRIMARY], req());
    expect(pointsOf(s, "evictions_per_second")).toEqual([{ time: iso(10), value: 2.5 }]);
  });

  it("connected_clients is the gauge, averaged per step", () => {
    const s = metricsSeries([sample("u-0", 0, { connected_clients: 2 }), sample("u-0", 5, { connected_clients: 3 })], [PRIMARY], req());
    expect(pointsOf(s, "connected_clients")).toEqual([{ time: iso(0), value: 2.5 }]);
  });

  it("hit_ratio is hits / lookups over each step, with no point in a step without lookups", () => {
    const s = metricsSeries(
      [
        sample("u-0", 0, { keyspace_hits: 0, keyspace_misses: 0 }),
        sample("u-0", 10, { keyspace_hits: 30, keyspace_misses: 10 }),
        sample("u-0", 20, { keyspace_hits: 30, keyspace_misses: 10 }),
        sample("u-0", 30, { keyspace_hits: 31, keyspace_misses: 13 }),
      ],
      [PRIMARY],
      req(),
    );
    expect(pointsOf(s, "hit_ratio")).toEqual([
      { time: iso(10), value: 0.75 },
      { time: iso(30), value: 0.25 },
    ]);
  });

  it("hit_ratio sums the lookups of every pair in a step before dividing", () => {
    const s = metricsSeries(
      [
        sample("u-0", 0, { keyspace_hits: 0, keyspace_misses: 0 }),
        sample("u-0", 61, { keyspace_hits: 1, keyspace_misses: 0 }),
        sample("u-0", 62, { keyspace_hits: 1, keyspace_misses: 3 }),
      ],
      [PRIMARY],
      req({ stepMs: 60_000 }),
    );
    expect(pointsOf(s, "hit_ratio")).toEqual([{ time: iso(60), value: 0.25 }]);
  });

  it("replication_lag_bytes is the shard primary's master_repl_offset minus the replica's slave_repl_offset at the same tick", () => {
    const s = metricsSeries(
      [
        sample("u-0", 0, { master_repl_offset: 1000 }),
        sample("u-1", 0, { slave_repl_offset: 900, master_repl_offset: 900 }, "REPLICA"),
        sample("u-0", 10, { master_repl_offset: 2000 }),
        sample("u-1", 10, { slave_repl_offset: 2000 }, "REPLICA"),
      ],
      [PRIMARY, REPLICA],
      req(),
    );
    expect(pointsOf(s, "replication_lag_bytes", "u-1")).toEqual([
      { time: iso(0), value: 100 },
      { time: iso(10), value: 0 },
    ]);
    expect(pointsOf(s, "replication_lag_bytes", "u-0")).toBeUndefined();
  });

  it("replication lag is never negative (the replica read after the primary)", () => {
    const s = metricsSeries(
      [sample("u-0", 0, { master_repl_offset: 1000 }), sample("u-1", 0, { slave_repl_offset: 1200 }, "REPLICA")],
      [PRIMARY, REPLICA],
      req(),
    );
    expect(pointsOf(s, "replication_lag_bytes", "u-1")).toEqual([{ time: iso(0), value: 0 }]);
  });

  it("a tick without the primary's sample gives the replica no lag point", () => {
    const s = metricsSeries(
      [sample("u-0", 0, { master_repl_offset: 1000 }), sample("u-1", 10, { slave_repl_offset: 900 }, "REPLICA")],
      [PRIMARY, REPLICA],
      req(),
    );
    expect(pointsOf(s, "replication_lag_bytes", "u-1")).toEqual([]);
  });

  it("a replica has a lag series before its first point", () => {
    const s = metricsSeries([], [PRIMARY, REPLICA], req());
    expect(s.filter((x) => x.metric === "replication_lag_bytes").map((x) => x.node)).toEqual(["u-1"]);
  });

  it("lag is per shard: a replica compares with its own shard's primary", () => {
    const nodes: SeriesNode[] = [
      { id: "c-0", zone: "a", shard: 0, role: "PRIMARY" },
      { id: "c-1", zone: "b", shard: 0, role: "REPLICA" },
      { id: "c-2", zone: "a", shard: 1, role: "PRIMARY" },
      { id: "c-3", zone: "b", shard: 1, role: "REPLICA" },
    ];
    const s = metricsSeries(
      [
        sample("c-0", 0, { master_repl_offset: 100 }),
        sample("c-1", 0, { slave_repl_offset: 90 }, "REPLICA"),
        sample("c-2", 0, { master_repl_offset: 5000 }),
        sample("c-3", 0, { slave_repl_offset: 4000 }, "REPLICA"),
      ],
      nodes,
      req({ cluster: true }),
    );
    expect(pointsOf(s, "replication_lag_bytes", "c-1")).toEqual([{ time: iso(0), value: 10 }]);
    expect(pointsOf(s, "replication_lag_bytes", "c-3")).toEqual([{ time: iso(0), value: 1000 }]);
    expect(s.find((x) => x.node === "c-3")?.shard).toBe("0002");
    expect(s.find((x) => x.node === "c-0")?.shard).toBe("0001");
  });

  it("an instance's series carry no shard", () => {
    const s = metricsSeries([], [PRIMARY], req());
    expect(s.every((x) => !("shard" in x))).toBe(true);
  });

  it("the role follows the newest sample (a failover), and lag follows each node while it is a replica", () => {
    const s = metricsSeries(
      [
        sample("u-0", 0, { master_repl_offset: 1000 }),
        sample("u-1", 0, { slave_repl_offset: 1000 }, "REPLICA"),
        // failover: u-1 primary, u-0 replica
        sample("u-0", 10, { slave_repl_offset: 1500 }, "REPLICA"),
        sample("u-1", 10, { master_repl_offset: 1600 }),
      ],
      [PRIMARY, REPLICA], // the rows' roles may lag behind
      req(),
    );
    const lag0 = s.find((x) => x.metric === "replication_lag_bytes" && x.node === "u-0");
    const lag1 = s.find((x) => x.metric === "replication_lag_bytes" && x.node === "u-1");
    expect(lag0).toMatchObject({ role: "REPLICA", points: [{ time: iso(10), value: 100 }] });
    expect(lag1).toMatchObject({ role: "PRIMARY", points: [{ time: iso(0), value: 0 }] });
    expect(s.find((x) => x.metric === "connected_clients" && x.node === "u-1")?.role).toBe("PRIMARY");
  });

  it("the role of a node without samples in the window is its recorded one", () => {
    const s = metricsSeries([sample("u-1", -7200, {}, "PRIMARY")], [PRIMARY, REPLICA], req({ windowMs: 60_000 }));
    expect(s.find((x) => x.metric === "connected_clients" && x.node === "u-1")?.role).toBe("REPLICA");
  });

  it("keeps only the window, but a rate's first pair may start before it", () => {
    const now = T0 + 60_000;
    const s = metricsSeries(
      [
        sample("u-0", -10, { connected_clients: 9, total_commands_processed: 0 }),
        sample("u-0", 0, { connected_clients: 1, total_commands_processed: 100 }),
        sample("u-0", 30, { connected_clients: 1, total_commands_processed: 400 }),
      ],
      [PRIMARY],
      req({ windowMs: 60_000, now }),
    );
    expect(pointsOf(s, "connected_clients")).toEqual([
      { time: iso(0), value: 1 },
      { time: iso(30), value: 1 },
    ]);
    expect(pointsOf(s, "ops_per_second")).toEqual([
      { time: iso(0), value: 10 },
      { time: iso(30), value: 10 },
    ]);
  });

  it("ignores samples after now and of nodes that are no longer there", () => {
    const s = metricsSeries(
      [sample("u-0", 0, { connected_clients: 1 }), sample("u-0", 700, { connected_clients: 5 }), sample("u-9", 0, { connected_clients: 7 })],
      [PRIMARY],
      req(),
    );
    expect(pointsOf(s, "connected_clients")).toEqual([{ time: iso(0), value: 1 }]);
    expect(s.some((x) => x.node === "u-9")).toBe(false);
  });

  it("buckets on multiples of the step, so a refresh sees the same points", () => {
    const samples = [sample("u-0", 3, { connected_clients: 1 }), sample("u-0", 13, { connected_clients: 2 })];
    const a = metricsSeries(samples, [PRIMARY], req({ now: T0 + 20_000 }));
    const b = metricsSeries(samples, [PRIMARY], req({ now: T0 + 27_000 }));
    expect(pointsOf(a, "connected_clients")).toEqual(pointsOf(b, "connected_clients"));
    expect(pointsOf(a, "connected_clients")?.map((p) => p.time)).toEqual([iso(0), iso(10)]);
  });

  it("sorts samples given in any order", () => {
    const s = metricsSeries([sample("u-0", 10, { total_commands_processed: 600 }), sample("u-0", 0, { total_commands_processed: 100 })], [PRIMARY], req());
    expect(pointsOf(s, "ops_per_second")).toEqual([{ time: iso(10), value: 50 }]);
  });

  it("gives every node every metric (replicas also lag), metric by metric, nodes in order", () => {
    const s = metricsSeries([], [PRIMARY, REPLICA], req());
    expect(s.map((x) => `${x.metric}/${x.node}`)).toEqual([
      "memory_usage_ratio/u-0",
      "memory_usage_ratio/u-1",
      "ops_per_second/u-0",
      "ops_per_second/u-1",
      "connected_clients/u-0",
      "connected_clients/u-1",
      "hit_ratio/u-0",
      "hit_ratio/u-1",
      "evictions_per_second/u-0",
      "evictions_per_second/u-1",
      "replication_lag_bytes/u-1",
    ]);
    expect(s[0]).toMatchObject({ zone: "local1-a", role: "PRIMARY", points: [] });
  });

  it("skips values that are missing or not finite", () => {
    const s = metricsSeries([sample("u-0", 0, { connected_clients: Number.NaN }), sample("u-0", 10, {})], [PRIMARY], req());
    expect(pointsOf(s, "connected_clients")).toEqual([]);
    expect(pointsOf(s, "ops_per_second")).toEqual([]);
  });
});
