// Test caches for CI: an instance created with a ttl shows its expireTime and is deleted by
// the reaper once it passes — also when the expiry passed while no worker was running.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { processesUnder, waitFor } from "../support/processes.js";

const BASE = "/v1/projects/default/locations/local1/instances";
let cp: TestControlPlane;

beforeAll(async () => {
  cp = await startTestControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

describe("ttl", () => {
  it("deletes an expired instance, even one that expired while the worker was down", async () => {
    const before = Date.now();
    const created = await cp.api("POST", `${BASE}?instanceId=ephemeral`, { tier: "BASIC", memorySizeGb: 1, ttl: "1800s" });
    expect(created.status).toBe(200);
    const op = await cp.waitOperation(created.body.name);
    expect(op.response.state).toBe("READY");
    const expireTime = Date.parse(op.response.expireTime);
    expect(expireTime).toBeGreaterThanOrEqual(before + 1800_000 - 1000);
    expect(expireTime).toBeLessThanOrEqual(Date.now() + 1800_000 + 1000);
    expect(op.response.ttl).toBeUndefined();
    expect(op.response.nodes[0].state).toBe("READY");

    // The worker is down when the time comes.
    await cp.worker!.stop();
    await cp.prisma.instance.updateMany({ where: { instanceId: "ephemeral" }, data: { expireTime: new Date(Date.now() - 1000) } });
    const nodeDir = join(cp.nodesRoot, op.response.nodes[0].id);
    expect(await processesUnder(nodeDir)).toHaveLength(1);

    await cp.startWorker();
    await waitFor("the expired instance to be gone", async () => (await cp.api("GET", `${BASE}/ephemeral`)).status === 404);
    expect(await processesUnder(nodeDir)).toEqual([]);
    const ops = (await cp.api("GET", "/v1/projects/default/locations/local1/operations")).body.operations;
    const deletion = ops.find((o: any) => o.metadata.verb === "delete" && o.metadata.target.endsWith("/ephemeral"));
    expect(deletion).toMatchObject({ done: true, response: { "@type": "type.googleapis.com/google.protobuf.Empty" } });
  });

  it("rejects a ttl that is not a duration or is out of range", async () => {
    for (const ttl of ["30m", "5s", "99999999s"]) {
      const res = await cp.api("POST", `${BASE}?instanceId=bad-ttl`, { tier: "BASIC", memorySizeGb: 1, ttl });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].fieldViolations[0].field).toBe("ttl");
    }
  });
});
