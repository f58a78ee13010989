// Bad input gets a clear error in Google's envelope, naming the field, and never a 500.
// Runs against the real api and Postgres; no worker, so instances stay CREATING.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";

const BASE = "/v1/projects/default/locations/local1/instances";
let cp: TestControlPlane;

beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false });
});
afterAll(async () => {
  await cp?.stop();
});

const basic = { tier: "BASIC", memorySizeGb: 1 };

function expectInvalid(res: { status: number; body: any }, field: string) {
  expect(res.status).toBe(400);
  expect(res.body.error.status).toBe("INVALID_ARGUMENT");
  expect(res.body.error.code).toBe(400);
  const fields = res.body.error.details?.[0]?.fieldViolations?.map((v: any) => v.field) ?? [];
  expect(fields).toContain(field);
  expect(res.body.error.message).toContain(field);
}

describe("create validation", () => {
  it("rejects malformed JSON", async () => {
    const res = await cp.api("POST", `${BASE}?instanceId=x1`, "{not json");
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ status: "INVALID_ARGUMENT", message: expect.stringMatching(/JSON/) });
  });

  it("names the field with a wrong type", async () => {
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, { ...basic, memorySizeGb: "big" }), "memorySizeGb");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, { ...basic, authEnabled: "yes" }), "authEnabled");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, { ...basic, memorySizeGb: 0 }), "memorySizeGb");
  });

  it("rejects unknown fields, naming them", async () => {
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, { ...basic, colour: "blue" }), "colour");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, { ...basic, redisConfigs: { "maxmemory-polcy": "x" } }), "redisConfigs.maxmemory-polcy");
  });

  it("rejects oversized strings and bodies", async () => {
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, { ...basic, displayName: "x".repeat(257) }), "displayName");
    const huge = await cp.api("POST", `${BASE}?instanceId=x1`, { ...basic, displayName: "x".repeat(70_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.status).toBe("INVALID_ARGUMENT");
  });

  it("rejects bad values of known settings", async () => {
    expectInvalid(
      await cp.api("POST", `${BASE}?instanceId=x1`, { ...basic, redisConfigs: { "maxmemory-policy": "sometimes" } }),
      "redisConfigs.maxmemory-policy",
    );
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, { ...basic, labels: { "Bad Key": "v" } }), "labels.Bad Key");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, { ...basic, locationId: "mars-a" }), "locationId");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, { memorySizeGb: 1 }), "tier");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, { tier: "BASIC" }), "memorySizeGb");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, { ...basic, replicaCount: 2 }), "replicaCount");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, { ...basic, redisVersion: "REDIS_6_X" }), "redisVersion");
  });

  it("answers an overlong or undecodable path segment in Google's envelope", async () => {
    for (const path of [`${BASE}/${"a".repeat(300)}`, `${BASE}/%E0%A4%A`]) {
      const res = await cp.api("GET", path);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    }
  });

  it("answers the framework's own refusals in Google's envelope: unknown route, unknown method, content type", async () => {
    const raw = (method: string, path: string, init: RequestInit = {}) =>
      fetch(`${cp.url}${path}`, { method, ...init, headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(init.headers ?? {}) } });
    const envelope = async (res: Response, code: number, status: string) => {
      expect(res.status).toBe(code);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect((await res.json()).error).toMatchObject({ code, status, message: expect.any(String) });
    };
    await envelope(await raw("GET", "/v1/projects/default/locations/local1/gadgets"), 404, "NOT_FOUND");
    await envelope(await raw("GET", "/nothing-here"), 404, "NOT_FOUND");
    await envelope(await raw("PUT", `${BASE}/x1`, { body: "{}", headers: { "content-type": "application/json" } }), 404, "NOT_FOUND");
    await envelope(await raw("POST", `${BASE}?instanceId=x1`, { body: "tier=BASIC", headers: { "content-type": "text/plain" } }), 400, "INVALID_ARGUMENT");
  });

  it("rejects bad ids", async () => {
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=Bad_Id`, basic), "instanceId");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=${"a".repeat(41)}`, basic), "instanceId");
    expectInvalid(await cp.api("POST", BASE, basic), "instanceId");
    expectInvalid(await cp.api("POST", `/v1/projects/NOT_OK/locations/local1/instances?instanceId=x1`, basic), "project");
    expectInvalid(await cp.api("GET", `${BASE}/-bad-`), "instance");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1&requestId=${encodeURIComponent("a b")}`, basic), "requestId");
  });

  it("answers 404 for an unknown location, instance or operation", async () => {
    const loc = await cp.api("GET", `/v1/projects/default/locations/mars/instances`);
    expect(loc.status).toBe(404);
    const inst = await cp.api("GET", `${BASE}/nope`);
    expect(inst.status).toBe(404);
    expect(inst.body.error).toMatchObject({ code: 404, status: "NOT_FOUND" });
    expect((await cp.api("GET", `/v1/projects/default/locations/local1/operations/operation-123-abc`)).status).toBe(404);
    expect((await cp.api("GET", `/v1/nothing/here`)).status).toBe(404);
  });
});

describe("create semantics", () => {
  it("answers 409 for a duplicate id", async () => {
    expect((await cp.api("POST", `${BASE}?instanceId=dup`, basic)).status).toBe(200);
    const again = await cp.api("POST", `${BASE}?instanceId=dup`, basic);
    expect(again.status).toBe(409);
    expect(again.body.error.status).toBe("ALREADY_EXISTS");
  });

  it("returns the same Operation for a retried requestId, even concurrently", async () => {
    const first = await cp.api("POST", `${BASE}?instanceId=idem&requestId=req-1`, basic);
    const second = await cp.api("POST", `${BASE}?instanceId=idem&requestId=req-1`, basic);
    expect(second.status).toBe(200);
    expect(second.body.name).toBe(first.body.name);
    const racing = await Promise.all([1, 2, 3, 4].map(() => cp.api("POST", `${BASE}?instanceId=idem-race&requestId=req-race`, basic)));
    expect(new Set(racing.map((r) => r.status))).toEqual(new Set([200]));
    expect(new Set(racing.map((r) => r.body.name)).size).toBe(1);
  });

  it("shows defaults and never the auth secret", async () => {
    await cp.api("POST", `${BASE}?instanceId=secretive`, { ...basic, authEnabled: true });
    const got = await cp.api("GET", `${BASE}/secretive`);
    expect(got.body).toMatchObject({
      state: "CREATING",
      redisVersion: "REDIS_7_0",
      readReplicasMode: "READ_REPLICAS_DISABLED",
      transitEncryptionMode: "DISABLED",
      persistenceConfig: { persistenceMode: "DISABLED" },
      locationId: "local1-a",
    });
    const auth = await cp.api("GET", `${BASE}/secretive/authString`);
    expect(auth.body.authString).toBeTruthy();
    expect(JSON.stringify(got.body)).not.toContain(auth.body.authString);
    const list = await cp.api("GET", BASE);
    expect(JSON.stringify(list.body)).not.toContain(auth.body.authString);
  });

  it("pages through instances with opaque tokens", async () => {
    for (const id of ["page-a", "page-b", "page-c"]) await cp.api("POST", `${BASE}?instanceId=${id}`, basic);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const res = await cp.api("GET", `${BASE}?pageSize=2${token ? `&pageToken=${token}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.instances.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.instances.map((i: any) => i.name.split("/").pop()));
      token = res.body.nextPageToken;
    } while (token);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(["page-a", "page-b", "page-c"]));
    expect(new Set(seen).size).toBe(seen.length);
    expectInvalid(await cp.api("GET", `${BASE}?pageToken=garbage`), "pageToken");
    expectInvalid(await cp.api("GET", `${BASE}?pageSize=-1`), "pageSize");
    expectInvalid(await cp.api("GET", `${BASE}?pageSize=lots`), "pageSize");
    expectInvalid(await cp.api("GET", `${BASE}?colour=blue`), "colour");
  });
});

describe("update validation", () => {
  it("rejects a missing or bad updateMask", async () => {
    await cp.api("POST", `${BASE}?instanceId=patchme`, basic);
    expectInvalid(await cp.api("PATCH", `${BASE}/patchme`, { displayName: "x" }), "updateMask");
    expectInvalid(await cp.api("PATCH", `${BASE}/patchme?updateMask=tier`, { tier: "STANDARD_HA" }), "updateMask");
    expectInvalid(await cp.api("PATCH", `${BASE}/patchme?updateMask=bogus`, {}), "updateMask");
    expectInvalid(await cp.api("PATCH", `${BASE}/patchme?updateMask=memorySizeGb`, { memorySizeGb: -3 }), "memorySizeGb");
    expect((await cp.api("PATCH", `${BASE}/nope?updateMask=displayName`, { displayName: "x" })).status).toBe(404);
  });

  it("applies only the masked fields, in either spelling", async () => {
    const res = await cp.api("PATCH", `${BASE}/patchme?updateMask=display_name,labels`, {
      displayName: "renamed",
      labels: { team: "core" },
      memorySizeGb: 99,
    });
    expect(res.status).toBe(200);
    const got = (await cp.api("GET", `${BASE}/patchme`)).body;
    expect(got).toMatchObject({ displayName: "renamed", labels: { team: "core" }, memorySizeGb: 1 });
  });
});

describe("auth", () => {
  it("needs a valid key", async () => {
    const none = await cp.api("GET", BASE, undefined, "");
    expect(none.status).toBe(401);
    expect(none.body.error.status).toBe("UNAUTHENTICATED");
    expect((await cp.api("GET", BASE, undefined, "cp_000000000000_wrong")).status).toBe(401);
  });

  it("keeps a project's key out of other projects", async () => {
    const { generateKey, hashKey } = await import("@cacheplane/api");
    const { id, key } = generateKey();
    await cp.prisma.apiKey.create({ data: { id, name: "team-a", hash: hashKey(key), projects: ["team-a"] } });
    const own = await cp.api("POST", `/v1/projects/team-a/locations/local1/instances?instanceId=mine`, basic, key);
    expect(own.status).toBe(200);
    const other = await cp.api("GET", `${BASE}/secretive`, undefined, key);
    expect(other.status).toBe(403);
    expect(JSON.stringify(other.body)).not.toContain("CREATING");
    const otherAuth = await cp.api("GET", `${BASE}/secretive/authString`, undefined, key);
    expect(otherAuth.status).toBe(403);
    expect((await cp.api("GET", `/v1/projects/default/locations/local1/operations`, undefined, key)).status).toBe(403);
  });
});

describe("API keys", () => {
  it("creates a scoped key shown once, lists without secrets, and revokes it at once", async () => {
    const created = await cp.api("POST", "/v1/apiKeys", { displayName: "ci", projects: ["ci-project"] });
    expect(created.status).toBe(200);
    const { keyString, name } = created.body;
    expect(keyString).toMatch(/^cp_[0-9a-f]{12}_/);
    expect(name).toMatch(/^apiKeys\/[0-9a-f]{12}$/);

    const own = await cp.api("GET", "/v1/projects/ci-project/locations/local1/instances", undefined, keyString);
    expect(own.status).toBe(200);
    expect((await cp.api("GET", BASE, undefined, keyString)).status).toBe(403);
    // A project key cannot manage keys.
    expect((await cp.api("GET", "/v1/apiKeys", undefined, keyString)).status).toBe(403);

    const list = await cp.api("GET", "/v1/apiKeys");
    expect(list.body.apiKeys.map((k: any) => k.name)).toContain(name);
    expect(JSON.stringify(list.body)).not.toContain(keyString);
    const stored = await cp.prisma.apiKey.findMany();
    expect(JSON.stringify(stored)).not.toContain(keyString);

    const revoked = await cp.api("DELETE", `/v1/${name}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokeTime).toBeTruthy();
    expect((await cp.api("GET", "/v1/projects/ci-project/locations/local1/instances", undefined, keyString)).status).toBe(401);
  });

  it("validates key requests", async () => {
    expectInvalid(await cp.api("POST", "/v1/apiKeys", { displayName: "x", projects: ["Not A Project"] }), "projects.0");
    expectInvalid(await cp.api("POST", "/v1/apiKeys", { displayName: "x", projects: [] }), "projects");
    expectInvalid(await cp.api("DELETE", "/v1/apiKeys/zzz"), "key");
    expect((await cp.api("DELETE", "/v1/apiKeys/000000000000")).status).toBe(404);
    // The bootstrap key cannot revoke itself (that would lock everyone out).
    const self = await cp.api("DELETE", "/v1/apiKeys/admin");
    expect(self.status).toBe(400);
    expect(self.body.error.status).toBe("FAILED_PRECONDITION");
  });
});

describe("operations", () => {
  it("lists newest first, waits with a timeout, and cancels a create by rolling it back", async () => {
    const created = await cp.api("POST", `${BASE}?instanceId=cancel-me`, basic);
    const list = await cp.api("GET", `/v1/projects/default/locations/local1/operations?pageSize=1`);
    expect(list.body.operations[0].name).toBe(created.body.name);
    expect(list.body.nextPageToken).toBeTruthy();

    const waited = await cp.api("POST", `/v1/${created.body.name}:wait?timeout=0.2s`);
    expect(waited.status).toBe(200);
    expect(waited.body.done).toBe(false);
    expectInvalid(await cp.api("POST", `/v1/${created.body.name}:wait?timeout=soon`), "timeout");

    expect((await cp.api("POST", `/v1/${created.body.name}:cancel`)).status).toBe(200);
    const cancelled = (await cp.api("GET", `/v1/${created.body.name}`)).body;
    expect(cancelled).toMatchObject({ done: true, error: { code: 1 }, metadata: { cancelRequested: true } });
    expect((await cp.api("GET", `${BASE}/cancel-me`)).body.state).toBe("DELETING");
    expect((await cp.api("PATCH", `${BASE}/cancel-me?updateMask=displayName`, { displayName: "x" })).status).toBe(400);

    expect((await cp.api("DELETE", `/v1/${created.body.name}`)).status).toBe(200);
    expect((await cp.api("GET", `/v1/${created.body.name}`)).status).toBe(404);
  });

  it("lists locations with their zones", async () => {
    const res = await cp.api("GET", "/v1/projects/default/locations");
    expect(res.body.locations).toEqual([
      expect.objectContaining({
        name: "projects/default/locations/local1",
        locationId: "local1",
        metadata: expect.objectContaining({ availableZones: { "local1-a": { state: "UP" }, "local1-b": { state: "UP" }, "local1-c": { state: "UP" } } }),
      }),
    ]);
  });
});

describe("locations and operation filters, as Google's clients call them", () => {
  it("gets one location with its zones, and a location that is not this one is NOT_FOUND", async () => {
    const res = await cp.api("GET", `/v1/projects/default/locations/local1`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "projects/default/locations/local1", locationId: "local1" });
    expect(Object.keys(res.body.metadata.availableZones)).toEqual(["local1-a", "local1-b", "local1-c"]);
    const mars = await cp.api("GET", `/v1/projects/default/locations/mars`);
    expect(mars.status).toBe(404);
    expect(mars.body.error).toMatchObject({ status: "NOT_FOUND", message: "location projects/default/locations/mars not found" });
  });

  it("lists operations with an empty filter, done=true or done=false; any other filter is INVALID_ARGUMENT", async () => {
    const created = await cp.api("POST", `${BASE}?instanceId=filtered`, basic);
    expect(created.status).toBe(200);
    const ops = `/v1/projects/default/locations/local1/operations`;
    const names = async (filter: string) => {
      const res = await cp.api("GET", `${ops}?filter=${encodeURIComponent(filter)}`);
      expect(res.status).toBe(200);
      return (res.body.operations ?? []).map((o: { name: string }) => o.name);
    };
    expect(await names("")).toContain(created.body.name);
    expect(await names("done=false")).toContain(created.body.name); // no worker here: it stays running
    expect(await names("done = true")).not.toContain(created.body.name);
    expectInvalid(await cp.api("GET", `${ops}?filter=${encodeURIComponent("verb=create")}`), "filter");
  });
});
