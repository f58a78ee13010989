// A 3-shard cluster upgraded through PATCH redisVersion under a cluster client, on both drivers:
// shard by shard, replicas first, then a planned switchover; no command fails and no
// acknowledged write is lost; every node ends on the new build.
import { describe, expect, it } from "vitest";
import { DRIVERS } from "../support/control-plane.js";
import { explained } from "../support/diagnose.js";
import { BASE as BASE_BUILD, NEXT, runningEngine, useEnginesControlPlane } from "../support/engines.js";
import { waitFor } from "../support/processes.js";
import { clusterClient, startClusterTraffic } from "../support/cluster-traffic.js";

const BASE = "/v1/projects/default/locations/local1/clusters";

describe.each(DRIVERS)("cluster upgrade with the %s driver", (driver) => {
  const suite = useEnginesControlPlane(driver);

  it("rolls every shard to the new version with no failed command", async () => {
    const created = await suite.cp.api("POST", `${BASE}?clusterId=up`, { shardCount: 3, replicaCount: 1, nodeType: "REDIS_SHARED_CORE_NANO" });
    expect(created.status).toBe(200);
    expect((await explained(suite.cp, "up", suite.cp.waitOperation(created.body.name, 90))).error).toBeUndefined();
    const before = (await suite.cp.api("GET", `${BASE}/up`)).body;
    expect(before.redisVersion).toBe("REDIS_7_0");
    const nodes = before.shards.flatMap((s: any) => s.nodes);
    for (const n of nodes) expect(await runningEngine(suite.cp, n.id)).toBe(suite.engines.expected(BASE_BUILD));

    const { address, port } = before.discoveryEndpoints[0];
    const traffic = startClusterTraffic(address, port, "up");
    await waitFor("traffic to flow", async () => traffic.acked.length > 100);
    const res = await suite.cp.api("PATCH", `${BASE}/up?updateMask=redisVersion`, { redisVersion: "REDIS_7_2" });
    expect(res.status).toBe(200);
    const op = await explained(suite.cp, "up", suite.cp.waitOperation(res.body.name, 120));
    expect(op.error).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    await traffic.stop();

    const after = (await suite.cp.api("GET", `${BASE}/up`)).body;
    expect(after).toMatchObject({ state: "ACTIVE", redisVersion: "REDIS_7_2", maintenanceVersion: NEXT.maintenanceVersion });
    for (const n of after.shards.flatMap((s: any) => s.nodes)) {
      expect(n.redisVersion).toBe("REDIS_7_2");
      expect(await runningEngine(suite.cp, n.id)).toBe(suite.engines.expected(NEXT));
    }
    expect(traffic.errorMessages).toEqual([]);
    expect(traffic.errors).toBe(0);
    expect(traffic.wrongReads).toBe(0);
    const check = clusterClient(address, port);
    const missing: string[] = [];
    for (const key of traffic.acked) if ((await check.get(key)) === null) missing.push(key);
    check.disconnect();
    expect(missing).toEqual([]);
  });
});
