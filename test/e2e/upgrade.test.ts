// Engine upgrades end to end, on both drivers: `:upgrade` of a STANDARD_HA instance under a
// continuous writer (replicas first, a planned switchover, then the old primary), a BASIC
// instance that keeps its keys across the restart, a refused downgrade, and a build that cannot
// start, which is rolled back and leaves the instance serving. Every "version" here is a copy of
// the host's redis 7.0 (see test/support/engines.ts), so the assertions are on the binary or
// image each node runs.
import { describe, expect, it } from "vitest";
import { DRIVERS } from "../support/control-plane.js";
import { explained } from "../support/diagnose.js";
import { BASE as BASE_BUILD, BROKEN, NEXT, runningEngine, useEnginesControlPlane } from "../support/engines.js";
import { liveRoles, primaries } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";
import { endpointClient, startWriter } from "../support/traffic.js";

const BASE = "/v1/projects/default/locations/local1/instances";

describe.each(DRIVERS)("engine upgrades with the %s driver", (driver) => {
  const suite = useEnginesControlPlane(driver);

  const get = async (id: string) => (await suite.cp.api("GET", `${BASE}/${id}`)).body;
  async function create(id: string, body: object) {
    const created = await suite.cp.api("POST", `${BASE}?instanceId=${id}`, { memorySizeGb: 1, ...body });
    expect(created.status).toBe(200);
    const op = await explained(suite.cp, id, suite.cp.waitOperation(created.body.name, 60));
    expect(op.error).toBeUndefined();
    return get(id);
  }
  async function enginesOf(instance: any) {
    return Promise.all(instance.nodes.map((n: any) => runningEngine(suite.cp, n.id)));
  }

  it("upgrades a STANDARD_HA instance node by node under writes, losing no acknowledged write", async () => {
    const before = await create("ha-up", { tier: "STANDARD_HA", replicaCount: 2 });
    expect(before).toMatchObject({ redisVersion: "REDIS_7_0", maintenanceVersion: BASE_BUILD.maintenanceVersion });
    expect(await enginesOf(before)).toEqual(before.nodes.map(() => suite.engines.expected(BASE_BUILD)));

    const writer = startWriter(before.host, before.port, undefined, "up");
    await waitFor("writes to flow", async () => writer.acked.length > 50);
    const res = await suite.cp.api("POST", `${BASE}/ha-up:upgrade`, { redisVersion: "REDIS_7_2" });
    expect(res.status).toBe(200);
    expect(res.body.metadata.verb).toBe("upgrade");
    await waitFor("the instance to be UPDATING", async () => (await get("ha-up")).state === "UPDATING" || (await get("ha-up")).redisVersion === "REDIS_7_2");
    const op = await explained(suite.cp, "ha-up", suite.cp.waitOperation(res.body.name, 90));
    expect(op.error).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    await writer.stop();

    const after = await get("ha-up");
    expect(after).toMatchObject({
      state: "READY",
      redisVersion: "REDIS_7_2",
      maintenanceVersion: NEXT.maintenanceVersion,
      host: before.host,
      port: before.port,
    });
    expect(await enginesOf(after)).toEqual(after.nodes.map(() => suite.engines.expected(NEXT)));
    expect(after.nodes.every((n: any) => n.redisVersion === "REDIS_7_2" && n.state === "READY")).toBe(true);
    expect(primaries(await liveRoles(after))).toBe(1);
    // The primary moved once, to a replica that was already upgraded.
    expect(after.nodes.find((n: any) => n.role === "PRIMARY").id).not.toBe(before.nodes.find((n: any) => n.role === "PRIMARY").id);

    const reader = endpointClient(after.host, after.port);
    const missing: string[] = [];
    for (let i = 0; i < writer.acked.length; i += 500) {
      const keys = writer.acked.slice(i, i + 500);
      const values = await reader.mget(...keys);
      values.forEach((v, j) => {
        if (v === null) missing.push(keys[j]!);
      });
    }
    reader.disconnect();
    expect(missing).toEqual([]);
    const events = (await suite.cp.api("GET", `${BASE}/ha-up/events?pageSize=100`)).body.events.map((e: any) => e.type);
    expect(events.filter((t: string) => t === "NODE_UPGRADED")).toHaveLength(3);
    expect(events).toContain("FAILOVER");
  });

  it("refuses a downgrade and an upgrade to the version it runs", async () => {
    const down = await suite.cp.api("POST", `${BASE}/ha-up:upgrade`, { redisVersion: "REDIS_7_0" });
    expect(down.status).toBe(400);
    expect(down.body.error.status).toBe("FAILED_PRECONDITION");
    expect(down.body.error.message).toMatch(/downgrade/i);
    const same = await suite.cp.api("POST", `${BASE}/ha-up:upgrade`, { redisVersion: "REDIS_7_2" });
    expect(same.status).toBe(400);
    expect(same.body.error.status).toBe("FAILED_PRECONDITION");
  });

  it("upgrades a BASIC instance keeping every key, with persistence off", async () => {
    const before = await create("basic-up", { tier: "BASIC" });
    const redis = endpointClient(before.host, before.port);
    const pipeline = redis.pipeline();
    for (let i = 0; i < 2000; i++) pipeline.set(`k:${i}`, `v${i}`);
    await pipeline.exec();
    redis.disconnect();

    const res = await suite.cp.api("POST", `${BASE}/basic-up:upgrade`, { redisVersion: "REDIS_7_2" });
    const op = await explained(suite.cp, "basic-up", suite.cp.waitOperation(res.body.name, 60));
    expect(op.error).toBeUndefined();
    const after = await get("basic-up");
    expect(await enginesOf(after)).toEqual([suite.engines.expected(NEXT)]);
    const check = endpointClient(after.host, after.port);
    expect(await check.dbsize()).toBe(2000);
    expect(await check.get("k:1999")).toBe("v1999");
    check.disconnect();
  });

  it("rolls back a node that cannot start on the new build, and keeps serving", async () => {
    const before = await create("broken-up", { tier: "STANDARD_HA", replicaCount: 1 });
    const redis = endpointClient(before.host, before.port);
    await redis.set("still", "here");
    const res = await suite.cp.api("POST", `${BASE}/broken-up:upgrade`, { redisVersion: BROKEN.redisVersion });
    expect(res.status).toBe(200);
    const op = await explained(suite.cp, "broken-up", suite.cp.waitOperation(res.body.name, 60));
    expect(op.error?.message).toMatch(/did not come up on REDIS_7_4 .*rolled back to REDIS_7_0/);

    const after = await explained(
      suite.cp,
      "broken-up",
      waitFor(
        "READY again",
        async () => {
          const got = await get("broken-up");
          return got.state === "READY" && got.nodes.every((n: any) => n.state === "READY") ? got : false;
        },
        30_000,
      ),
    );
    expect(after.redisVersion).toBe("REDIS_7_0");
    expect(await enginesOf(after)).toEqual(after.nodes.map(() => suite.engines.expected(BASE_BUILD)));
    expect(await redis.get("still")).toBe("here");
    await redis.set("writable", "yes");
    redis.disconnect();
    const events = (await suite.cp.api("GET", `${BASE}/broken-up/events?pageSize=100`)).body.events.map((e: any) => e.type);
    expect(events).toContain("UPGRADE_FAILED");
  });
});
