// A worker SIGKILLed in the middle of a rolling upgrade, on both drivers: the next worker
// resumes where it stopped, and the instance ends with every node on the new build, exactly one
// primary, and every acknowledged write.
import { afterAll, describe, expect, it } from "vitest";
import { DRIVERS } from "../support/control-plane.js";
import { explained } from "../support/diagnose.js";
import { NEXT, runningEngine, useEnginesControlPlane } from "../support/engines.js";
import { liveRoles, primaries } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";
import { endpointClient, startWriter } from "../support/traffic.js";
import { spawnWorker, type WorkerProcess } from "../support/worker-process.js";

const BASE = "/v1/projects/default/locations/local1/instances";

describe.each(DRIVERS)("a worker killed mid-upgrade with the %s driver", (driver) => {
  const suite = useEnginesControlPlane(driver, { worker: false });
  let worker: WorkerProcess | undefined;
  afterAll(async () => {
    await worker?.kill();
  });

  const events = async (id: string) => (await suite.cp.api("GET", `${BASE}/${id}/events?pageSize=100`)).body.events.map((e: any) => `${e.type} ${e.message}`);

  it("resumes the rollout where it stopped", async () => {
    worker = await spawnWorker(suite.cp);
    const created = await suite.cp.api("POST", `${BASE}?instanceId=crash-up`, { tier: "STANDARD_HA", memorySizeGb: 1, replicaCount: 2 });
    expect((await explained(suite.cp, "crash-up", suite.cp.waitOperation(created.body.name, 60))).error).toBeUndefined();
    const before = (await suite.cp.api("GET", `${BASE}/crash-up`)).body;
    const writer = startWriter(before.host, before.port, undefined, "crash");
    await waitFor("writes to flow", async () => writer.acked.length > 50);

    const res = await suite.cp.api("POST", `${BASE}/crash-up:upgrade`, { redisVersion: "REDIS_7_2" });
    expect(res.status).toBe(200);
    // Killed the moment the second node is being replaced: one node done, one stopping or starting.
    await explained(
      suite.cp,
      "crash-up",
      waitFor(
        "the second node's upgrade to begin",
        async () => (await events("crash-up")).filter((e: string) => e.startsWith("NODE_UPGRADING")).length >= 2,
        60_000,
        2,
      ),
    );
    await worker.kill("SIGKILL");
    worker = await spawnWorker(suite.cp);

    const op = await explained(suite.cp, "crash-up", suite.cp.waitOperation(res.body.name, 90));
    expect(op.error).toBeUndefined();
    await writer.stop();
    const after = (await suite.cp.api("GET", `${BASE}/crash-up`)).body;
    expect(after.state).toBe("READY");
    for (const n of after.nodes) expect(await runningEngine(suite.cp, n.id)).toBe(suite.engines.expected(NEXT));
    expect(primaries(await liveRoles(after))).toBe(1);
    const reader = endpointClient(after.host, after.port);
    const values = await reader.mget(...writer.acked);
    reader.disconnect();
    expect(writer.acked.filter((_, i) => values[i] === null)).toEqual([]);
  });
});
