// STANDARD_HA end to end: replicas across zones, one endpoint that follows every failover,
// automatic failover that never restarts an empty primary, manual failover that loses no
// acknowledged write, online scaling, and an edge that needs no control plane to serve.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { freezeNode, killNode, liveRoles, primaries } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";
import { endpointClient, startWriter } from "../support/traffic.js";

const BASE = "/v1/projects/default/locations/local1/instances";
let cp: TestControlPlane;

async function getInstance(id: string) {
  return (await cp.api("GET", `${BASE}/${id}`)).body;
}

async function waitReady(id: string, check: (i: any) => boolean = () => true) {
  return waitFor(
    `${id} READY`,
    async () => {
      const got = await getInstance(id);
      return got.state === "READY" && check(got) ? got : false;
    },
    30_000,
  );
}

describe.each(DRIVERS)("STANDARD_HA with the %s driver", (driver) => {
  let instance: any;

  beforeAll(async () => {
    cp = await startTestControlPlane({ driver });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it("creates a primary and replicas across zones behind one endpoint", async () => {
    const created = await cp.api("POST", `${BASE}?instanceId=ha-1`, {
      tier: "STANDARD_HA",
      memorySizeGb: 1,
      replicaCount: 2,
      locationId: "local1-a",
      alternativeLocationId: "local1-b",
    });
    expect(created.status).toBe(200);
    const op = await cp.waitOperation(created.body.name);
    expect(op.error).toBeUndefined();
    instance = await getInstance("ha-1");
    expect(instance).toMatchObject({ state: "READY", tier: "STANDARD_HA", replicaCount: 2, currentLocationId: "local1-a", host: "127.0.0.1" });
    expect(instance.nodes).toHaveLength(3);
    expect(instance.nodes.map((n: any) => n.role).sort()).toEqual(["PRIMARY", "REPLICA", "REPLICA"]);
    expect(new Set(instance.nodes.map((n: any) => n.zone))).toEqual(new Set(["local1-a", "local1-b", "local1-c"]));
    expect(instance.nodes.every((n: any) => n.state === "READY" && n.port === instance.port)).toBe(true);

    const redis = endpointClient(instance.host, instance.port);
    await redis.set("replicated", "yes");
    redis.disconnect();
    const replica = instance.nodes.find((n: any) => n.role === "REPLICA");
    const direct = endpointClient(replica.host, replica.port);
    await waitFor("the write to reach a replica", async () => (await direct.get("replicated")) === "yes");
    direct.disconnect();
    expect(primaries(await liveRoles(instance))).toBe(1);
  });

  it("fails over when the primary is killed under writes; the old primary rejoins as a replica", async () => {
    const writer = startWriter(instance.host, instance.port);
    await waitFor("writes to flow", async () => writer.acked.length > 20);
    const oldPrimary = instance.nodes.find((n: any) => n.role === "PRIMARY");
    const killedAt = Date.now();
    await killNode(cp, oldPrimary.id);

    await waitFor("writes to resume through the same endpoint", async () => writer.okSince(killedAt + 50) > 20, 15_000);
    const after = await waitReady(
      "ha-1",
      (i) => i.nodes.find((n: any) => n.id === oldPrimary.id)?.role === "REPLICA" && i.nodes.every((n: any) => n.state === "READY"),
    );
    await writer.stop();
    expect(after.host).toBe(instance.host);
    expect(after.port).toBe(instance.port);
    expect(after.nodes).toHaveLength(3);
    const newPrimary = after.nodes.find((n: any) => n.role === "PRIMARY");
    expect(newPrimary.id).not.toBe(oldPrimary.id);
    expect(after.currentLocationId).toBe(newPrimary.zone);
    const roles = await liveRoles(after);
    expect(primaries(roles)).toBe(1);
    expect(roles[oldPrimary.id]).toBe("slave");
    const events = (await cp.api("GET", `${BASE}/ha-1/events`)).body.events.map((e: any) => e.type);
    expect(events).toContain("FAILOVER");
    instance = after;
  });

  it("fences a primary that hangs and fails over; the fenced node comes back as a replica", async () => {
    const writer = startWriter(instance.host, instance.port, undefined, "hang");
    await waitFor("writes to flow", async () => writer.acked.length > 20);
    const hung = instance.nodes.find((n: any) => n.role === "PRIMARY");
    const frozenAt = Date.now();
    await freezeNode(cp, hung.id);
    await waitFor("writes to resume through the endpoint", async () => writer.okSince(frozenAt + 200) > 20, 15_000);
    const after = await waitReady(
      "ha-1",
      (i) => i.nodes.find((n: any) => n.id === hung.id)?.role === "REPLICA" && i.nodes.every((n: any) => n.state === "READY"),
    );
    await writer.stop();
    const roles = await liveRoles(after);
    expect(primaries(roles)).toBe(1);
    expect(roles[hung.id]).toBe("slave");
    instance = after;
  });

  it("fails over on request (LIMITED_DATA_LOSS) without losing an acknowledged write", async () => {
    const writer = startWriter(instance.host, instance.port, undefined, "manual");
    await waitFor("writes to flow", async () => writer.acked.length > 50);
    const oldPrimary = instance.nodes.find((n: any) => n.role === "PRIMARY");
    const res = await cp.api("POST", `${BASE}/ha-1:failover`, { dataProtectionMode: "LIMITED_DATA_LOSS" });
    expect(res.status).toBe(200);
    expect(res.body.metadata.verb).toBe("failover");
    const op = await cp.waitOperation(res.body.name);
    expect(op.error).toBeUndefined();
    const doneAt = Date.now();
    await waitFor("writes to resume on the new primary", async () => writer.okSince(doneAt) > 10);
    await writer.stop();

    const after = await waitReady("ha-1");
    const newPrimary = after.nodes.find((n: any) => n.role === "PRIMARY");
    expect(newPrimary.id).not.toBe(oldPrimary.id);
    const check = endpointClient(after.host, after.port);
    const missing: string[] = [];
    for (const key of writer.acked) if ((await check.exists(key)) !== 1) missing.push(key);
    check.disconnect();
    expect(missing).toEqual([]);
    expect(primaries(await liveRoles(after))).toBe(1);
    instance = after;
  });

  it("refuses a manual failover on a BASIC instance", async () => {
    await cp.api("POST", `${BASE}?instanceId=basic-1`, { tier: "BASIC", memorySizeGb: 1 });
    const res = await cp.api("POST", `${BASE}/basic-1:failover`, {});
    expect(res.status).toBe(400);
    expect(res.body.error.status).toBe("FAILED_PRECONDITION");
  });

  it("scales replicas 2 -> 4 -> 1 online while a writer keeps working", async () => {
    const writer = startWriter(instance.host, instance.port, undefined, "scale");
    for (const count of [4, 1]) {
      const res = await cp.api("PATCH", `${BASE}/ha-1?updateMask=replicaCount`, { replicaCount: count });
      expect(res.status).toBe(200);
      const op = await cp.waitOperation(res.body.name);
      expect(op.error).toBeUndefined();
      const got = await waitReady("ha-1", (i) => i.nodes.length === count + 1);
      expect(got.nodes.filter((n: any) => n.role === "PRIMARY")).toHaveLength(1);
      expect(primaries(await liveRoles(got))).toBe(1);
    }
    const before = writer.acked.length;
    await waitFor("writes to continue", async () => writer.acked.length > before + 10);
    await writer.stop();
    expect(writer.acked.length).toBeGreaterThan(50);
  });

  it("keeps serving existing connections while the worker and api are down", async () => {
    const redis = endpointClient(instance.host, instance.port);
    await redis.set("edge", "0");
    await cp.worker!.stop();
    for (let i = 1; i <= 20; i++) {
      expect(await redis.incr("edge")).toBe(i);
      await new Promise((r) => setTimeout(r, 10));
    }
    const fresh = endpointClient(instance.host, instance.port);
    expect(await fresh.get("edge")).toBe("20");
    fresh.disconnect();
    await cp.startWorker();
    redis.disconnect();
  });
});
