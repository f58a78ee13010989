// The walking skeleton end to end: REST -> Postgres -> BullMQ -> worker -> a real redis-server
// (a process, or a container) -> a client on host:port. Then patch, kill -9, self-repair and
// delete. The same suite runs against every driver.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { killNode, leftoversFor, runningFor } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";
import { isPortOpen } from "../support/net.js";

const BASE = "/v1/projects/default/locations/local1/instances";

function client(host: string, port: number, password?: string) {
  // No ready check: without a password it would fail on INFO before the test can see NOAUTH.
  const redis = new Redis({ host, port, password, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on("error", () => undefined);
  return redis;
}

describe.each(DRIVERS)("a BASIC instance, end to end, with the %s driver", (driver) => {
  let cp: TestControlPlane;
  let instance: any;
  let password: string;

  beforeAll(async () => {
    cp = await startTestControlPlane({ driver });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it("is created, becomes READY and serves SET/GET with AUTH", async () => {
    const created = await cp.api("POST", `${BASE}?instanceId=cache-1`, {
      tier: "BASIC",
      memorySizeGb: 1,
      authEnabled: true,
      displayName: "first cache",
      labels: { env: "test" },
    });
    expect(created.status).toBe(200);
    expect(created.body.name).toMatch(/^projects\/default\/locations\/local1\/operations\/operation-/);
    expect(created.body.done).toBe(false);
    expect(created.body.metadata.verb).toBe("create");

    const op = await cp.waitOperation(created.body.name);
    expect(op.done).toBe(true);
    expect(op.error).toBeUndefined();
    expect(op.response.state).toBe("READY");

    instance = (await cp.api("GET", `${BASE}/cache-1`)).body;
    expect(instance).toMatchObject({
      name: "projects/default/locations/local1/instances/cache-1",
      state: "READY",
      tier: "BASIC",
      memorySizeGb: 1,
      authEnabled: true,
      host: "127.0.0.1",
      currentLocationId: "local1-a",
      labels: { env: "test" },
    });
    expect(instance.nodes).toHaveLength(1);
    expect(JSON.stringify(instance)).not.toMatch(/authString/);

    const auth = await cp.api("GET", `${BASE}/cache-1/authString`);
    password = auth.body.authString;
    expect(password).toMatch(/.{16,}/);

    const anonymous = client(instance.host, instance.port);
    await anonymous.connect();
    await expect(anonymous.set("k", "v")).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();

    const redis = client(instance.host, instance.port, password);
    await redis.connect();
    expect(await redis.set("greeting", "hello")).toBe("OK");
    expect(await redis.get("greeting")).toBe("hello");
    redis.disconnect();
  });

  it("applies a memorySizeGb patch to the running node", async () => {
    const patched = await cp.api("PATCH", `${BASE}/cache-1?updateMask=memorySizeGb,redisConfigs`, {
      memorySizeGb: 2,
      redisConfigs: { "maxmemory-policy": "allkeys-lru" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.metadata.verb).toBe("update");
    const op = await cp.waitOperation(patched.body.name);
    expect(op.error).toBeUndefined();
    expect(op.response.memorySizeGb).toBe(2);

    const redis = client(instance.host, instance.port, password);
    await redis.connect();
    expect(await redis.config("GET", "maxmemory")).toEqual(["maxmemory", String(2 * 1024 ** 3)]);
    expect(await redis.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "allkeys-lru"]);
    // The data survived the live reconfiguration.
    expect(await redis.get("greeting")).toBe("hello");
    redis.disconnect();

    const conf = await readFile(join(cp.nodesRoot, instance.nodes[0].id, "redis.conf"), "utf8");
    expect(conf).toMatch(/maxmemory 2147483648/);
  });

  it("brings a node killed with SIGKILL back on the same endpoint", async () => {
    const nodeId = instance.nodes[0].id;
    const [before] = await runningFor(cp, nodeId);
    expect(before).toBeDefined();
    await killNode(cp, nodeId);

    await waitFor("the node to serve again", async () => {
      const [again] = await runningFor(cp, nodeId);
      if (!again || again.incarnation === before!.incarnation) return false;
      const redis = client(instance.host, instance.port, password);
      try {
        await redis.connect();
        return (await redis.set("after", "restart")) === "OK";
      } finally {
        redis.disconnect();
      }
    });
    const after = await waitFor("READY", async () => {
      const got = (await cp.api("GET", `${BASE}/cache-1`)).body;
      return got.state === "READY" ? got : false;
    });
    expect(after.host).toBe(instance.host);
    expect(after.port).toBe(instance.port);

    const events = await cp.prisma.event.findMany({ where: { instance: { instanceId: "cache-1" } } });
    expect(events.map((e) => e.type)).toContain("REPAIRING");
  });

  it("is deleted with its process, port and data dir", async () => {
    const nodeDir = join(cp.nodesRoot, instance.nodes[0].id);
    expect(existsSync(nodeDir)).toBe(true);
    const deleted = await cp.api("DELETE", `${BASE}/cache-1`);
    expect(deleted.status).toBe(200);
    const op = await cp.waitOperation(deleted.body.name);
    expect(op).toMatchObject({ done: true, response: { "@type": "type.googleapis.com/google.protobuf.Empty" } });

    expect((await cp.api("GET", `${BASE}/cache-1`)).status).toBe(404);
    expect(await isPortOpen(instance.host, instance.port)).toBe(false);
    expect(existsSync(nodeDir)).toBe(false);
    expect(await leftoversFor(cp, instance.nodes[0].id)).toEqual([]);
    expect(await cp.prisma.node.count()).toBe(0);
  });
});
