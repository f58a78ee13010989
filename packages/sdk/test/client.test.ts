// The SDK against a real control plane (api + worker, real Postgres, Redis and redis-server).
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { CacheplaneError, OperationError, createCacheplaneClient, toArray, type CacheplaneClient, type Operation } from "../src/index.js";

let cp: TestControlPlane;
let client: CacheplaneClient;

beforeAll(async () => {
  cp = await startTestControlPlane();
  client = createCacheplaneClient({ url: cp.url, apiKey: ADMIN_KEY });
});
afterAll(async () => {
  await cp?.stop();
});

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function caught(promise: Promise<unknown>): Promise<CacheplaneError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CacheplaneError);
  return error as CacheplaneError;
}

describe("the SDK on a real control plane", () => {
  it("creates and waits for a READY instance and hands out a Redis URL with its AUTH string", async () => {
    const progress: string[] = [];
    const instance = await client.instances.createAndWait(
      "sdk-basic",
      { tier: "BASIC", memorySizeGb: 1, authEnabled: true, labels: { suite: "sdk" } },
      { timeoutMs: 60_000, onProgress: (op) => progress.push(op.metadata.statusDetail) },
    );
    expect(instance).toMatchObject({ name: "projects/default/locations/local1/instances/sdk-basic", state: "READY", authEnabled: true });
    expect(progress.length).toBeGreaterThan(0);

    const url = await client.instances.redisUrl("sdk-basic");
    const auth = await client.instances.authString("sdk-basic");
    expect(auth).toBeTruthy();
    expect(url).toMatch(/^redis:\/\/:[A-Za-z0-9%._-]+@127\.0\.0\.1:\d+$/);
    expect(decodeURIComponent(new URL(url).password)).toBe(auth);

    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      expect(await redis.set("sdk", "works")).toBe("OK");
      expect(await redis.get("sdk")).toBe("works");
    } finally {
      redis.disconnect();
    }
  });

  it("maps API errors to one typed error with Google's status, code and message", async () => {
    const missing = await caught(client.instances.get("no-such-cache"));
    expect(missing).toMatchObject({ status: "NOT_FOUND", code: 404 });
    expect(missing.message).toMatch(/no-such-cache/);

    const duplicate = await caught(client.instances.create("sdk-basic", { tier: "BASIC", memorySizeGb: 1 }));
    expect(duplicate).toMatchObject({ status: "ALREADY_EXISTS", code: 409 });

    const invalid = await caught(client.instances.create("sdk-bad", { tier: "BASIC", memorySizeGb: 0 }));
    expect(invalid).toMatchObject({ status: "INVALID_ARGUMENT", code: 400 });
    expect(invalid.fieldViolations.map((v) => v.field)).toContain("memorySizeGb");

    const badKey = createCacheplaneClient({ url: cp.url, apiKey: "cp_000000000000_nope" });
    expect(await caught(badKey.instances.list())).toMatchObject({ status: "UNAUTHENTICATED", code: 401 });

    const closed = await closedPort();
    const nowhere = createCacheplaneClient({ url: `http://127.0.0.1:${closed}/`, apiKey: ADMIN_KEY });
    const unreachable = await caught(nowhere.locations.list());
    expect(unreachable.status).toBe("UNAVAILABLE");
    expect(unreachable.message).toBe(`cannot reach cacheplane at http://127.0.0.1:${closed} (ECONNREFUSED)`);
    expect(await nowhere.health()).toBe(false);
    expect(await client.health()).toBe(true);
  });

  it("waits with a timeout and an abort signal, reports progress, and surfaces a cancelled create as an OperationError", async () => {
    await cp.worker!.stop(); // nothing makes progress: operations stay pending
    try {
      const op = await client.instances.create("sdk-stuck", { tier: "BASIC", memorySizeGb: 1 });
      const seen: Operation[] = [];
      const started = Date.now();
      const late = await caught(client.operations.wait(op.name, { timeoutMs: 700, onProgress: (o) => seen.push(o), progressIntervalMs: 200 }));
      expect(late.status).toBe("DEADLINE_EXCEEDED");
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(seen.every((o) => o.done === false)).toBe(true);

      const abort = new AbortController();
      setTimeout(() => abort.abort(), 300);
      const aborted = await client.operations.wait(op, { signal: abort.signal }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(aborted?.name).toBe("AbortError");

      await client.operations.cancel(op.name);
      const cancelled = await client.operations.wait(op.name, { timeoutMs: 10_000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(cancelled).toBeInstanceOf(OperationError);
      expect(cancelled).toMatchObject({ status: "CANCELLED" });
      expect((cancelled as OperationError).operation.done).toBe(true);
    } finally {
      await cp.startWorker();
    }
    // The rolled-back instance goes away once a worker runs again.
    await expect.poll(async () => (await caught(client.instances.get("sdk-stuck"))).status, { timeout: 20_000 }).toBe("NOT_FOUND");
  });

  it("iterates every page of a list", async () => {
    const ops = await toArray(client.operations.all({ pageSize: 1 }));
    expect(ops.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ops.map((o) => o.name)).size).toBe(ops.length);
    const firstPage = await client.operations.list({ pageSize: 1 });
    expect(firstPage.operations).toHaveLength(1);
    expect(firstPage.nextPageToken).toBeTruthy();

    const locations = await toArray(client.locations.all());
    expect(locations.map((l) => l.locationId)).toEqual(["local1"]);
  });

  it("creates, lists and revokes API keys; a revoked key stops working", async () => {
    const created = await client.apiKeys.create({ displayName: "sdk test", projects: ["default"] });
    expect(created.keyString).toMatch(/^cp_/);
    const scoped = createCacheplaneClient({ url: cp.url, apiKey: created.keyString });
    expect((await scoped.instances.list()).instances.map((i) => i.name)).toContain("projects/default/locations/local1/instances/sdk-basic");

    const names = (await toArray(client.apiKeys.all())).map((k) => k.name);
    expect(names).toContain(created.name);
    expect((await client.apiKeys.get(created.name)).displayName).toBe("sdk test");

    const revoked = await client.apiKeys.revoke(created.name);
    expect(revoked.revokeTime).toBeTruthy();
    expect(await caught(scoped.instances.list())).toMatchObject({ status: "UNAUTHENTICATED" });
  });

  it("fails and recovers a zone with an admin key, by id or by name, and lists the zones' states", async () => {
    const down = await client.zones.fail("local1-c");
    expect(down).toMatchObject({ name: "projects/default/locations/local1/zones/local1-c", state: "DOWN" });
    expect(await client.zones.list()).toEqual([
      { zone: "local1-a", state: "UP" },
      { zone: "local1-b", state: "UP" },
      { zone: "local1-c", state: "DOWN" },
    ]);
    expect((await client.zones.recover(down.name)).state).toBe("UP");
    expect((await client.zones.list()).every((z) => z.state === "UP")).toBe(true);

    expect(await caught(client.zones.fail("local1-z"))).toMatchObject({ status: "NOT_FOUND", code: 404 });
    expect(await caught(client.zones.fail("Local 1"))).toMatchObject({ status: "INVALID_ARGUMENT" });
    const editor = await client.apiKeys.create({ displayName: "zones", projects: ["default"] });
    const scoped = createCacheplaneClient({ url: cp.url, apiKey: editor.keyString });
    expect(await caught(scoped.zones.fail("local1-a"))).toMatchObject({ status: "PERMISSION_DENIED", code: 403 });
    expect((await client.zones.list()).every((z) => z.state === "UP")).toBe(true);
  });

  it("deletes an instance and waits for it", async () => {
    const op = await client.instances.delete("sdk-basic");
    const done = await client.operations.wait(op);
    expect(done.done).toBe(true);
    expect((await caught(client.instances.get("sdk-basic"))).status).toBe("NOT_FOUND");
  });
});
