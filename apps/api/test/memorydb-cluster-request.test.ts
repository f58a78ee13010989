import { describe, expect, it } from "vitest";
import {
  automatedBackupOf,
  checkAclWithTls,
  gcsUrisOf,
  newClusterId,
  refuseUnavailable,
  shardCountOf,
  zoneDistributionOf,
} from "../src/memorydb/cluster-request.js";
import { chosenRedisVersion, describeEngineVersions } from "../src/memorydb/engine-versions.js";
import { MemoryDbFault } from "../src/memorydb/faults.js";

const faultOf = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    if (error instanceof MemoryDbFault) return { type: error.type, message: error.message };
    throw error;
  }
  throw new Error("no fault");
};

describe("MemoryDB cluster requests", () => {
  it("takes cluster names as MemoryDB does: lower-cased, 1-40, no trailing or double hyphen", () => {
    expect(newClusterId("My-Cluster-1")).toBe("my-cluster-1");
    expect(newClusterId("a".repeat(40))).toBe("a".repeat(40));
    for (const bad of ["1abc", "a".repeat(41), "abc-", "a--b", "a_b", ""]) {
      expect(faultOf(() => newClusterId(bad)).type).toBe("InvalidParameterValueException");
    }
  });

  it("refuses what has no meaning here by name, and a non-TLS cluster with an ACL", () => {
    expect(faultOf(() => refuseUnavailable({ SecurityGroupIds: ["sg-1"] })).message).toMatch(/^SecurityGroupIds: /);
    expect(faultOf(() => refuseUnavailable({ KmsKeyId: "k" })).message).toMatch(/^KmsKeyId: /);
    expect(faultOf(() => refuseUnavailable({ SnsTopicArn: "arn:aws:sns:x" })).message).toMatch(/^SnsTopicArn: /);
    expect(faultOf(() => refuseUnavailable({ DataTiering: true })).message).toMatch(/^DataTiering: /);
    expect(faultOf(() => refuseUnavailable({ AutoMinorVersionUpgrade: false })).message).toMatch(/^AutoMinorVersionUpgrade: /);
    expect(faultOf(() => refuseUnavailable({ Port: 7000 })).message).toMatch(/^Port: /);
    expect(faultOf(() => refuseUnavailable({ NetworkType: "ipv6" })).message).toMatch(/^NetworkType: /);
    expect(faultOf(() => refuseUnavailable({ MultiRegionClusterName: "m" })).type).toBe("MultiRegionClusterNotFoundFault");
    // What MemoryDB sends by default passes.
    expect(() => refuseUnavailable({ SecurityGroupIds: [], Port: 6379, DataTiering: false, AutoMinorVersionUpgrade: true, NetworkType: "ipv4" })).not.toThrow();
    expect(faultOf(() => checkAclWithTls("app-acl", false)).type).toBe("InvalidParameterCombinationException");
    expect(() => checkAclWithTls("open-access", false)).not.toThrow();
    expect(() => checkAclWithTls("app-acl", true)).not.toThrow();
    expect(faultOf(() => shardCountOf(65)).type).toBe("ShardsPerClusterQuotaExceededFault");
  });

  it("turns SnapshotRetentionLimit and SnapshotWindow into the automated backup, keeping what is not named", () => {
    expect(automatedBackupOf(0, undefined)).toEqual({ automatedBackupMode: "DISABLED", fixedFrequencySchedule: { startTime: { hours: 5, minutes: 0 } } });
    const on = automatedBackupOf(7, "02:30-03:30");
    expect(on).toEqual({ automatedBackupMode: "ENABLED", fixedFrequencySchedule: { startTime: { hours: 2, minutes: 30 } }, retention: "604800s" });
    const stored = { automatedBackupMode: "ENABLED", fixedFrequencySchedule: { startTime: { hours: 2, minutes: 30 } }, retention: "604800s" } as const;
    expect(automatedBackupOf(undefined, "10:00-11:00", stored)).toEqual({ ...on, fixedFrequencySchedule: { startTime: { hours: 10, minutes: 0 } } });
    expect(automatedBackupOf(0, undefined, stored).automatedBackupMode).toBe("DISABLED");
    expect(faultOf(() => automatedBackupOf(36, undefined)).message).toMatch(/between 0 and 35/);
  });

  it("places a subnet group's nodes in its one zone or over every zone, and refuses a group of some", () => {
    const zones = ["local1-a", "local1-b", "local1-c"];
    expect(zoneDistributionOf({ name: "b", zones: ["local1-b"] }, zones)).toEqual({ mode: "SINGLE_ZONE", zone: "local1-b" });
    expect(zoneDistributionOf({ name: "default", zones }, zones)).toEqual({ mode: "MULTI_ZONE" });
    expect(faultOf(() => zoneDistributionOf({ name: "ab", zones: ["local1-a", "local1-b"] }, zones)).type).toBe("InvalidParameterCombinationException");
  });

  it("reads S3 ARNs of RDB files as the same bucket and object", () => {
    expect(gcsUrisOf(["arn:aws:s3:::my-bucket/dumps/a.rdb"])).toEqual(["gs://my-bucket/dumps/a.rdb"]);
    expect(faultOf(() => gcsUrisOf(["s3://my-bucket/a.rdb"])).type).toBe("InvalidParameterValueException");
  });
});

describe("MemoryDB engine versions", () => {
  const offered = ["REDIS_7_0", "REDIS_7_2", "VALKEY_7_2", "VALKEY_8_0"] as const;

  it("gives a create the default version, or the newest match of Engine and EngineVersion", () => {
    expect(chosenRedisVersion(undefined, undefined, offered)).toBe("REDIS_7_0");
    expect(chosenRedisVersion("redis", undefined, offered)).toBe("REDIS_7_0");
    expect(chosenRedisVersion("Valkey", undefined, offered)).toBe("VALKEY_8_0");
    expect(chosenRedisVersion("valkey", "7.2", offered)).toBe("VALKEY_7_2");
    expect(chosenRedisVersion(undefined, "7", offered)).toBe("REDIS_7_2");
    expect(faultOf(() => chosenRedisVersion("redis", "6.2", offered)).type).toBe("InvalidParameterValueException");
  });

  it("lists what is offered, filtered, with the default alone when asked", () => {
    expect(describeEngineVersions({}, offered).map((v) => `${v.Engine} ${v.EngineVersion} ${v.ParameterGroupFamily}`)).toEqual([
      "redis 7.0 memorydb_redis7",
      "redis 7.2 memorydb_redis7",
      "valkey 7.2 memorydb_valkey7",
      "valkey 8.0 memorydb_valkey8",
    ]);
    expect(describeEngineVersions({}, offered)[0]!.EnginePatchVersion).toBe("7.0.15");
    expect(describeEngineVersions({ Engine: "valkey" }, offered)).toHaveLength(2);
    expect(describeEngineVersions({ ParameterGroupFamily: "memorydb_redis7" }, offered)).toHaveLength(2);
    expect(describeEngineVersions({ DefaultOnly: true }, offered).map((v) => v.EngineVersion)).toEqual(["7.0"]);
    expect(describeEngineVersions({ DefaultOnly: true, Engine: "valkey" }, offered).map((v) => v.EngineVersion)).toEqual(["8.0"]);
    expect(describeEngineVersions({ DefaultOnly: true, Engine: "valkey", ParameterGroupFamily: "memorydb_redis7" }, offered)).toEqual([]);
    expect(describeEngineVersions({ Engine: "memcached" }, offered)).toEqual([]);
  });
});
