// A worker killed in the middle of an automatic failover: after a restart the instance has
// exactly one primary (as the nodes themselves report), the endpoint serves writes, and every
// node is back.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { killNode } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";
import { spawnWorker, type WorkerProcess } from "../support/worker-process.js";

const BASE = "/v1/projects/default/locations/local1/instances";
let cp: TestControlPlane;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false });
});
afterAll(async () => {
  await worker?.kill();
  await cp?.stop();
});

async function masters(instance: any) {
  let count = 0;
  for (const node of instance.nodes) {
    const redis = new Redis({
      host: node.host,
      port: node.port,
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      if (((await redis.role()) as unknown[])[0] === "master") count++;
    } catch {
      // a node that does not answer is not a primary
    } finally {
      redis.disconnect();
    }
  }
  return count;
}

describe("a worker killed during a failover", () => {
  it("leaves an instance the next worker brings back to one primary", async () => {
    worker = await spawnWorker(cp);
    const created = await cp.api("POST", `${BASE}?instanceId=ha-crash`, { tier: "STANDARD_HA", memorySizeGb: 1, replicaCount: 2 });
    await cp.waitOperation(created.body.name);
    const before = (await cp.api("GET", `${BASE}/ha-crash`)).body;
    const primary = before.nodes.find((n: any) => n.role === "PRIMARY");
    // Data worth failing over for (a replica that never received a byte is not promoted: an
    // idle instance's primary is simply restarted).
    const writer = endpointClient(before.host, before.port);
    await writer.set("before-crash", "1");
    await waitFor("the write on every replica", async () => {
      for (const node of before.nodes.filter((n: any) => n.role === "REPLICA")) {
        const replica = endpointClient(node.host, node.port);
        try {
          if ((await replica.get("before-crash")) !== "1") return false;
        } finally {
          replica.disconnect();
        }
      }
      return true;
    });
    writer.disconnect();

    await killNode(cp, primary.id);
    // Kill the worker as soon as the failover is under way (recorded, roles not yet settled).
    await waitFor(
      "the failover to start",
      async () => {
        const row = await cp.prisma.instance.findFirst({ where: { instanceId: "ha-crash" } });
        return row?.primaryNodeId && row.primaryNodeId !== primary.id;
      },
      20_000,
      1,
    );
    await worker.kill("SIGKILL");

    worker = await spawnWorker(cp);
    const after = await waitFor(
      "READY with every node READY",
      async () => {
        const got = (await cp.api("GET", `${BASE}/ha-crash`)).body;
        return got.state === "READY" && got.nodes.length === 3 && got.nodes.every((n: any) => n.state === "READY") ? got : false;
      },
      30_000,
    );
    expect(after.nodes.filter((n: any) => n.role === "PRIMARY")).toHaveLength(1);
    expect(await masters(after)).toBe(1);
    const redis = endpointClient(after.host, after.port);
    expect(await redis.get("before-crash")).toBe("1");
    expect(await redis.set("after-crash", "ok")).toBe("OK");
    redis.disconnect();
  });
});
