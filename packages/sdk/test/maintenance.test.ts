// Engine upgrades and maintenance through the SDK against a real control plane whose catalogue has
// several builds (copies of the host's redis-server, so the tests assert on the binary each node
// runs): upgradeAndWait of an instance and a cluster, the maintenance-version catalogue and its
// release, and rescheduling the maintenance the worker schedules after a release.
import { Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY } from "../../../test/support/control-plane.js";
import { BASE, NEXT, PATCH, runningEngine, useEnginesControlPlane } from "../../../test/support/engines.js";
import { waitFor } from "../../../test/support/processes.js";
import { CacheplaneError, createCacheplaneClient, type CacheplaneClient, type Instance } from "../src/index.js";

const DAY_MS = 86_400_000;
const WEEKDAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"] as const;

const suite = useEnginesControlPlane("process");
let client: CacheplaneClient;
beforeAll(() => {
  client = createCacheplaneClient({ url: suite.cp.url, apiKey: ADMIN_KEY });
});

async function caught(promise: Promise<unknown>): Promise<CacheplaneError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CacheplaneError);
  return error as CacheplaneError;
}

const onBuild = (build: { redisVersion: string; maintenanceVersion: string }) => (n: { redisVersion?: string; maintenanceVersion?: string }) =>
  n.redisVersion === build.redisVersion && n.maintenanceVersion === build.maintenanceVersion;

describe("upgrades", () => {
  it("instances.upgradeAndWait resolves with the READY instance on the new engine, its data kept; progress names each node", async () => {
    const created = await client.instances.createAndWait("sdk-up", { tier: "BASIC", memorySizeGb: 1 }, { timeoutMs: 60_000 });
    expect(created).toMatchObject({ redisVersion: BASE.redisVersion, maintenanceVersion: BASE.maintenanceVersion });
    const redis = new Redis(await client.instances.redisUrl(created), { maxRetriesPerRequest: 3 });
    redis.on("error", () => undefined); // the node restarts on its new build: ioredis reconnects
    await redis.set("kept", "yes");

    const details: string[] = [];
    const up = await client.instances.upgradeAndWait("sdk-up", "REDIS_7_2", {
      timeoutMs: 60_000,
      progressIntervalMs: 50,
      onProgress: (o) => details.push(o.metadata.statusDetail),
    });
    expect(up).toMatchObject({ state: "READY", redisVersion: "REDIS_7_2", maintenanceVersion: NEXT.maintenanceVersion });
    expect(up.nodes!.every(onBuild(NEXT))).toBe(true);
    expect(await runningEngine(suite.cp, up.nodes![0]!.id)).toBe(suite.engines.expected(NEXT));
    expect(details[0]).toBe(`Upgrading to REDIS_7_2 (${NEXT.maintenanceVersion})`);
    expect(details).toContain(`Upgrading node ${up.nodes![0]!.id} to REDIS_7_2 (${NEXT.maintenanceVersion})`);
    expect(await redis.get("kept")).toBe("yes");
    redis.disconnect();
  });

  it("refuses a downgrade, the version it runs and one not offered, as CacheplaneErrors", async () => {
    const down = await caught(client.instances.upgrade("sdk-up", "REDIS_7_0"));
    expect(down).toMatchObject({ status: "FAILED_PRECONDITION", code: 400 });
    expect(down.message).toMatch(/downgrades are not supported/);
    expect((await caught(client.instances.upgrade("sdk-up", "REDIS_7_2"))).message).toMatch(/already runs REDIS_7_2/);
    const offered = await caught(client.instances.upgrade("sdk-up", "VALKEY_8_0"));
    expect(offered.status).toBe("INVALID_ARGUMENT");
    expect(offered.fieldViolations.map((v) => v.field)).toContain("redisVersion");
    expect((await caught(client.instances.upgrade("no-such", "REDIS_7_2"))).status).toBe("NOT_FOUND");
  });

  it("clusters.upgradeAndWait moves every node, the replica first, and an upgrade is a PATCH of redisVersion", async () => {
    const created = await client.clusters.createAndWait("sdk-upc", { shardCount: 1, replicaCount: 1 }, { timeoutMs: 60_000 });
    const primaryBefore = created.shards![0]!.nodes.find((n) => n.role === "PRIMARY")!.id;
    const details: string[] = [];
    const up = await client.clusters.upgradeAndWait("sdk-upc", "REDIS_7_2", {
      timeoutMs: 90_000,
      progressIntervalMs: 50,
      onProgress: (o) => details.push(o.metadata.statusDetail),
    });
    expect(up).toMatchObject({ state: "ACTIVE", redisVersion: "REDIS_7_2", maintenanceVersion: NEXT.maintenanceVersion });
    const nodes = up.shards!.flatMap((s) => s.nodes);
    expect(nodes).toHaveLength(2);
    expect(nodes.every(onBuild(NEXT))).toBe(true);
    for (const n of nodes) expect(await runningEngine(suite.cp, n.id)).toBe(suite.engines.expected(NEXT));
    // The replica is upgraded first, then takes the primary role: the switchover is read from
    // the durable record (roles and the event), not from a status sampled every 50 ms, which a
    // fast swap can slip between.
    expect(nodes.find((n) => n.role === "PRIMARY")!.id).not.toBe(primaryBefore);
    const events = (await client.clusters.events("sdk-upc", { pageSize: 50 })).events ?? [];
    expect(events.some((e) => e.type === "FAILOVER" && e.message.startsWith(`Planned switchover for the upgrade: primary ${primaryBefore} `))).toBe(true);
    expect(details.some((d) => /^Upgrading node /.test(d))).toBe(true);
    const [op] = (await client.operations.list({ pageSize: 1 })).operations ?? [];
    expect(op?.metadata).toMatchObject({ verb: "update", target: up.name });
    const down = await caught(client.clusters.upgrade("sdk-upc", "REDIS_7_0"));
    expect(down.status).toBe("FAILED_PRECONDITION");
    expect(down.message).toMatch(/downgrades are not supported/);
  }, 120_000);
});

describe("maintenance versions and rescheduling", () => {
  // A window three days from now at 03:00 UTC: never open while the test runs.
  const windowDay = new Date(Date.now() + 3 * DAY_MS);
  const windowStart = Date.UTC(windowDay.getUTCFullYear(), windowDay.getUTCMonth(), windowDay.getUTCDate(), 3);
  const policy = { weeklyMaintenanceWindow: [{ day: WEEKDAYS[windowDay.getUTCDay()]!, startTime: { hours: 3 } }] };

  it("rescheduleMaintenance is refused while nothing is scheduled", async () => {
    const none = await caught(client.instances.rescheduleMaintenance("sdk-up", { rescheduleType: "IMMEDIATE" }));
    expect(none).toMatchObject({ status: "FAILED_PRECONDITION" });
    expect(none.message).toMatch(/no maintenance is scheduled/);
    expect((await caught(client.clusters.rescheduleMaintenance("sdk-upc", { rescheduleType: "IMMEDIATE" }))).message).toMatch(/no maintenance is scheduled/);
  });

  it("list shows the catalogue oldest first; release makes one RELEASED", async () => {
    const { maintenanceVersions } = await client.maintenanceVersions.list();
    expect(maintenanceVersions.map((v) => [v.maintenanceVersion, v.state])).toEqual([
      [BASE.maintenanceVersion, "RELEASED"],
      [NEXT.maintenanceVersion, "RELEASED"],
      [PATCH.maintenanceVersion, "AVAILABLE"],
    ]);
    expect(maintenanceVersions.find((v) => v.maintenanceVersion === NEXT.maintenanceVersion)!.redisVersions).toEqual(["REDIS_7_2", "REDIS_7_4"]);

    // An instance on the base build with a window, made before the release.
    await client.instances.createAndWait("sdk-win", { tier: "BASIC", memorySizeGb: 1, maintenancePolicy: policy }, { timeoutMs: 60_000 });

    expect((await caught(client.maintenanceVersions.release("2026-12-01"))).status).toBe("INVALID_ARGUMENT");
    expect((await caught(client.maintenanceVersions.release("20991231_00_00"))).status).toBe("NOT_FOUND");

    const released = await client.maintenanceVersions.release(`maintenanceVersions/${PATCH.maintenanceVersion}`);
    expect(released).toMatchObject({ name: `maintenanceVersions/${PATCH.maintenanceVersion}`, state: "RELEASED", redisVersions: ["REDIS_7_0"] });
    expect(Date.parse(released.releaseTime!)).toBeGreaterThan(Date.now() - 60_000);
    const listed = (await client.maintenanceVersions.list()).maintenanceVersions.find((v) => v.maintenanceVersion === PATCH.maintenanceVersion);
    expect(listed).toEqual(released);
  });

  it("release needs a key with access to every project", async () => {
    const key = await client.apiKeys.create({ displayName: "sdk-maintenance", projects: ["default"] });
    const scoped = createCacheplaneClient({ url: suite.cp.url, apiKey: key.keyString });
    const denied = await caught(scoped.maintenanceVersions.release("20991231_00_00"));
    expect(denied).toMatchObject({ status: "PERMISSION_DENIED", code: 403 });
  });

  it("the worker schedules the release into the window; SPECIFIC_TIME moves it, IMMEDIATE applies it now", async () => {
    const scheduled = await waitFor(
      "sdk-win's maintenance schedule",
      async () => {
        const got = await client.instances.get("sdk-win");
        return got.maintenanceSchedule ? got : false;
      },
      10_000,
    );
    expect(scheduled.availableMaintenanceVersions).toEqual([PATCH.maintenanceVersion]);
    expect(scheduled.maintenanceSchedule).toMatchObject({ startTime: new Date(windowStart).toISOString(), maintenanceVersion: PATCH.maintenanceVersion });
    const deadline = scheduled.maintenanceSchedule!.scheduleDeadlineTime;

    const at = new Date(Date.now() + 2 * DAY_MS).toISOString();
    const moved = await client.instances.rescheduleMaintenance(
      "sdk-win",
      { rescheduleType: "SPECIFIC_TIME", scheduleTime: at },
      { requestId: "sdk-resched-1" },
    );
    expect(moved).toMatchObject({ done: true, metadata: { verb: "rescheduleMaintenance" } });
    expect((moved.response as Instance).maintenanceSchedule).toMatchObject({ startTime: at, scheduleDeadlineTime: deadline });
    const late = await caught(
      client.instances.rescheduleMaintenance("sdk-win", {
        rescheduleType: "SPECIFIC_TIME",
        scheduleTime: new Date(Date.parse(deadline) + DAY_MS).toISOString(),
      }),
    );
    expect(late.status).toBe("INVALID_ARGUMENT");
    expect(late.fieldViolations.map((v) => v.field)).toContain("scheduleTime");

    const now = await client.instances.rescheduleMaintenance("sdk-win", { rescheduleType: "IMMEDIATE" });
    expect(now.done).toBe(true);
    expect(Math.abs(Date.parse((now.response as Instance).maintenanceSchedule!.startTime) - Date.now())).toBeLessThan(10_000);
    const applied = await waitFor(
      "sdk-win on the released version",
      async () => {
        const got = await client.instances.get("sdk-win");
        return got.state === "READY" && got.maintenanceVersion === PATCH.maintenanceVersion && got.nodes!.every(onBuild(PATCH)) ? got : false;
      },
      40_000,
    );
    expect(applied.maintenanceSchedule).toBeUndefined();
    expect(applied.availableMaintenanceVersions).toEqual([]);
    expect(await runningEngine(suite.cp, applied.nodes![0]!.id)).toBe(suite.engines.expected(PATCH));
  }, 60_000);
});
