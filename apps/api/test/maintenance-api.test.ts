// Maintenance versions and their release, rescheduling, and the same engine rules for clusters,
// against the real api and Postgres with the test catalogue. No worker: the scheduler that turns
// a release into schedules is not running, so schedules are written here as it would write them.
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

const INSTANCES = `${LOC}/instances`;
const CLUSTERS = `${LOC}/clusters`;
const DAY = 86_400_000;
let cp: TestControlPlane;
let projectKey: string;

beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false, engines: CATALOGUE });
  projectKey = (await cp.api("POST", "/v1/apiKeys", { displayName: "ci", projects: ["default"] })).body.keyString;
});
afterAll(async () => {
  await cp?.stop();
});

async function createInstance(id: string, body: object = {}) {
  expect((await cp.api("POST", `${INSTANCES}?instanceId=${id}`, { tier: "BASIC", memorySizeGb: 1, ...body })).status).toBe(200);
}
async function createCluster(id: string, body: object = {}) {
  expect((await cp.api("POST", `${CLUSTERS}?clusterId=${id}`, { shardCount: 1, ...body })).status).toBe(200);
}
const reschedule = (id: string, body: unknown, query = "") => cp.api("POST", `${INSTANCES}/${id}:rescheduleMaintenance${query}`, body);

describe("maintenance versions and their release", () => {
  it("lists every version of the catalogue, oldest first; each engine's first is released from the start", async () => {
    const res = await cp.api("GET", "/v1/maintenanceVersions", undefined, projectKey);
    expect(res.status).toBe(200);
    expect(res.body.maintenanceVersions).toEqual([
      { name: `maintenanceVersions/${V1101}`, maintenanceVersion: V1101, redisVersions: ["REDIS_7_0", "REDIS_6_X"], state: "RELEASED" },
      { name: `maintenanceVersions/${V1115}`, maintenanceVersion: V1115, redisVersions: ["REDIS_7_2"], state: "RELEASED" },
      { name: `maintenanceVersions/${V1201}`, maintenanceVersion: V1201, redisVersions: ["REDIS_7_0"], state: "AVAILABLE" },
    ]);
    expectInvalid(await cp.api("GET", "/v1/maintenanceVersions?pageSize=x"), "pageSize");
    expectError(await cp.api("GET", "/v1/maintenanceVersions", undefined, "cp_not_a_key"), "UNAUTHENTICATED", 401);
  });

  it("is released by an admin key only, and only when the catalogue has it", async () => {
    await createInstance("r-before");
    const denied = await cp.api("POST", `/v1/maintenanceVersions/${V1201}:release`, undefined, projectKey);
    expectError(denied, "PERMISSION_DENIED", 403);
    expectError(await cp.api("POST", "/v1/maintenanceVersions/20991231_00_00:release", undefined, projectKey), "PERMISSION_DENIED", 403);
    expectError(await cp.api("POST", "/v1/maintenanceVersions/20991231_00_00:release"), "NOT_FOUND", 404);
    expectInvalid(await cp.api("POST", "/v1/maintenanceVersions/2099_1:release"), "version");
    expect(await cp.prisma.maintenanceRelease.count()).toBe(0);
    expect((await cp.api("GET", `${INSTANCES}/r-before`)).body.availableMaintenanceVersions).toEqual([]);

    const released = await cp.api("POST", `/v1/maintenanceVersions/${V1201}:release`, {});
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ name: `maintenanceVersions/${V1201}`, state: "RELEASED", redisVersions: ["REDIS_7_0"] });
    expect(Date.parse(released.body.releaseTime)).toBeGreaterThan(Date.now() - 60_000);
    // Idempotent: the same answer, the first release time.
    expect((await cp.api("POST", `/v1/maintenanceVersions/${V1201}:release`)).body).toEqual(released.body);
    const list = (await cp.api("GET", "/v1/maintenanceVersions")).body.maintenanceVersions;
    expect(list.find((v: any) => v.maintenanceVersion === V1201)).toEqual(released.body);
  });

  it("once released, is offered to older resources of its engine and taken by new ones", async () => {
    const before = (await cp.api("GET", `${INSTANCES}/r-before`)).body;
    expect(before).toMatchObject({ maintenanceVersion: V1101, availableMaintenanceVersions: [V1201] });
    const listed = (await cp.api("GET", INSTANCES)).body.instances.find((i: any) => i.name.endsWith("/r-before"));
    expect(listed.availableMaintenanceVersions).toEqual([V1201]);
    await createInstance("r-after");
    expect((await cp.api("GET", `${INSTANCES}/r-after`)).body).toMatchObject({ maintenanceVersion: V1201, availableMaintenanceVersions: [] });
    await createInstance("r-pinned", { maintenanceVersion: V1101 });
    expect((await cp.api("GET", `${INSTANCES}/r-pinned`)).body.maintenanceVersion).toBe(V1101);
  });

  it("a self-service update to it restarts the instance now and drops the pending schedule", async () => {
    await markReady(cp, "INSTANCE", "r-before");
    await scheduleMaintenance(cp, "INSTANCE", "r-before", DAY, 3 * DAY);
    const res = await cp.api("PATCH", `${INSTANCES}/r-before?updateMask=maintenance_version`, { maintenanceVersion: V1201 });
    expect(res.status).toBe(200);
    expect(res.body.metadata.verb).toBe("update");
    const got = (await cp.api("GET", `${INSTANCES}/r-before`)).body;
    expect(got).toMatchObject({ state: "UPDATING", maintenanceVersion: V1201, redisVersion: "REDIS_7_0", availableMaintenanceVersions: [] });
    expect(got).not.toHaveProperty("maintenanceSchedule");
    expect((await rowOf(cp, "INSTANCE", "r-before")).generation).toBe(2);
    // Back to the older one is not a choice.
    expectInvalid(await cp.api("PATCH", `${INSTANCES}/r-before?updateMask=maintenanceVersion`, { maintenanceVersion: V1101 }), "maintenanceVersion");
  });
});

describe(":rescheduleMaintenance", () => {
  it("is refused when nothing is scheduled, a failed build's note alone included", async () => {
    await createInstance("s-none");
    expectRefused(await reschedule("s-none", { rescheduleType: "IMMEDIATE" }), /no maintenance is scheduled/);
    const row = await rowOf(cp, "INSTANCE", "s-none");
    await cp.prisma.instance.update({ where: { uid: row.uid }, data: { maintenanceSchedule: { failedVersion: `REDIS_7_0@${V1201}` } } });
    expectRefused(await reschedule("s-none", { rescheduleType: "IMMEDIATE" }), /no maintenance is scheduled/);
    expect(await cp.api("GET", `${INSTANCES}/s-none`).then((r) => r.body)).not.toHaveProperty("maintenanceSchedule");
    expectError(await reschedule("nope", { rescheduleType: "IMMEDIATE" }), "NOT_FOUND", 404);
  });

  it("checks the request: the type, and scheduleTime no later than the deadline", async () => {
    await createInstance("s-check", { maintenanceVersion: V1101 });
    const schedule = await scheduleMaintenance(cp, "INSTANCE", "s-check", DAY, 3 * DAY);
    expect((await cp.api("GET", `${INSTANCES}/s-check`)).body.maintenanceSchedule).toEqual(schedule);
    const late = await reschedule("s-check", { rescheduleType: "SPECIFIC_TIME", scheduleTime: new Date(Date.now() + 4 * DAY).toISOString() });
    expectInvalid(late, "scheduleTime");
    expect(late.body.error.message).toMatch(/deadline/);
    expectInvalid(await reschedule("s-check", { rescheduleType: "SPECIFIC_TIME" }), "scheduleTime");
    expectInvalid(await reschedule("s-check", { rescheduleType: "SPECIFIC_TIME", scheduleTime: "next tuesday" }), "scheduleTime");
    expectInvalid(await reschedule("s-check", { rescheduleType: "IMMEDIATE", scheduleTime: schedule.startTime }), "scheduleTime");
    expectInvalid(await reschedule("s-check", { rescheduleType: "RESCHEDULE_TYPE_UNSPECIFIED" }), "rescheduleType");
    expectInvalid(await reschedule("s-check", { rescheduleType: "LATER" }), "rescheduleType");
    expectInvalid(await reschedule("s-check", {}), "rescheduleType");
    // No maintenance policy: no window to move to.
    expectRefused(await reschedule("s-check", { rescheduleType: "NEXT_AVAILABLE_WINDOW" }), /maintenance window/);
    expect((await rowOf(cp, "INSTANCE", "s-check")).maintenanceSchedule).toEqual(schedule);
  });

  it("IMMEDIATE moves the start to now and answers a finished Operation with the instance; the spec is untouched", async () => {
    const schedule = await scheduleMaintenance(cp, "INSTANCE", "s-check", DAY, 3 * DAY);
    const before = await rowOf(cp, "INSTANCE", "s-check");
    const res = await reschedule("s-check", { rescheduleType: "IMMEDIATE" }, "?requestId=resched-1");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      done: true,
      metadata: { verb: "rescheduleMaintenance", target: "projects/default/locations/local1/instances/s-check" },
      response: { "@type": "type.googleapis.com/google.cloud.redis.v1.Instance", name: "projects/default/locations/local1/instances/s-check" },
    });
    expect(res.body.metadata.endTime).toBeDefined();
    const moved = res.body.response.maintenanceSchedule;
    expect(Math.abs(Date.parse(moved.startTime) - Date.now())).toBeLessThan(10_000);
    expect(Date.parse(moved.endTime) - Date.parse(moved.startTime)).toBe(3_600_000);
    expect(moved).toMatchObject({ scheduleDeadlineTime: schedule.scheduleDeadlineTime, maintenanceVersion: V1201 });
    expect(res.body.response.availableMaintenanceVersions).toEqual([V1201]);
    expect((await cp.api("GET", `${INSTANCES}/s-check`)).body.maintenanceSchedule).toEqual(moved);
    const after = await rowOf(cp, "INSTANCE", "s-check");
    expect(after.generation).toBe(before.generation);
    expect(after.spec).toEqual(before.spec);
    expect((await reschedule("s-check", { rescheduleType: "IMMEDIATE" }, "?requestId=resched-1")).body.name).toBe(res.body.name);
    const op = await cp.api("GET", `/v1/${res.body.name}`);
    expect(op.body.done).toBe(true);
  });

  it("SPECIFIC_TIME and NEXT_AVAILABLE_WINDOW move it within the deadline", async () => {
    await scheduleMaintenance(cp, "INSTANCE", "s-check", DAY, 10 * DAY);
    const at = new Date(Date.now() + 2 * DAY).toISOString();
    const specific = await reschedule("s-check", { rescheduleType: "SPECIFIC_TIME", scheduleTime: at });
    expect(specific.status).toBe(200);
    expect(Date.parse(specific.body.response.maintenanceSchedule.startTime)).toBe(Date.parse(at));
    const policy = { weeklyMaintenanceWindow: [{ day: "WEDNESDAY", startTime: { hours: 2 } }] };
    expect((await cp.api("PATCH", `${INSTANCES}/s-check?updateMask=maintenancePolicy`, { maintenancePolicy: policy })).status).toBe(200);
    const next = await reschedule("s-check", { rescheduleType: "NEXT_AVAILABLE_WINDOW" });
    expect(next.status).toBe(200);
    const start = new Date(next.body.response.maintenanceSchedule.startTime);
    expect([start.getUTCDay(), start.getUTCHours(), start.getUTCMinutes()]).toEqual([3, 2, 0]);
    expect(start.getTime()).toBeGreaterThan(Date.parse(at));
  });
});

describe("clusters", () => {
  it("show their engine and take a released maintenance version on create", async () => {
    await createCluster("c-eng");
    expect((await cp.api("GET", `${CLUSTERS}/c-eng`)).body).toMatchObject({
      redisVersion: "REDIS_7_0",
      maintenanceVersion: V1201,
      availableMaintenanceVersions: [],
    });
    await createCluster("c-old", { maintenanceVersion: V1101 });
    expect((await cp.api("GET", `${CLUSTERS}/c-old`)).body).toMatchObject({ maintenanceVersion: V1101, availableMaintenanceVersions: [V1201] });
    await createCluster("c-72", { redisVersion: "REDIS_7_2" });
    expect((await cp.api("GET", `${CLUSTERS}/c-72`)).body).toMatchObject({ redisVersion: "REDIS_7_2", maintenanceVersion: V1115 });
    expectInvalid(
      await cp.api("POST", `${CLUSTERS}?clusterId=bad`, { shardCount: 1, redisVersion: "REDIS_7_2", maintenanceVersion: V1201 }),
      "maintenanceVersion",
    );
    expectInvalid(await cp.api("POST", `${CLUSTERS}?clusterId=bad`, { shardCount: 1, redisVersion: "VALKEY_8_0" }), "redisVersion");
  });

  it("PATCH redisVersion upgrades, refusing a downgrade and a version not offered; the same version is no change", async () => {
    const patch = (id: string, body: object, mask = "redisVersion") => cp.api("PATCH", `${CLUSTERS}/${id}?updateMask=${mask}`, body);
    expectRefused(await patch("c-72", { redisVersion: "REDIS_7_0" }), /downgrades are not supported/);
    expectRefused(await patch("c-72", { redisVersion: "REDIS_6_X" }), /downgrades are not supported/);
    expectInvalid(await patch("c-72", { redisVersion: "REDIS_7_4" }), "redisVersion");
    expectInvalid(await patch("c-72", {}), "redisVersion");
    expect((await patch("c-72", { redisVersion: "REDIS_7_2" })).status).toBe(200);
    expect((await rowOf(cp, "CLUSTER", "c-72")).spec).toMatchObject({ redisVersion: "REDIS_7_2", maintenanceVersion: V1115 });

    await markReady(cp, "CLUSTER", "c-old");
    await scheduleMaintenance(cp, "CLUSTER", "c-old", DAY, 3 * DAY);
    const up = await patch("c-old", { redisVersion: "REDIS_7_2", labels: { up: "yes" } }, "redis_version,labels");
    expect(up.status).toBe(200);
    expect(up.body.metadata.verb).toBe("update");
    const got = (await cp.api("GET", `${CLUSTERS}/c-old`)).body;
    expect(got).toMatchObject({ state: "UPDATING", redisVersion: "REDIS_7_2", maintenanceVersion: V1115, labels: { up: "yes" } });
    expect(got).not.toHaveProperty("maintenanceSchedule");
    expectRefused(await patch("c-old", { redisVersion: "REDIS_7_0" }), /downgrades are not supported/);
  });

  it("PATCH maintenanceVersion and maintenancePolicy as instances do", async () => {
    await createCluster("c-mv", { maintenanceVersion: V1101 });
    expectInvalid(await cp.api("PATCH", `${CLUSTERS}/c-mv?updateMask=maintenanceVersion`, { maintenanceVersion: V1115 }), "maintenanceVersion");
    expect((await cp.api("PATCH", `${CLUSTERS}/c-mv?updateMask=maintenanceVersion`, { maintenanceVersion: V1201 })).status).toBe(200);
    expect((await rowOf(cp, "CLUSTER", "c-mv")).spec).toMatchObject({ maintenanceVersion: V1201 });
    const policy = { weeklyMaintenanceWindow: [{ day: "TUESDAY", startTime: { hours: 5, minutes: 15 } }] };
    expect((await cp.api("PATCH", `${CLUSTERS}/c-mv?updateMask=maintenance_policy`, { maintenancePolicy: policy })).status).toBe(200);
    expect((await cp.api("GET", `${CLUSTERS}/c-mv`)).body.maintenancePolicy.weeklyMaintenanceWindow).toEqual([
      { day: "TUESDAY", startTime: { hours: 5, minutes: 15, seconds: 0, nanos: 0 }, duration: "3600s" },
    ]);
    expectInvalid(
      await cp.api("PATCH", `${CLUSTERS}/c-mv?updateMask=maintenance_policy`, {
        maintenancePolicy: { weeklyMaintenanceWindow: [{ day: "NEVER", startTime: {} }] },
      }),
      "maintenancePolicy.weeklyMaintenanceWindow.0.day",
    );
  });

  it(":rescheduleClusterMaintenance moves the cluster's schedule", async () => {
    const res = (body: unknown) => cp.api("POST", `${CLUSTERS}/c-eng:rescheduleClusterMaintenance`, body);
    expectRefused(await res({ rescheduleType: "IMMEDIATE" }), /no maintenance is scheduled/);
    await scheduleMaintenance(cp, "CLUSTER", "c-eng", DAY, 3 * DAY);
    expectInvalid(await res({ rescheduleType: "SPECIFIC_TIME", scheduleTime: new Date(Date.now() + 5 * DAY).toISOString() }), "scheduleTime");
    const done = await res({ rescheduleType: "IMMEDIATE" });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      done: true,
      metadata: { "@type": "type.googleapis.com/google.cloud.redis.cluster.v1.OperationMetadata", verb: "rescheduleMaintenance" },
      response: { "@type": "type.googleapis.com/google.cloud.redis.cluster.v1.Cluster", redisVersion: "REDIS_7_0" },
    });
    expect(Math.abs(Date.parse(done.body.response.maintenanceSchedule.startTime) - Date.now())).toBeLessThan(10_000);
    expectError(await cp.api("POST", `${CLUSTERS}/c-eng:rescheduleMaintenance`, { rescheduleType: "IMMEDIATE" }), "NOT_FOUND", 404);
  });
});
