// An image that cannot be had fails the create with a clear error and leaves nothing behind:
// no container, no node record, no data dir, no instance.
import { readdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { containersUnder } from "../support/containers.js";
import { waitFor } from "../support/processes.js";

const BASE = "/v1/projects/default/locations/local1/instances";
let cp: TestControlPlane;

beforeAll(async () => {
  cp = await startTestControlPlane({ driver: "docker", redisImage: "cacheplane/does-not-exist:1" });
});
afterAll(async () => {
  await cp?.stop();
});

describe("the docker driver with an image that does not exist", () => {
  it("fails the create Operation, then removes the instance and everything it made", async () => {
    const created = await cp.api("POST", `${BASE}?instanceId=no-image`, { tier: "BASIC", memorySizeGb: 1 });
    expect(created.status).toBe(200);
    const op = await cp.waitOperation(created.body.name);
    expect(op.done).toBe(true);
    expect(op.error).toMatchObject({ code: 9, message: expect.stringContaining("cacheplane/does-not-exist:1") });

    await waitFor("the instance to be removed", async () => (await cp.api("GET", `${BASE}/no-image`)).status === 404);
    expect(await containersUnder(cp.nodesRoot)).toEqual([]);
    expect(await cp.prisma.node.count()).toBe(0);
    expect(await readdir(cp.nodesRoot).catch(() => [])).toEqual([]);
  });
});
