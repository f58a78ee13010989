import { describe, expect, it } from "vitest";
import {
  availableMaintenanceVersions,
  BASE_MAINTENANCE_VERSION,
  compareRedisVersions,
  engineKey,
  findEngine,
  isDowngrade,
  latestReleased,
  MAINTENANCE_VERSION_PATTERN,
  REDIS_VERSION_PATTERN,
  redisVersionsOf,
  releasedVersions,
  type EngineEntry,
} from "../src/engines.js";

describe("compareRedisVersions", () => {
  it("orders by major, then minor, with X lowest and Valkey after Redis at the same number", () => {
    const shuffled = ["VALKEY_8_1", "REDIS_7_2", "REDIS_6_X", "VALKEY_7_2", "REDIS_7_4", "VALKEY_8_0", "REDIS_7_0", "REDIS_6_2"];
    expect([...shuffled].sort(compareRedisVersions)).toEqual([
      "REDIS_6_X",
      "REDIS_6_2",
      "REDIS_7_0",
      "REDIS_7_2",
      "VALKEY_7_2",
      "REDIS_7_4",
      "VALKEY_8_0",
      "VALKEY_8_1",
    ]);
  });
  it("compares numbers, not strings", () => {
    expect(compareRedisVersions("REDIS_7_10", "REDIS_7_2")).toBeGreaterThan(0);
    expect(compareRedisVersions("VALKEY_10_0", "VALKEY_9_0")).toBeGreaterThan(0);
  });
  it("is zero only for the same version", () => {
    expect(compareRedisVersions("REDIS_7_2", "REDIS_7_2")).toBe(0);
    expect(compareRedisVersions("REDIS_6_X", "REDIS_6_0")).toBeLessThan(0);
  });
  it("throws on a name that is not a redisVersion", () => {
    expect(() => compareRedisVersions("REDIS_7", "REDIS_7_2")).toThrow(/not a redisVersion: REDIS_7/);
  });
});

describe("isDowngrade", () => {
  it("is a move to an older number", () => {
    expect(isDowngrade("REDIS_7_2", "REDIS_7_0")).toBe(true);
    expect(isDowngrade("REDIS_7_0", "REDIS_6_X")).toBe(true);
    expect(isDowngrade("REDIS_6_X", "REDIS_7_0")).toBe(false);
    expect(isDowngrade("REDIS_7_2", "REDIS_7_2")).toBe(false);
  });
  it("lets Redis move to Valkey at the same or a newer number, never an older one", () => {
    expect(isDowngrade("REDIS_7_2", "VALKEY_7_2")).toBe(false);
    expect(isDowngrade("REDIS_7_2", "VALKEY_8_0")).toBe(false);
    expect(isDowngrade("REDIS_7_4", "VALKEY_7_2")).toBe(true);
  });
  it("never lets Valkey move back to Redis, even to a higher number", () => {
    expect(isDowngrade("VALKEY_7_2", "REDIS_7_2")).toBe(true);
    expect(isDowngrade("VALKEY_7_2", "REDIS_7_4")).toBe(true);
    expect(isDowngrade("VALKEY_8_0", "VALKEY_8_1")).toBe(false);
    expect(isDowngrade("VALKEY_8_1", "VALKEY_8_0")).toBe(true);
  });
});

const catalogue: EngineEntry[] = [
  { redisVersion: "REDIS_7_2", maintenanceVersion: "20261215_00_00", binary: "/opt/redis-7.2.8/redis-server" },
  { redisVersion: "REDIS_7_2", maintenanceVersion: BASE_MAINTENANCE_VERSION, binary: "/opt/redis-7.2.6/redis-server" },
  { redisVersion: "REDIS_7_2", maintenanceVersion: "20261115_00_00", binary: "/opt/redis-7.2.7/redis-server" },
  { redisVersion: "VALKEY_8_0", maintenanceVersion: "20261115_00_00", image: "valkey/valkey:8.0" },
  { redisVersion: "REDIS_6_X", maintenanceVersion: BASE_MAINTENANCE_VERSION, image: "redis:6.2" },
];
const none = new Set<string>();

describe("releasedVersions", () => {
  it("is only the earliest until the admin releases more", () => {
    expect(releasedVersions(catalogue, "REDIS_7_2", none)).toEqual([BASE_MAINTENANCE_VERSION]);
    expect(latestReleased(catalogue, "REDIS_7_2", none)).toBe(BASE_MAINTENANCE_VERSION);
  });
  it("adds released versions, ascending whatever the catalogue order", () => {
    const released = new Set(["20261215_00_00", "20261115_00_00"]);
    expect(releasedVersions(catalogue, "REDIS_7_2", released)).toEqual([BASE_MAINTENANCE_VERSION, "20261115_00_00", "20261215_00_00"]);
    expect(latestReleased(catalogue, "REDIS_7_2", released)).toBe("20261215_00_00");
  });
  it("may skip an unreleased version in the middle", () => {
    const released = new Set(["20261215_00_00"]);
    expect(releasedVersions(catalogue, "REDIS_7_2", released)).toEqual([BASE_MAINTENANCE_VERSION, "20261215_00_00"]);
  });
  it("keeps the earliest of a redisVersion whatever its date, even when it is not the base", () => {
    expect(releasedVersions(catalogue, "VALKEY_8_0", none)).toEqual(["20261115_00_00"]);
  });
  it("ignores released versions the catalogue does not hold", () => {
    expect(releasedVersions(catalogue, "REDIS_6_X", new Set(["20261215_00_00"]))).toEqual([BASE_MAINTENANCE_VERSION]);
  });
  it("is empty for a redisVersion not in the catalogue", () => {
    expect(releasedVersions(catalogue, "REDIS_7_4", none)).toEqual([]);
    expect(latestReleased(catalogue, "REDIS_7_4", none)).toBeUndefined();
  });
  it("lists a version once though the catalogue repeats it", () => {
    const twice = [...catalogue, { redisVersion: "REDIS_6_X", maintenanceVersion: BASE_MAINTENANCE_VERSION }];
    expect(releasedVersions(twice, "REDIS_6_X", none)).toEqual([BASE_MAINTENANCE_VERSION]);
  });
});

describe("availableMaintenanceVersions", () => {
  const released = new Set(["20261115_00_00", "20261215_00_00"]);
  it("is the released versions newer than the instance's", () => {
    expect(availableMaintenanceVersions(catalogue, "REDIS_7_2", BASE_MAINTENANCE_VERSION, released)).toEqual(["20261115_00_00", "20261215_00_00"]);
    expect(availableMaintenanceVersions(catalogue, "REDIS_7_2", "20261115_00_00", released)).toEqual(["20261215_00_00"]);
    expect(availableMaintenanceVersions(catalogue, "REDIS_7_2", "20261215_00_00", released)).toEqual([]);
  });
  it("offers nothing unreleased", () => {
    expect(availableMaintenanceVersions(catalogue, "REDIS_7_2", BASE_MAINTENANCE_VERSION, none)).toEqual([]);
  });
});

describe("the catalogue", () => {
  it("finds an entry by redisVersion and maintenanceVersion", () => {
    expect(findEngine(catalogue, "REDIS_7_2", "20261115_00_00")?.binary).toBe("/opt/redis-7.2.7/redis-server");
    expect(findEngine(catalogue, "REDIS_7_2", "20270101_00_00")).toBeUndefined();
    expect(findEngine(catalogue, "REDIS_7_4", BASE_MAINTENANCE_VERSION)).toBeUndefined();
  });
  it("lists distinct redisVersions in catalogue order", () => {
    expect(redisVersionsOf(catalogue)).toEqual(["REDIS_7_2", "VALKEY_8_0", "REDIS_6_X"]);
    expect(redisVersionsOf([])).toEqual([]);
  });
  it("keys an engine by both versions", () => {
    expect(engineKey("REDIS_7_2", "20261115_00_00")).toBe("REDIS_7_2@20261115_00_00");
  });
  it("recognises Memorystore's names", () => {
    for (const v of ["REDIS_6_X", "REDIS_7_0", "REDIS_7_2", "REDIS_7_4", "VALKEY_7_2", "VALKEY_8_0", "VALKEY_8_1"]) {
      expect(REDIS_VERSION_PATTERN.test(v)).toBe(true);
    }
    for (const v of ["REDIS_7", "redis_7_2", "KEYDB_6_3", "REDIS_7_2_1"]) expect(REDIS_VERSION_PATTERN.test(v)).toBe(false);
    expect(MAINTENANCE_VERSION_PATTERN.test(BASE_MAINTENANCE_VERSION)).toBe(true);
    expect(MAINTENANCE_VERSION_PATTERN.test("2026-11-01")).toBe(false);
  });
});
