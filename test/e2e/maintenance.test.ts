// Maintenance windows end to end, on both drivers: a maintenance version released by the
// operator is scheduled into each instance's next weekly window (or at once without a policy),
// applied by the worker when its clock reaches the window, and can be rescheduled. The worker's
// clock is the control plane's injected one, so the test crosses a window in seconds.
import { describe, expect, it } from "vitest";
import { DRIVERS } from "../support/control-plane.js";
import { explained } from "../support/diagnose.js";
import { BASE as BASE_BUILD, PATCH, runningEngine, useEnginesControlPlane } from "../support/engines.js";
import { waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";

const BASE = "/v1/projects/default/locations/local1/instances";
const DAY_MS = 86_400_000;
const WEEKDAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"];

describe.each(DRIVERS)("maintenance windows with the %s driver", (driver) => {
  const suite = useEnginesControlPlane(driver);
  // A window three days from now, at 03:00 UTC: never open while the test runs.
  const windowDay = new Date(Date.now() + 3 * DAY_MS);
  const policy = { weeklyMaintenanceWindow: [{ day: WEEKDAYS[windowDay.getUTCDay()], startTime: { hours: 3 } }] };
  const windowStart = Date.UTC(windowDay.getUTCFullYear(), windowDay.getUTCMonth(), windowDay.getUTCDate(), 3);

  const get = async (id: string) => (await suite.cp.api("GET", `${BASE}/${id}`)).body;
  async function create(id: string, body: object) {
    const created = await suite.cp.api("POST", `${BASE}?instanceId=${id}`, { tier: "BASIC", memorySizeGb: 1, ...body });
    expect(created.status).toBe(200);
    const op = await explained(suite.cp, id, suite.cp.waitOperation(created.body.name, 60));
    expect(op.error).toBeUndefined();
    return get(id);
  }
  const scheduled = (id: string) =>
    explained(
      suite.cp,
      id,
      waitFor(`${id}'s maintenance schedule`, async () => {
        const got = await get(id);
        return got.maintenanceSchedule ? got : false;
      }),
    );
  const applied = (id: string) =>
    explained(
      suite.cp,
      id,
      waitFor(
        `${id} on ${PATCH.maintenanceVersion}`,
        async () => {
          const got = await get(id);
          return got.state === "READY" &&
            got.maintenanceVersion === PATCH.maintenanceVersion &&
            got.nodes.every((n: any) => n.maintenanceVersion === PATCH.maintenanceVersion)
            ? got
            : false;
        },
        40_000,
      ),
    );

  it("schedules a released version into the window, and applies it when the window opens", async () => {
    const windowed = await create("windowed", { maintenancePolicy: policy });
    await create("anytime", {}); // no policy: maintenance may run at any time
    expect(windowed.maintenanceVersion).toBe(BASE_BUILD.maintenanceVersion);
    expect(windowed.maintenancePolicy.weeklyMaintenanceWindow[0]).toMatchObject({ day: policy.weeklyMaintenanceWindow[0]!.day, duration: "3600s" });
    expect(windowed.availableMaintenanceVersions ?? []).toEqual([]);
    const redis = endpointClient(windowed.host, windowed.port);
    await redis.set("kept", "yes");

    const listed = (await suite.cp.api("GET", "/v1/maintenanceVersions")).body.maintenanceVersions;
    expect(listed.find((v: any) => v.maintenanceVersion === PATCH.maintenanceVersion)).toMatchObject({ state: "AVAILABLE" });
    const release = await suite.cp.api("POST", `/v1/maintenanceVersions/${PATCH.maintenanceVersion}:release`);
    expect(release.status).toBe(200);
    expect(release.body).toMatchObject({ state: "RELEASED" });

    const got = await scheduled("windowed");
    expect(got.availableMaintenanceVersions).toEqual([PATCH.maintenanceVersion]);
    expect(got.maintenanceSchedule).toMatchObject({ startTime: new Date(windowStart).toISOString(), endTime: new Date(windowStart + 3_600_000).toISOString() });
    // Without a policy it may run at any time: it runs now.
    const anytimeAfter = await applied("anytime");
    expect(await runningEngine(suite.cp, anytimeAfter.nodes[0].id)).toBe(suite.engines.expected(PATCH));
    // The windowed one waits for its window...
    await new Promise((r) => setTimeout(r, 1500));
    expect((await get("windowed")).maintenanceVersion).toBe(BASE_BUILD.maintenanceVersion);
    // ...which opens when the worker's clock reaches it.
    suite.cp.clockOffsetMs = windowStart - Date.now() + 1000;
    const after = await applied("windowed");
    suite.cp.clockOffsetMs = 0;
    expect(after.maintenanceSchedule).toBeUndefined();
    expect(await runningEngine(suite.cp, after.nodes[0].id)).toBe(suite.engines.expected(PATCH));
    expect(await redis.get("kept")).toBe("yes"); // a BASIC instance keeps its data through maintenance
    redis.disconnect();
    const events = (await suite.cp.api("GET", `${BASE}/windowed/events?pageSize=50`)).body.events.map((e: any) => e.type);
    expect(events).toEqual(expect.arrayContaining(["MAINTENANCE_SCHEDULED", "MAINTENANCE_STARTED", "NODE_UPGRADED"]));
  });

  it("reschedules: a time past the deadline is refused, SPECIFIC_TIME moves it, IMMEDIATE runs it now", async () => {
    await create("moved", { maintenancePolicy: policy, maintenanceVersion: BASE_BUILD.maintenanceVersion });
    const got = await scheduled("moved");
    const deadline = Date.parse(got.maintenanceSchedule.scheduleDeadlineTime);

    const late = await suite.cp.api("POST", `${BASE}/moved:rescheduleMaintenance`, {
      rescheduleType: "SPECIFIC_TIME",
      scheduleTime: new Date(deadline + DAY_MS).toISOString(),
    });
    expect(late.status).toBe(400);
    expect(late.body.error.status).toBe("INVALID_ARGUMENT");
    expect(JSON.stringify(late.body.error.details)).toContain("scheduleTime");

    const at = new Date(Date.now() + 5 * DAY_MS).toISOString();
    const specific = await suite.cp.api("POST", `${BASE}/moved:rescheduleMaintenance`, { rescheduleType: "SPECIFIC_TIME", scheduleTime: at });
    expect(specific.status).toBe(200);
    expect(specific.body.done).toBe(true);
    expect((await get("moved")).maintenanceSchedule).toMatchObject({ startTime: at, scheduleDeadlineTime: new Date(deadline).toISOString() });

    const now = await suite.cp.api("POST", `${BASE}/moved:rescheduleMaintenance`, { rescheduleType: "IMMEDIATE" });
    expect(now.status).toBe(200);
    const after = await applied("moved");
    expect(await runningEngine(suite.cp, after.nodes[0].id)).toBe(suite.engines.expected(PATCH));
  });
});
