import { describe, expect, it } from "vitest";
import { placeNodes } from "../src/placement.js";
import { clusterNodeConfig, configDrift, maxmemoryBytes, nodeConfig, REDIS_CONFIG_DEFAULTS, type DesiredSpec } from "../src/node-config.js";
import { nodeId, parseNodeId, instanceName } from "../src/names.js";

const zones = ["local1-a", "local1-b", "local1-c"];
const spec: DesiredSpec = {
  tier: "BASIC",
  memorySizeGb: 2,
  redisVersion: "REDIS_7_0",
  authEnabled: false,
  persistenceMode: "DISABLED",
  redisConfigs: {},
};

describe("placement", () => {
  it("puts a BASIC node in the requested zone, or the first", () => {
    expect(placeNodes({ zones, nodeCount: 1 })).toEqual(["local1-a"]);
    expect(placeNodes({ zones, locationId: "local1-c", nodeCount: 1 })).toEqual(["local1-c"]);
  });
  it("spreads replicas over the alternative zone first, then the others", () => {
    expect(placeNodes({ zones, locationId: "local1-a", alternativeLocationId: "local1-c", nodeCount: 4 })).toEqual([
      "local1-a",
      "local1-c",
      "local1-b",
      "local1-c",
    ]);
  });
  it("still places replicas when only one zone exists", () => {
    expect(placeNodes({ zones: ["z"], nodeCount: 2 })).toEqual(["z", "z"]);
  });
});

describe("node config", () => {
  it("derives maxmemory in bytes and an empty requirepass when auth is off", () => {
    expect(nodeConfig(spec, "secret")).toEqual({
      maxmemory: String(2 * 1024 ** 3),
      requirepass: "",
      masterauth: "",
      save: "",
      "repl-diskless-sync-delay": "0",
      ...REDIS_CONFIG_DEFAULTS,
    });
    expect(maxmemoryBytes(1)).toBe(1073741824);
  });
  it("sets requirepass only with auth on and a secret present", () => {
    expect(nodeConfig({ ...spec, authEnabled: true }, "s3cret")).toMatchObject({ requirepass: "s3cret", masterauth: "s3cret" });
    expect(nodeConfig({ ...spec, authEnabled: true }, null).requirepass).toBe("");
  });
  it("maps RDB persistence to a save point and keeps user redisConfigs", () => {
    const c = nodeConfig({ ...spec, persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR", redisConfigs: { "maxmemory-policy": "allkeys-lru" } }, null);
    expect(c.save).toBe("3600 1");
    expect(c["maxmemory-policy"]).toBe("allkeys-lru");
  });
  it("names every user setting, so one dropped from redisConfigs returns to the engine default", () => {
    const tuned = nodeConfig({ ...spec, redisConfigs: { "maxmemory-policy": "allkeys-lru", timeout: "30" } }, null);
    const dropped = nodeConfig({ ...spec, redisConfigs: { timeout: "30" } }, null);
    // The live node still runs the dropped value: that is drift, so the planner configures it.
    expect(configDrift(dropped, tuned)).toEqual(["maxmemory-policy"]);
    expect(dropped["maxmemory-policy"]).toBe("noeviction");
    const cluster = clusterNodeConfig({ maxmemoryBytes: 1, persistence: { mode: "DISABLED" }, redisConfigs: {} });
    expect(cluster).toMatchObject(REDIS_CONFIG_DEFAULTS);
  });
  it("reports drift by key", () => {
    expect(configDrift({ a: "1", b: "2" }, { a: "1", b: "3" })).toEqual(["b"]);
  });
});

describe("names", () => {
  it("round-trips node ids", () => {
    expect(parseNodeId(nodeId("abc-def", 3))).toEqual({ instanceUid: "abc-def", ordinal: 3 });
    expect(parseNodeId("nope")).toBeUndefined();
    expect(instanceName("p", "l", "i")).toBe("projects/p/locations/l/instances/i");
  });
});
