// The stores behind MemoryDB's tags, parameter groups and subnet groups, against the real
// Postgres (no worker): the tag limits, also under concurrent TagResource calls; what a cluster
// naming a parameter group gets as its redisConfigs; which zones a subnet group places in.
import { RedisConfigs } from "@cacheplane/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, ZONES, type TestControlPlane } from "../../../test/support/control-plane.js";
import { ApiError } from "../src/errors.js";
import { MemoryDbFault } from "../src/memorydb/faults.js";
import { checkTags, readTags, removeTags, writeTags } from "../src/memorydb/tag-store.js";
import type { StoredCluster } from "../src/services/cluster-spec.js";
import {
  applyParameterGroup,
  checkParameters,
  defaultParameterGroupName,
  PARAMETER_DEFAULTS,
  PARAMETER_NAMES,
} from "../src/services/parameter-group-service.js";
import { resolveSubnetGroup, subnetIdOf, unknownSubnets } from "../src/services/subnet-group-service.js";

let cp: TestControlPlane;
beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false });
  await cp.prisma.project.upsert({ where: { id: "default" }, create: { id: "default" }, update: {} });
});
afterAll(async () => {
  await cp?.stop();
});

/** What a call throws: a fault's type, an ApiError's status, or "ok". */
async function refusal(call: () => Promise<unknown> | unknown) {
  try {
    await call();
    return "ok";
  } catch (error) {
    if (error instanceof MemoryDbFault) return error.type;
    if (error instanceof ApiError) return error.status;
    throw error;
  }
}

const tags = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: String(i) }));

describe("tag store", () => {
  it("keeps up to 50 tags a resource, refuses aws: keys, and untags only keys it has", async () => {
    expect(await refusal(() => checkTags(tags("k", 51)))).toBe("TagQuotaPerResourceExceeded");
    expect(await refusal(() => checkTags([{ Key: "AWS:name", Value: "x" }]))).toBe("InvalidParameterValueException");
    // A key named twice is one tag, its last value.
    expect([
      ...checkTags([
        { Key: "a", Value: "1" },
        { Key: "a", Value: "2" },
      ]),
    ]).toEqual([["a", "2"]]);

    await writeTags(cp.prisma, "default", "uid-1", tags("k", 40));
    expect(await refusal(() => writeTags(cp.prisma, "default", "uid-1", tags("j", 11)))).toBe("TagQuotaPerResourceExceeded");
    // Overwriting keys it has does not count twice.
    await writeTags(cp.prisma, "default", "uid-1", [...tags("k", 40), ...tags("j", 10)]);
    expect(await readTags(cp.prisma, "uid-1")).toHaveLength(50);
    expect(await refusal(() => removeTags(cp.prisma, "uid-1", ["k1", "nope"]))).toBe("TagNotFoundFault");
    // All or nothing: k1 is still there.
    expect((await readTags(cp.prisma, "uid-1")).some((t) => t.Key === "k1")).toBe(true);
    await removeTags(cp.prisma, "uid-1", ["k1"]);
    expect(await readTags(cp.prisma, "uid-1")).toHaveLength(49);
    // Tags of one resource are not another's.
    expect(await readTags(cp.prisma, "uid-2")).toEqual([]);
  });

  it("lets only one of two concurrent TagResource calls pass the limit", async () => {
    const results = await Promise.all(
      [writeTags(cp.prisma, "default", "uid-3", tags("a", 30)), writeTags(cp.prisma, "default", "uid-3", tags("b", 30))].map((p) =>
        p.then(
          () => "ok",
          (e: MemoryDbFault) => e.type,
        ),
      ),
    );
    expect(results.sort()).toEqual(["TagQuotaPerResourceExceeded", "ok"]);
    expect(await readTags(cp.prisma, "uid-3")).toHaveLength(30);
  });
});

describe("parameter groups", () => {
  const spec = (redisVersion: string, parameterGroupName?: string) =>
    ({ redisVersion, redisConfigs: { timeout: "7" }, ...(parameterGroupName ? { parameterGroupName } : {}) }) as unknown as StoredCluster;

  it("names the default groups as MemoryDB does, with a default for every parameter", () => {
    expect(defaultParameterGroupName("REDIS_7_0")).toBe("default.memorydb-redis7");
    expect(defaultParameterGroupName("REDIS_7_2")).toBe("default.memorydb-redis7");
    expect(defaultParameterGroupName("VALKEY_8_0")).toBe("default.memorydb-valkey8");
    expect(PARAMETER_NAMES.sort()).toEqual(Object.keys(RedisConfigs.shape).sort());
    // Every default is a value the native check accepts.
    expect(checkParameters({ ...PARAMETER_DEFAULTS })).toEqual(PARAMETER_DEFAULTS);
    expect(PARAMETER_DEFAULTS["maxmemory-policy"]).toBe("noeviction");
  });

  it("gives a cluster its group's parameters (and no others: the nodes run the rest at their defaults), and refuses a missing group or another family's", async () => {
    await cp.prisma.parameterGroup.create({
      data: {
        uid: "pg-1",
        projectId: "default",
        locationId: "local1",
        name: "app",
        family: "memorydb_redis7",
        parameters: { "maxmemory-policy": "allkeys-lru" },
      },
    });
    const applied = await applyParameterGroup(cp.prisma, "default", "local1", spec("REDIS_7_0", "app"));
    expect(applied.redisConfigs).toEqual({ "maxmemory-policy": "allkeys-lru" });
    // Names are case-insensitive, stored as the group is named (so the group finds its clusters).
    expect((await applyParameterGroup(cp.prisma, "default", "local1", spec("REDIS_7_0", "APP"))).parameterGroupName).toBe("app");
    // The default group: no parameter set, whatever the cluster had.
    expect((await applyParameterGroup(cp.prisma, "default", "local1", spec("REDIS_7_0", "default.memorydb-redis7"))).redisConfigs).toEqual({});
    // No group named: the cluster's own redisConfigs, untouched.
    expect((await applyParameterGroup(cp.prisma, "default", "local1", spec("REDIS_7_0"))).redisConfigs).toEqual({ timeout: "7" });

    expect(await refusal(() => applyParameterGroup(cp.prisma, "default", "local1", spec("REDIS_7_0", "nothing")))).toBe("NOT_FOUND");
    expect(await refusal(() => applyParameterGroup(cp.prisma, "other", "local1", spec("REDIS_7_0", "app")))).toBe("NOT_FOUND");
    expect(await refusal(() => applyParameterGroup(cp.prisma, "default", "local1", spec("VALKEY_8_0", "app")))).toBe("INVALID_ARGUMENT");
    expect(await refusal(() => applyParameterGroup(cp.prisma, "default", "local1", spec("VALKEY_8_0", "default.memorydb-redis7")))).toBe("INVALID_ARGUMENT");
  });

  it("refuses a parameter that cannot be set, or a bad value, naming it", () => {
    expect(() => checkParameters({ appendonly: "yes" })).toThrow(/appendonly/);
    expect(() => checkParameters({ "lfu-log-factor": "256" })).toThrow(/lfu-log-factor/);
    expect(() => checkParameters({ "maxmemory-policy": "most-lru" })).toThrow(/maxmemory-policy/);
  });
});

describe("subnet groups", () => {
  it("places in every zone by default, in a group's zones otherwise, and refuses a missing group", async () => {
    expect(subnetIdOf("local1-b", "local1")).toBe("subnet-local1b");
    expect(unknownSubnets({ location: "local1", zones: ZONES }, ["subnet-local1a", "subnet-x"])).toEqual(["subnet-x"]);
    expect(await resolveSubnetGroup(cp.prisma, "default", "local1", ZONES, undefined)).toEqual({ name: "default", zones: ZONES });
    expect(await resolveSubnetGroup(cp.prisma, "default", "local1", ZONES, "default")).toEqual({ name: "default", zones: ZONES });
    await cp.prisma.subnetGroup.create({
      data: { uid: "sg-1", projectId: "default", locationId: "local1", name: "c-and-a", subnetIds: ["subnet-local1c", "subnet-local1a"] },
    });
    // In the location's zone order.
    expect(await resolveSubnetGroup(cp.prisma, "default", "local1", ZONES, "c-and-a")).toEqual({ name: "c-and-a", zones: ["local1-a", "local1-c"] });
    expect(await resolveSubnetGroup(cp.prisma, "default", "local1", ZONES, "C-and-A")).toEqual({ name: "c-and-a", zones: ["local1-a", "local1-c"] });
    expect(await refusal(() => resolveSubnetGroup(cp.prisma, "default", "local1", ZONES, "nothing"))).toBe("NOT_FOUND");
    expect(await refusal(() => resolveSubnetGroup(cp.prisma, "other", "local1", ZONES, "c-and-a"))).toBe("NOT_FOUND");
  });
});
