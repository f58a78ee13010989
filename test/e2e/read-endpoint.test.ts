// READ_REPLICAS_ENABLED: a read endpoint that the kernel balances over the healthy replicas,
// follows their health, and goes away with the setting or the instance.
import { execFileSync } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { isPortOpen } from "../support/net.js";
import { waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";

const BASE = "/v1/projects/default/locations/local1/instances";

/** Which node answers each of n fresh connections to host:port (by its announced address). */
async function whoAnswers(host: string, port: number, n = 12): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const redis = new Redis({ host, port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      const [, address] = (await redis.config("GET", "replica-announce-ip")) as string[];
      const role = ((await redis.role()) as unknown[])[0];
      seen.push(`${address}:${role}`);
    } finally {
      redis.disconnect();
    }
  }
  return seen;
}

const routesOf = (uid: string) => {
  try {
    return execFileSync("iptables", ["-w", "5", "-t", "nat", "-S", `CPR-${uid.replace(/-/g, "").slice(0, 24)}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return "";
  }
};

describe.each(DRIVERS)("read endpoint with the %s driver", (driver) => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane({ driver });
  });
  afterAll(async () => {
    await cp?.stop();
  });
  const get = async () => (await cp.api("GET", `${BASE}/reads`)).body;

  it("balances reads over healthy replicas and follows their health", async () => {
    const created = await cp.api("POST", `${BASE}?instanceId=reads`, {
      tier: "STANDARD_HA",
      memorySizeGb: 1,
      replicaCount: 2,
      readReplicasMode: "READ_REPLICAS_ENABLED",
    });
    expect(created.status).toBe(200);
    const op = await cp.waitOperation(created.body.name);
    expect(op.error).toBeUndefined();
    const instance = await get();
    expect(instance).toMatchObject({ readReplicasMode: "READ_REPLICAS_ENABLED", readEndpoint: "127.0.3.1", readEndpointPort: instance.port });
    const replicas = instance.nodes.filter((n: any) => n.role === "REPLICA");

    const writer = endpointClient(instance.host, instance.port);
    await writer.set("seen-by-readers", "yes");
    // A plain client: endpointClient would reconnect and resend on READONLY, forever, here.
    const reader = new Redis({ host: instance.readEndpoint, port: instance.readEndpointPort, maxRetriesPerRequest: 1 });
    reader.on("error", () => undefined);
    await waitFor("the write on the read endpoint", async () => (await reader.get("seen-by-readers")) === "yes");
    await expect(reader.set("x", "y")).rejects.toThrow(/READONLY/);
    reader.disconnect();
    writer.disconnect();

    const answers = await whoAnswers(instance.readEndpoint, instance.readEndpointPort);
    expect(new Set(answers)).toEqual(new Set(replicas.map((r: any) => `${r.host}:slave`)));

    // A replica's zone goes down: the read endpoint leaves it, and takes it back on recovery.
    const zone = replicas[0].zone;
    expect((await cp.api("POST", `/v1/projects/default/locations/local1/zones/${zone}:fail`)).status).toBe(200);
    try {
      await waitFor("reads to avoid the replica in the failed zone", async () => {
        const now = await whoAnswers(instance.readEndpoint, instance.readEndpointPort, 6).catch(() => []);
        return now.length === 6 && now.every((a) => a === `${replicas[1].host}:slave`);
      });
    } finally {
      await cp.api("POST", `/v1/projects/default/locations/local1/zones/${zone}:recover`);
    }
    await waitFor("both replicas serving reads again", async () => {
      const now = await whoAnswers(instance.readEndpoint, instance.readEndpointPort, 8).catch(() => []);
      return new Set(now).size === 2;
    });
  });

  it("goes away with the setting and with the instance", async () => {
    const instance = await get();
    const uid = (await cp.prisma.instance.findFirstOrThrow({ where: { instanceId: "reads" } })).uid;
    expect(routesOf(uid)).toMatch(/DNAT/);
    const off = await cp.api("PATCH", `${BASE}/reads?updateMask=readReplicasMode`, { readReplicasMode: "READ_REPLICAS_DISABLED" });
    expect((await cp.waitOperation(off.body.name)).error).toBeUndefined();
    const after = await get();
    expect(after.readEndpoint).toBeUndefined();
    expect(await isPortOpen(instance.readEndpoint, instance.readEndpointPort)).toBe(false);
    expect(routesOf(uid)).toBe("");

    const on = await cp.api("PATCH", `${BASE}/reads?updateMask=readReplicasMode`, { readReplicasMode: "READ_REPLICAS_ENABLED" });
    expect((await cp.waitOperation(on.body.name)).error).toBeUndefined();
    expect(routesOf(uid)).toMatch(/DNAT/);
    const deleted = await cp.api("DELETE", `${BASE}/reads`);
    await cp.waitOperation(deleted.body.name);
    expect(routesOf(uid)).toBe("");
    expect(await isPortOpen(instance.readEndpoint, instance.readEndpointPort)).toBe(false);
  });
});
