// Zone fault injection: a failed zone takes its nodes down as an outage would; an HA instance
// fails over to another zone and keeps serving through its endpoint; a BASIC instance in that
// zone is down until the zone recovers; after recovery everything converges again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { explained } from "../support/diagnose.js";
import { isPortOpen } from "../support/net.js";
import { runningFor } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";
import { endpointClient, startWriter } from "../support/traffic.js";

const LOC = "/v1/projects/default/locations/local1";

describe.each(DRIVERS)("zone failure with the %s driver", (driver) => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane({ driver });
  });
  afterAll(async () => {
    // Never leave a zone down for another test.
    await cp?.api("POST", `${LOC}/zones/local1-a:recover`).catch(() => undefined);
    await cp?.stop();
  });

  const get = async (id: string) => (await cp.api("GET", `${LOC}/instances/${id}`)).body;

  it("fails HA over to another zone, stops the zone's nodes, and rejoins them on recovery", async () => {
    const ha = await cp.api("POST", `${LOC}/instances?instanceId=zoned`, { tier: "STANDARD_HA", memorySizeGb: 1, replicaCount: 2, locationId: "local1-a" });
    const basic = await cp.api("POST", `${LOC}/instances?instanceId=zoned-basic`, { tier: "BASIC", memorySizeGb: 1, locationId: "local1-a" });
    await cp.waitOperation(ha.body.name);
    await cp.waitOperation(basic.body.name);
    const before = await get("zoned");
    const basicBefore = await get("zoned-basic");
    expect(before.currentLocationId).toBe("local1-a");
    const writer = startWriter(before.host, before.port, undefined, "zone");
    await waitFor("writes", async () => writer.acked.length > 20);

    const failed = await cp.api("POST", `${LOC}/zones/local1-a:fail`);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ name: "projects/default/locations/local1/zones/local1-a", state: "DOWN" });
    const locations = (await cp.api("GET", "/v1/projects/default/locations")).body.locations;
    expect(locations[0].metadata.availableZones["local1-a"]).toEqual({ state: "DOWN" });

    const failedAt = Date.now();
    const moved = await explained(
      cp,
      "zoned",
      // How fast is the bench's business; here it must happen. A full suite on two cores runs
      // many Docker control planes at once, and a busy engine answers each call slowly.
      waitFor(
        "the primary to leave local1-a",
        async () => {
          const got = await get("zoned");
          return got.currentLocationId !== "local1-a" ? got : false;
        },
        60_000,
      ),
    );
    await waitFor("writes to continue through the endpoint", async () => writer.okSince(failedAt + 100) > 20);
    const zoneANode = moved.nodes.find((n: any) => n.zone === "local1-a");
    await waitFor("the node in the failed zone to be down", async () => (await runningFor(cp, zoneANode.id)).length === 0);
    await waitFor("the BASIC instance in that zone to be unreachable", async () => !(await isPortOpen(basicBefore.host, basicBefore.port)));

    expect((await cp.api("POST", `${LOC}/zones/local1-a:recover`)).body.state).toBe("UP");
    const healed = await waitFor(
      "everything READY again",
      async () => {
        const got = await get("zoned");
        return got.state === "READY" && got.nodes.every((n: any) => n.state === "READY") ? got : false;
      },
      30_000,
    );
    expect(healed.nodes.find((n: any) => n.id === zoneANode.id).role).toBe("REPLICA");
    expect(healed.currentLocationId).not.toBe("local1-a");
    await waitFor("the BASIC instance back", async () => (await get("zoned-basic")).state === "READY");
    const redis = endpointClient(basicBefore.host, basicBefore.port);
    expect(await redis.ping()).toBe("PONG");
    redis.disconnect();
    await writer.stop();
  }, 150_000);

  it("needs an admin key and a known zone", async () => {
    expect((await cp.api("POST", `${LOC}/zones/local1-z:fail`)).status).toBe(404);
    const { generateKey, hashKey } = await import("@cacheplane/api");
    const { id, key } = generateKey();
    await cp.prisma.apiKey.create({ data: { id, name: "p", hash: hashKey(key), projects: ["default"] } });
    expect((await cp.api("POST", `${LOC}/zones/local1-b:fail`, undefined, key)).status).toBe(403);
  });
});
