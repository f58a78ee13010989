import { describe, expect, it } from "vitest";
import { loadMetricsSettings, loadSettings, SettingsError } from "@cacheplane/config";

describe("CACHEPLANE_METRICS_INTERVAL and CACHEPLANE_METRICS_RETENTION", () => {
  it("default to 10s and 2h", () => {
    expect(loadMetricsSettings({})).toEqual({ intervalMs: 10_000, retentionMs: 7_200_000 });
    expect(loadSettings({}).metrics).toEqual({ intervalMs: 10_000, retentionMs: 7_200_000 });
  });

  it("take ms, s, m, h and d; 0 turns sampling off", () => {
    expect(loadMetricsSettings({ CACHEPLANE_METRICS_INTERVAL: "500ms", CACHEPLANE_METRICS_RETENTION: "1d" })).toEqual({
      intervalMs: 500,
      retentionMs: 86_400_000,
    });
    expect(loadMetricsSettings({ CACHEPLANE_METRICS_INTERVAL: "0" }).intervalMs).toBe(0);
    expect(loadMetricsSettings({ CACHEPLANE_METRICS_INTERVAL: "1m", CACHEPLANE_METRICS_RETENTION: "90m" })).toEqual({
      intervalMs: 60_000,
      retentionMs: 5_400_000,
    });
  });

  it("refuse a retention under an hour, naming the setting", () => {
    expect(() => loadMetricsSettings({ CACHEPLANE_METRICS_RETENTION: "30m" })).toThrow(
      new SettingsError("CACHEPLANE_METRICS_RETENTION: must be between 1h and 30d"),
    );
    expect(() => loadSettings({ CACHEPLANE_METRICS_RETENTION: "59m" })).toThrow(/^CACHEPLANE_METRICS_RETENTION: /);
  });

  it("refuse an interval that is not a duration, or too short", () => {
    expect(() => loadMetricsSettings({ CACHEPLANE_METRICS_INTERVAL: "10" })).toThrow(/^CACHEPLANE_METRICS_INTERVAL: must be 0 or a duration/);
    expect(() => loadMetricsSettings({ CACHEPLANE_METRICS_INTERVAL: "50ms" })).toThrow(
      /^CACHEPLANE_METRICS_INTERVAL: must be 0 \(off\) or between 100ms and 1h/,
    );
    expect(() => loadMetricsSettings({ CACHEPLANE_METRICS_INTERVAL: "-1s" })).toThrow(SettingsError);
  });
});
