// Google's own client library, @google-cloud/redis v1 over its REST transport, pointed at a real
// control plane with nothing but an endpoint and an API key: every CloudRedis method cacheplane
// serves, each returned Operation awaited with operation.promise() (the client polls
// GET …/operations/{op} and decodes metadata and response by their @type), errors as gRPC codes.
// The client sends enums as numbers, snake_case update masks, `$alt=json;enum-encoding=int` and
// bodiless DELETEs with a JSON content type (apps/api/src/google-compat). On both drivers, as every
// end-to-end suite (the wire is what is under test; a run of both costs seconds).
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { CloudRedisClient, protos } from "@google-cloud/redis";
import { OAuth2Client } from "google-auth-library";
import { Status } from "google-gax";
import { describe, expect, it } from "vitest";
import { ADMIN_KEY, DRIVERS } from "../support/control-plane.js";
import { explained } from "../support/diagnose.js";
import { BASE as BASE_BUILD, NEXT, PATCH, useEnginesControlPlane } from "../support/engines.js";
import { waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";

const PARENT = "projects/default/locations/local1";
const LOC = `/v1/${PARENT}`;
const DAY_MS = 86_400_000;
const WEEKDAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"] as const;
// An Operation's response is the decoded message, whose enums are numbers (a unary call's answer
// is converted to a plain object with enum names instead).
const { Instance } = protos.google.cloud.redis.v1;
const READY = Instance.State.READY;

type ClientOptions = NonNullable<ConstructorParameters<typeof CloudRedisClient>[0]>;

/** The shortest construction (README, "Google's client library"): an auth client is anything with
 *  getRequestHeaders and fetch; this one adds the API key as the bearer token and leaves error
 *  answers to the client's own decoding (google-auth-library's clients throw on them first). */
function googleClient(url: string, key = ADMIN_KEY, auth?: Pick<ClientOptions, "authClient">) {
  const { hostname, port } = new URL(url);
  const authClient = {
    getRequestHeaders: async () => new Headers(),
    fetch: (input: string, init: RequestInit & { headers: Headers }) => {
      init.headers.set("authorization", `Bearer ${key}`);
      return fetch(input, init);
    },
  } as unknown as ClientOptions["authClient"];
  return new CloudRedisClient({ apiEndpoint: hostname, port: Number(port), protocol: "http", fallback: true, authClient, ...auth });
}

async function grpcCode(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
  } catch (err) {
    return (err as { code?: number }).code;
  }
  throw new Error("the call succeeded");
}

describe.each(DRIVERS)("Google's @google-cloud/redis client (REST fallback) against cacheplane, %s driver", (driver) => {
  const suite = useEnginesControlPlane(driver);
  const client = () => googleClient(suite.cp.url);
  const nameOf = (id: string) => `${PARENT}/instances/${id}`;
  const native = async (id: string) => (await suite.cp.api("GET", `${LOC}/instances/${id}`)).body;
  // A window three days from now: never open while the suite runs, so maintenance waits for it.
  const windowDay = new Date(Date.now() + 3 * DAY_MS);
  const maintenancePolicy = { weeklyMaintenanceWindow: [{ day: WEEKDAYS[windowDay.getUTCDay()], startTime: { hours: 3 } }] };

  it("creates instances and awaits each Operation with operation.promise()", { timeout: 120_000 }, async () => {
    const redis = client();
    const [[ha], [basic]] = await Promise.all([
      redis.createInstance({
        parent: PARENT,
        instanceId: "g-ha",
        instance: {
          tier: "STANDARD_HA",
          memorySizeGb: 1,
          replicaCount: 1,
          readReplicasMode: "READ_REPLICAS_ENABLED",
          authEnabled: true,
          transitEncryptionMode: "DISABLED",
          displayName: "google ha",
          labels: { env: "test" },
          redisConfigs: { "maxmemory-policy": "allkeys-lru" },
          persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" },
        },
      }),
      redis.createInstance({ parent: PARENT, instanceId: "g-basic", instance: { tier: "BASIC", memorySizeGb: 1, maintenancePolicy } }),
    ]);
    expect(ha.name).toMatch(/^projects\/default\/locations\/local1\/operations\/operation-/);
    const [created, metadata] = await explained(suite.cp, "g-ha", ha.promise());
    expect(metadata).toMatchObject({ verb: "create", target: nameOf("g-ha"), apiVersion: "v1" });
    expect(created).toMatchObject({
      name: nameOf("g-ha"),
      state: READY,
      tier: Instance.Tier.STANDARD_HA,
      memorySizeGb: 1,
      replicaCount: 1,
      readReplicasMode: Instance.ReadReplicasMode.READ_REPLICAS_ENABLED,
      authEnabled: true,
      transitEncryptionMode: Instance.TransitEncryptionMode.DISABLED,
      displayName: "google ha",
      labels: { env: "test" },
      redisConfigs: { "maxmemory-policy": "allkeys-lru" },
      persistenceConfig: {
        persistenceMode: protos.google.cloud.redis.v1.PersistenceConfig.PersistenceMode.RDB,
        rdbSnapshotPeriod: protos.google.cloud.redis.v1.PersistenceConfig.SnapshotPeriod.ONE_HOUR,
      },
      host: "127.0.0.1",
    });
    expect(created!.nodes).toHaveLength(2);
    const [basicDone] = await explained(suite.cp, "g-basic", basic.promise());
    expect(basicDone).toMatchObject({
      state: READY,
      tier: Instance.Tier.BASIC,
      maintenancePolicy: { weeklyMaintenanceWindow: [{ day: windowDay.getUTCDay() || 7, startTime: { hours: 3 } }] },
    });
  });

  // The locations mixin is not covered: cacheplane has no GET …/locations/{l}, and the client cannot
  // decode listLocations' metadata (google.cloud.redis.v1.LocationMetadata, as Google answers it):
  // its locations mixin knows only the google.cloud.location protos.
  it("reads the Operations (Google's longrunning mixin)", async () => {
    const redis = client();
    const operations: protos.google.longrunning.IOperation[] = [];
    // A request message, not a literal: a literal's filter: "" would be sent as `filter=`, which the
    // native list refuses as an unknown parameter (it has no filter).
    const request = new protos.google.longrunning.ListOperationsRequest({ name: PARENT, pageSize: 1 });
    for await (const op of redis.listOperationsAsync(request)) operations.push(op);
    expect(operations.length).toBeGreaterThanOrEqual(2);
    const create = operations.find((op) => op.done && op.name);
    const [got] = await redis.getOperation(new protos.google.longrunning.GetOperationRequest({ name: create!.name! }));
    expect(got).toMatchObject({ name: create!.name, done: true });
    // The typed check a caller that kept only the Operation's name uses.
    const decoded = await redis.checkCreateInstanceProgress(create!.name!);
    expect(decoded.done).toBe(true);
    expect((decoded.result as protos.google.cloud.redis.v1.IInstance).state).toBe(READY);
  });

  it("gets an instance and its AUTH string, which opens the endpoint", async () => {
    const redis = client();
    const [instance] = await redis.getInstance({ name: nameOf("g-ha") });
    expect(instance).toMatchObject({ name: nameOf("g-ha"), state: "READY", tier: "STANDARD_HA", redisVersion: "REDIS_7_0" });
    const [auth] = await redis.getInstanceAuthString({ name: nameOf("g-ha") });
    expect(auth.authString).toMatch(/.{16,}/);
    const data = endpointClient(instance.host!, instance.port!, auth.authString!);
    try {
      expect(await data.set("from-google", "yes")).toBe("OK");
    } finally {
      data.disconnect();
    }
  });

  it("lists instances page by page, and all of them with auto-pagination", async () => {
    const redis = client();
    const [first, next] = await redis.listInstances({ parent: PARENT, pageSize: 1 }, { autoPaginate: false });
    expect(first).toHaveLength(1);
    expect(next?.pageToken).toBeTruthy();
    const [second, after] = await redis.listInstances({ ...next!, pageSize: 1 }, { autoPaginate: false });
    expect(second).toHaveLength(1);
    expect(after).toBeNull();
    expect([first[0]!.name, second[0]!.name].sort()).toEqual([nameOf("g-basic"), nameOf("g-ha")]);

    const [all] = await redis.listInstances({ parent: PARENT });
    expect(all.map((i) => i.name).sort()).toEqual([nameOf("g-basic"), nameOf("g-ha")]);
    const streamed: string[] = [];
    for await (const instance of redis.listInstancesAsync({ parent: PARENT, pageSize: 1 })) streamed.push(instance.name!);
    expect(streamed.sort()).toEqual([nameOf("g-basic"), nameOf("g-ha")]);
  });

  it("updates the fields of a snake_case multi-path mask, and only those", { timeout: 120_000 }, async () => {
    const redis = client();
    const [op] = await redis.updateInstance({
      updateMask: { paths: ["memory_size_gb", "display_name", "labels", "redis_configs", "replica_count"] },
      instance: {
        name: nameOf("g-ha"),
        memorySizeGb: 2,
        displayName: "renamed",
        labels: { team: "core" },
        redisConfigs: { "maxmemory-policy": "allkeys-lfu" },
        replicaCount: 2,
        // Not in the mask: left as it is.
        authEnabled: false,
      },
    });
    const [updated, metadata] = await explained(suite.cp, "g-ha", op.promise());
    expect(metadata!.verb).toBe("update");
    expect(updated).toMatchObject({ memorySizeGb: 2, displayName: "renamed", replicaCount: 2 });

    const [read] = await redis.getInstance({ name: nameOf("g-ha") });
    expect(read).toMatchObject({
      state: "READY",
      memorySizeGb: 2,
      displayName: "renamed",
      labels: { team: "core" },
      redisConfigs: { "maxmemory-policy": "allkeys-lfu" },
      replicaCount: 2,
      authEnabled: true,
    });
    expect(read.nodes).toHaveLength(3);
    const [auth] = await redis.getInstanceAuthString({ name: nameOf("g-ha") });
    const data = endpointClient(read.host!, read.port!, auth.authString!);
    try {
      expect(await data.config("GET", "maxmemory")).toEqual(["maxmemory", String(2 * 1024 ** 3)]);
      expect(await data.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "allkeys-lfu"]);
    } finally {
      data.disconnect();
    }
  });

  it("updates an instance it fetched and changed (output-only fields sent back are ignored)", async () => {
    const redis = client();
    const [fetched] = await redis.getInstance({ name: nameOf("g-basic") });
    fetched.displayName = "fetched then changed";
    const [op] = await redis.updateInstance({ updateMask: { paths: ["display_name"] }, instance: fetched });
    const [updated] = await op.promise();
    expect(updated).toMatchObject({ displayName: "fetched then changed", tier: Instance.Tier.BASIC, state: READY });
    const [read] = await redis.getInstance({ name: nameOf("g-basic") });
    expect(read).toMatchObject({
      displayName: "fetched then changed",
      maintenancePolicy: { weeklyMaintenanceWindow: [{ day: fetched.maintenancePolicy!.weeklyMaintenanceWindow![0]!.day }] },
    });
  });

  it("fails over to a replica", { timeout: 90_000 }, async () => {
    const before = await native("g-ha");
    const primary = before.nodes.find((n: any) => n.role === "PRIMARY").id;
    const [op] = await client().failoverInstance({ name: nameOf("g-ha"), dataProtectionMode: "LIMITED_DATA_LOSS" });
    const [instance, metadata] = await explained(suite.cp, "g-ha", op.promise());
    expect(metadata!.verb).toBe("failover");
    expect(instance).toMatchObject({ state: READY, host: before.host, port: before.port });
    expect((await native("g-ha")).nodes.find((n: any) => n.role === "PRIMARY").id).not.toBe(primary);
  });

  it("upgrades the engine", { timeout: 120_000 }, async () => {
    const [op] = await client().upgradeInstance({ name: nameOf("g-ha"), redisVersion: "REDIS_7_2" });
    const [instance, metadata] = await explained(suite.cp, "g-ha", op.promise());
    expect(metadata!.verb).toBe("upgrade");
    expect(instance).toMatchObject({ state: READY, redisVersion: NEXT.redisVersion, maintenanceVersion: NEXT.maintenanceVersion });
  });

  it("exports an instance to a bucket and imports the file into another", { timeout: 120_000 }, async () => {
    const redis = client();
    await mkdir(join(suite.cp.bucketsRoot, "google-client"), { recursive: true });
    const [auth] = await redis.getInstanceAuthString({ name: nameOf("g-ha") });
    const ha = await native("g-ha");
    const source = endpointClient(ha.host, ha.port, auth.authString!);
    try {
      await source.set("exported", "by google");
    } finally {
      source.disconnect();
    }
    const uri = "gs://google-client/g-ha.rdb";
    const [exported] = await redis.exportInstance({ name: nameOf("g-ha"), outputConfig: { gcsDestination: { uri } } });
    const [, exportMetadata] = await explained(suite.cp, "g-ha", exported.promise());
    expect(exportMetadata!.verb).toBe("export");
    expect((await readFile(join(suite.cp.bucketsRoot, "google-client", "g-ha.rdb"))).subarray(0, 5).toString()).toBe("REDIS");

    const [imported] = await redis.importInstance({ name: nameOf("g-basic"), inputConfig: { gcsSource: { uri } } });
    const [instance, importMetadata] = await explained(suite.cp, "g-basic", imported.promise());
    expect(importMetadata!.verb).toBe("import");
    expect(instance!.state).toBe(READY);
    const target = endpointClient(instance!.host!, instance!.port!);
    try {
      expect(await target.get("exported")).toBe("by google");
    } finally {
      target.disconnect();
    }
  });

  it("reschedules maintenance to a specific time", { timeout: 90_000 }, async () => {
    const release = await suite.cp.api("POST", `/v1/maintenanceVersions/${PATCH.maintenanceVersion}:release`);
    expect(release.status).toBe(200);
    const scheduled = await explained(
      suite.cp,
      "g-basic",
      waitFor("g-basic's maintenance schedule", async () => {
        const got = await native("g-basic");
        return got.maintenanceSchedule ? got : false;
      }),
    );
    expect(scheduled.maintenanceVersion).toBe(BASE_BUILD.maintenanceVersion);
    const at = new Date(Math.floor((Date.now() + 2 * DAY_MS) / 1000) * 1000);
    const [op] = await client().rescheduleMaintenance({
      name: nameOf("g-basic"),
      rescheduleType: "SPECIFIC_TIME",
      scheduleTime: { seconds: at.getTime() / 1000 },
    });
    const [instance, metadata] = await op.promise();
    expect(metadata!.verb).toBe("rescheduleMaintenance");
    expect(Number(instance!.maintenanceSchedule!.startTime!.seconds)).toBe(at.getTime() / 1000);
    expect((await native("g-basic")).maintenanceSchedule.startTime).toBe(at.toISOString());
  });

  it("answers errors with their gRPC codes", async () => {
    const redis = client();
    expect(await grpcCode(redis.getInstance({ name: nameOf("no-such") }))).toBe(Status.NOT_FOUND);
    expect(await grpcCode(redis.deleteInstance({ name: nameOf("no-such") }))).toBe(Status.NOT_FOUND);
    expect(await grpcCode(redis.createInstance({ parent: PARENT, instanceId: "Bad_Id", instance: { tier: "BASIC", memorySizeGb: 1 } }))).toBe(
      Status.INVALID_ARGUMENT,
    );
    // tier 2 is no Tier in the proto: the number stays a number, and the contract refuses it.
    expect(
      await grpcCode(
        redis.createInstance({ parent: PARENT, instanceId: "bad-tier", instance: { tier: 2 as protos.google.cloud.redis.v1.Instance.Tier, memorySizeGb: 1 } }),
      ),
    ).toBe(Status.INVALID_ARGUMENT);
    expect(await grpcCode(redis.updateInstance({ updateMask: { paths: ["tier"] }, instance: { name: nameOf("g-ha"), tier: "BASIC" } }))).toBe(
      Status.INVALID_ARGUMENT,
    );
    try {
      await redis.createInstance({ parent: PARENT, instanceId: "bad-size", instance: { tier: "BASIC", memorySizeGb: 1000 } });
      expect.unreachable();
    } catch (err: any) {
      expect(err.code).toBe(Status.INVALID_ARGUMENT);
      expect(err.message).toMatch(/memorySizeGb/);
    }
    // A JSON content type with no body is no body: a DELETE reaches its route, a create is told what is missing.
    const raw = (method: string, path: string) =>
      fetch(`${suite.cp.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" } }).then(async (res) => ({
        status: res.status,
        body: await res.json(),
      }));
    expect(await raw("DELETE", `${LOC}/instances/no-such`)).toMatchObject({ status: 404, body: { error: { status: "NOT_FOUND" } } });
    expect(await raw("POST", `${LOC}/instances?instanceId=empty`)).toMatchObject({ status: 400, body: { error: { status: "INVALID_ARGUMENT" } } });
    // Only JSON is served; another encoding is refused in Google's envelope, before anything runs.
    const proto = await suite.cp.api("GET", `${LOC}/instances/g-ha?$alt=proto`);
    expect(proto).toMatchObject({ status: 400, body: { error: { status: "INVALID_ARGUMENT", details: [{ fieldViolations: [{ field: "$alt" }] }] } } });
    expect(await grpcCode(googleClient(suite.cp.url, "cp_not_a_key").getInstance({ name: nameOf("g-ha") }))).toBe(Status.UNAUTHENTICATED);
  });

  it("works with google-auth-library's OAuth2Client holding the key as its access token", async () => {
    // validateStatus: gaxios 7 would throw on an error answer before the client decodes it,
    // leaving the HTTP status (404) as the error's code instead of the gRPC one.
    const authClient = new OAuth2Client({ credentials: { access_token: ADMIN_KEY }, transporterOptions: { validateStatus: () => true } });
    const redis = googleClient(suite.cp.url, ADMIN_KEY, { authClient });
    const [instance] = await redis.getInstance({ name: nameOf("g-ha") });
    expect(instance.state).toBe("READY");
    expect(await grpcCode(redis.getInstance({ name: nameOf("no-such") }))).toBe(Status.NOT_FOUND);
  });

  it("deletes instances; the done Operation carries google.protobuf.Empty", { timeout: 90_000 }, async () => {
    const redis = client();
    const [[ha], [basic]] = await Promise.all([redis.deleteInstance({ name: nameOf("g-ha") }), redis.deleteInstance({ name: nameOf("g-basic") })]);
    const [response, metadata] = await ha.promise();
    expect(metadata!.verb).toBe("delete");
    expect(response).toEqual({});
    await basic.promise();
    expect(await grpcCode(redis.getInstance({ name: nameOf("g-ha") }))).toBe(Status.NOT_FOUND);
    const [left] = await redis.listInstances({ parent: PARENT });
    expect(left).toEqual([]);
  });
});
