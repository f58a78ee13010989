// Engine upgrades and maintenance policies of instances on the native API, against the real api
// and Postgres with the test catalogue. No worker: nothing rolls out, so these check what the api
// decides and records (the e2e suite checks the rollout).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import {
  CATALOGUE,
  expectError,
  expectInvalid,
  expectRefused,
  LOC,
  markReady,
  rowOf,
  scheduleMaintenance,
  V1101,
  V1115,
  V1201,
} from "./maintenance-helpers.js";

const BASE = `${LOC}/instances`;
let cp: TestControlPlane;

beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false, engines: CATALOGUE });
});
afterAll(async () => {
  await cp?.stop();
});

const basic = { tier: "BASIC", memorySizeGb: 1 };

async function create(id: string, body: object = basic) {
  const res = await cp.api("POST", `${BASE}?instanceId=${id}`, body);
  expect(res.status).toBe(200);
  return res.body;
}
const get = async (id: string) => (await cp.api("GET", `${BASE}/${id}`)).body;
const upgrade = (id: string, body: unknown, query = "") => cp.api("POST", `${BASE}/${id}:upgrade${query}`, body);

describe("engine versions on create", () => {
  it("offers the catalogue's versions, the first by default, at its newest released maintenance version", async () => {
    await create("v-default");
    const got = await get("v-default");
    expect(got).toMatchObject({ redisVersion: "REDIS_7_0", maintenanceVersion: V1101, availableMaintenanceVersions: [] });
    expect((await rowOf(cp, "INSTANCE", "v-default")).spec).toMatchObject({ redisVersion: "REDIS_7_0", maintenanceVersion: V1101 });
    await create("v-72", { ...basic, redisVersion: "REDIS_7_2" });
    expect(await get("v-72")).toMatchObject({ redisVersion: "REDIS_7_2", maintenanceVersion: V1115 });
    const list = (await cp.api("GET", BASE)).body.instances;
    expect(list.find((i: any) => i.name.endsWith("/v-72"))).toMatchObject({ maintenanceVersion: V1115, availableMaintenanceVersions: [] });

    const locations = (await cp.api("GET", "/v1/projects/default/locations")).body.locations;
    expect(locations[0].metadata.availableRedisVersions).toEqual(["REDIS_7_0", "REDIS_7_2", "REDIS_6_X"]);
  });

  it("takes only a released maintenance version of the chosen engine", async () => {
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=bad`, { ...basic, maintenanceVersion: V1201 }), "maintenanceVersion");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=bad`, { ...basic, maintenanceVersion: V1115 }), "maintenanceVersion");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=bad`, { ...basic, maintenanceVersion: "2026-11-01" }), "maintenanceVersion");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=bad`, { ...basic, redisVersion: "REDIS_7_4" }), "redisVersion");
    await create("v-explicit", { ...basic, redisVersion: "REDIS_6_X", maintenanceVersion: V1101 });
    expect(await get("v-explicit")).toMatchObject({ redisVersion: "REDIS_6_X", maintenanceVersion: V1101 });
    expect(await cp.prisma.instance.count({ where: { instanceId: "bad" } })).toBe(0);
  });
});

describe("maintenance policy", () => {
  const window = (day: unknown, startTime: unknown) => ({ weeklyMaintenanceWindow: [{ day, startTime }] });

  it("stores the windows filled in, times set by the server, and shows each one hour long", async () => {
    const before = Date.now();
    await create("p-one", { ...basic, maintenancePolicy: { description: "weekend", ...window("SUNDAY", { hours: 3 }), createTime: "2001-01-01T00:00:00Z" } });
    const { maintenancePolicy } = await get("p-one");
    expect(maintenancePolicy).toMatchObject({
      description: "weekend",
      weeklyMaintenanceWindow: [{ day: "SUNDAY", startTime: { hours: 3, minutes: 0, seconds: 0, nanos: 0 }, duration: "3600s" }],
    });
    expect(Date.parse(maintenancePolicy.createTime)).toBeGreaterThanOrEqual(before - 1000);
    expect(maintenancePolicy.updateTime).toBe(maintenancePolicy.createTime);
    expect(((await rowOf(cp, "INSTANCE", "p-one")).spec as any).maintenancePolicy.weeklyMaintenanceWindow[0]).toEqual({
      day: "SUNDAY",
      startTime: { hours: 3, minutes: 0, seconds: 0, nanos: 0 },
    });
  });

  it("refuses a day that is not one, a time of day out of range and a repeated window", async () => {
    const bad = (maintenancePolicy: unknown) => cp.api("POST", `${BASE}?instanceId=bad`, { ...basic, maintenancePolicy });
    expectInvalid(await bad(window("FUNDAY", { hours: 1 })), "maintenancePolicy.weeklyMaintenanceWindow.0.day");
    expectInvalid(await bad(window("DAY_OF_WEEK_UNSPECIFIED", { hours: 1 })), "maintenancePolicy.weeklyMaintenanceWindow.0.day");
    expectInvalid(await bad(window("MONDAY", { hours: 24 })), "maintenancePolicy.weeklyMaintenanceWindow.0.startTime.hours");
    expectInvalid(await bad(window("MONDAY", { minutes: 60 })), "maintenancePolicy.weeklyMaintenanceWindow.0.startTime.minutes");
    expectInvalid(await bad({ weeklyMaintenanceWindow: [] }), "maintenancePolicy.weeklyMaintenanceWindow");
    const twice = {
      weeklyMaintenanceWindow: [
        { day: "MONDAY", startTime: { hours: 1 } },
        { day: "MONDAY", startTime: { hours: 1, minutes: 0 } },
      ],
    };
    expectInvalid(await bad(twice), "maintenancePolicy.weeklyMaintenanceWindow.1");
  });

  it("is set, replaced (keeping its createTime) and cleared by PATCH", async () => {
    await create("p-patch");
    const patch = (body: unknown) => cp.api("PATCH", `${BASE}/p-patch?updateMask=maintenance_policy`, body);
    expect((await patch({ maintenancePolicy: window("MONDAY", { hours: 1 }) })).status).toBe(200);
    const first = (await get("p-patch")).maintenancePolicy;
    expect(first.weeklyMaintenanceWindow[0].day).toBe("MONDAY");
    await new Promise((r) => setTimeout(r, 5));
    expect((await patch({ maintenancePolicy: window("FRIDAY", { hours: 23, minutes: 30 }) })).status).toBe(200);
    const second = (await get("p-patch")).maintenancePolicy;
    expect(second.weeklyMaintenanceWindow[0]).toMatchObject({ day: "FRIDAY", startTime: { hours: 23, minutes: 30 } });
    expect(second.createTime).toBe(first.createTime);
    expect(Date.parse(second.updateTime)).toBeGreaterThan(Date.parse(first.updateTime));
    // Another field's PATCH leaves it as it is.
    expect((await cp.api("PATCH", `${BASE}/p-patch?updateMask=labels`, { labels: { a: "b" } })).status).toBe(200);
    expect((await get("p-patch")).maintenancePolicy).toEqual(second);
    expect((await patch({})).status).toBe(200);
    expect(await get("p-patch")).not.toHaveProperty("maintenancePolicy");
    expectInvalid(await patch({ maintenancePolicy: window("MONDAY", { hours: 24 }) }), "maintenancePolicy.weeklyMaintenanceWindow.0.startTime.hours");
  });
});

describe(":upgrade", () => {
  it("refuses a version not offered, a bad body, the version it runs and a downgrade, naming what is wrong", async () => {
    await create("u-checks");
    const notOffered = await upgrade("u-checks", { redisVersion: "REDIS_7_4" });
    expectInvalid(notOffered, "redisVersion");
    expect(notOffered.body.error.message).toContain("REDIS_7_0, REDIS_7_2, REDIS_6_X");
    expectInvalid(await upgrade("u-checks", { redisVersion: "REDIS_99" }), "redisVersion");
    expectInvalid(await upgrade("u-checks", {}), "redisVersion");
    expectInvalid(await upgrade("u-checks", { redisVersion: "REDIS_7_2", force: true }), "force");
    const malformed = await upgrade("u-checks", "{not json");
    expectError(malformed, "INVALID_ARGUMENT", 400);
    expect(malformed.body.error.message).toMatch(/JSON/);
    expectRefused(await upgrade("u-checks", { redisVersion: "REDIS_7_0" }), /already runs REDIS_7_0/);
    expectRefused(await upgrade("u-checks", { redisVersion: "REDIS_6_X" }), /downgrades are not supported/);
    expectError(await upgrade("nope", { redisVersion: "REDIS_7_2" }), "NOT_FOUND", 404);
    expectInvalid(await upgrade("u-checks", { redisVersion: "REDIS_7_2" }, "?requestId=a%20b"), "requestId");
    const row = await rowOf(cp, "INSTANCE", "u-checks");
    expect(row.generation).toBe(1);
    expect((row.spec as any).redisVersion).toBe("REDIS_7_0");
  });

  it("moves the spec to the new engine at its newest maintenance version, UPDATING, dropping a pending schedule", async () => {
    await create("u-go", { tier: "STANDARD_HA", memorySizeGb: 1 });
    await markReady(cp, "INSTANCE", "u-go");
    await scheduleMaintenance(cp, "INSTANCE", "u-go", 86_400_000, 3 * 86_400_000);
    const res = await upgrade("u-go", { redisVersion: "REDIS_7_2" }, "?requestId=up-1");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ done: false, metadata: { verb: "upgrade", target: "projects/default/locations/local1/instances/u-go" } });
    expect(res.body.metadata.statusDetail).toContain("REDIS_7_2");
    const got = await get("u-go");
    expect(got).toMatchObject({ redisVersion: "REDIS_7_2", maintenanceVersion: V1115, state: "UPDATING", availableMaintenanceVersions: [] });
    expect(got).not.toHaveProperty("maintenanceSchedule");
    const row = await rowOf(cp, "INSTANCE", "u-go");
    expect(row.generation).toBe(2);
    expect(row.maintenanceSchedule).toBeNull();
    // Replayed, not upgraded again.
    expect((await upgrade("u-go", { redisVersion: "REDIS_7_2" }, "?requestId=up-1")).body.name).toBe(res.body.name);
    expect((await rowOf(cp, "INSTANCE", "u-go")).generation).toBe(2);
    const events = (await cp.api("GET", `${BASE}/u-go/events`)).body.events;
    expect(events[0]).toMatchObject({ type: "UPGRADE_REQUESTED" });
    expect(events[0].message).toContain("REDIS_7_0 to REDIS_7_2");
  });

  it("is refused while a backup or a data job is in flight", async () => {
    await create("u-busy");
    await markReady(cp, "INSTANCE", "u-busy");
    expect((await cp.api("POST", `${BASE}/u-busy:backup`, {})).status).toBe(200);
    await markReady(cp, "INSTANCE", "u-busy");
    expectRefused(await upgrade("u-busy", { redisVersion: "REDIS_7_2" }), /backup, import or export/);

    await create("u-job");
    const row = await rowOf(cp, "INSTANCE", "u-job");
    await cp.prisma.instance.update({ where: { uid: row.uid }, data: { dataJob: { kind: "export", operationId: "operation-1-x", uri: "gs://b/o" } } });
    expectRefused(await upgrade("u-job", { redisVersion: "REDIS_7_2" }), /backup, import or export/);
  });
});

describe("self-service maintenanceVersion updates", () => {
  it("refuses a version that is not released, or older, and takes the current one as no change", async () => {
    await create("m-self");
    const patch = (maintenanceVersion: unknown) => cp.api("PATCH", `${BASE}/m-self?updateMask=maintenanceVersion`, { maintenanceVersion });
    const unreleased = await patch(V1201);
    expectInvalid(unreleased, "maintenanceVersion");
    expect(unreleased.body.error.message).toContain("availableMaintenanceVersions: none");
    expectInvalid(await patch(V1115), "maintenanceVersion");
    expectInvalid(await patch(undefined), "maintenanceVersion");
    expectInvalid(await patch("20261301_00_0"), "maintenanceVersion");
    expect((await patch(V1101)).status).toBe(200);
    expect((await rowOf(cp, "INSTANCE", "m-self")).spec).toMatchObject({ maintenanceVersion: V1101 });
  });
});
