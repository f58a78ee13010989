// The Cluster resource on the native API: shapes, defaults, idempotency and every documented
// refusal, against the real api and Postgres. No worker, so clusters stay CREATING unless a
// test marks a row converged itself (as the worker would).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";

const LOC = "/v1/projects/default/locations/local1";
const BASE = `${LOC}/clusters`;
let cp: TestControlPlane;

beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false });
});
afterAll(async () => {
  await cp?.stop();
});

const three = { shardCount: 3, replicaCount: 1 };

function expectError(res: { status: number; body: any }, status: string, code: number) {
  expect(res.status).toBe(code);
  expect(res.body.error).toMatchObject({ status, code });
}

function expectInvalid(res: { status: number; body: any }, field: string) {
  expectError(res, "INVALID_ARGUMENT", 400);
  const fields = res.body.error.details?.[0]?.fieldViolations?.map((v: any) => v.field) ?? [];
  expect(fields).toContain(field);
  expect(res.body.error.message).toContain(field);
}

async function create(id: string, body: unknown = three) {
  const res = await cp.api("POST", `${BASE}?clusterId=${id}`, body);
  expect(res.status).toBe(200);
  return res.body;
}

const rowOf = (id: string) =>
  cp.prisma.instance.findUniqueOrThrow({
    where: { projectId_locationId_kind_instanceId: { projectId: "default", locationId: "local1", kind: "CLUSTER", instanceId: id } },
  });

/** What the worker records when a cluster has converged. */
async function markActive(id: string) {
  const row = await rowOf(id);
  await cp.prisma.instance.update({ where: { uid: row.uid }, data: { state: "READY", observedGeneration: row.generation } });
}

describe("cluster create and read", () => {
  it("answers an Operation targeting the cluster and shows it CREATING with defaults, without slots", async () => {
    const op = await create("c-one", { shardCount: 3 });
    expect(op).toMatchObject({
      done: false,
      metadata: {
        "@type": "type.googleapis.com/google.cloud.redis.cluster.v1.OperationMetadata",
        target: "projects/default/locations/local1/clusters/c-one",
        verb: "create",
        apiVersion: "v1",
      },
    });
    const got = await cp.api("GET", `${BASE}/c-one`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      name: "projects/default/locations/local1/clusters/c-one",
      state: "CREATING",
      shardCount: 3,
      replicaCount: 0,
      nodeType: "REDIS_HIGHMEM_MEDIUM",
      sizeGb: 39,
      preciseSizeGb: 39,
      authorizationMode: "AUTH_MODE_DISABLED",
      transitEncryptionMode: "TRANSIT_ENCRYPTION_MODE_DISABLED",
      persistenceConfig: { mode: "DISABLED" },
      zoneDistributionConfig: { mode: "MULTI_ZONE" },
      deletionProtectionEnabled: false,
      redisConfigs: {},
      labels: {},
      statusMessage: "Creating the cluster",
    });
    expect(got.body.uid).toMatch(/^[0-9a-f-]{36}$/);
    // Our addition: the engine, at the newest released maintenance version.
    expect(got.body).toMatchObject({ redisVersion: "REDIS_7_0", maintenanceVersion: "20261101_00_00", availableMaintenanceVersions: [] });
    expect(got.body.discoveryEndpoints).toBeUndefined();
    expect(got.body.shards).toEqual([
      { id: "0001", nodes: [] },
      { id: "0002", nodes: [] },
      { id: "0003", nodes: [] },
    ]);
  });

  it("stores the normalized spec, defaults filled in, as the worker reads it", async () => {
    await create("c-stored", {
      shardCount: 2,
      replicaCount: 2,
      nodeType: "REDIS_SHARED_CORE_NANO",
      persistenceConfig: { mode: "AOF" },
      zoneDistributionConfig: { mode: "SINGLE_ZONE", zone: "local1-b" },
      labels: { team: "a" },
      redisConfigs: { "maxmemory-policy": "allkeys-lru" },
      // Output-only fields a client sends back are ignored.
      state: "ACTIVE",
      sizeGb: 1000,
    });
    const row = await rowOf("c-stored");
    expect(row.kind).toBe("CLUSTER");
    expect(row.spec).toEqual({
      shardCount: 2,
      replicaCount: 2,
      nodeType: "REDIS_SHARED_CORE_NANO",
      redisVersion: "REDIS_7_0",
      authorizationMode: "AUTH_MODE_DISABLED",
      transitEncryptionMode: "TRANSIT_ENCRYPTION_MODE_DISABLED",
      persistenceConfig: { mode: "AOF", aofConfig: { appendFsync: "EVERYSEC" } },
      redisConfigs: { "maxmemory-policy": "allkeys-lru" },
      zoneDistributionConfig: { mode: "SINGLE_ZONE", zone: "local1-b" },
      deletionProtectionEnabled: false,
      aclName: "open-access",
      automatedBackupConfig: { automatedBackupMode: "DISABLED", retention: "3024000s" },
      labels: { team: "a" },
      maintenanceVersion: "20261101_00_00",
    });
    const got = await cp.api("GET", `${BASE}/c-stored`);
    expect(got.body).toMatchObject({ state: "CREATING", sizeGb: 3, preciseSizeGb: 2.8 });

    await create("c-rdb", { shardCount: 1, persistenceConfig: { mode: "RDB", rdbConfig: {} } });
    expect((await rowOf("c-rdb")).spec).toMatchObject({ persistenceConfig: { mode: "RDB", rdbConfig: { rdbSnapshotPeriod: "TWENTY_FOUR_HOURS" } } });
  });

  it("shows the slots the worker observed each shard serve, not a layout it assumes", async () => {
    await create("c-active");
    await markActive("c-active");
    const slotRanges = { 0: ["0-4095", "5000-5461"], 1: ["5462-10922"], 2: ["4096-4999", "10923-16383"] };
    await cp.prisma.instance.update({ where: { uid: (await rowOf("c-active")).uid }, data: { slotRanges } });
    const got = await cp.api("GET", `${BASE}/c-active`);
    expect(got.body.state).toBe("ACTIVE");
    expect(got.body.shards.map((s: any) => s.slots)).toEqual([slotRanges[0], slotRanges[1], slotRanges[2]]);
  });

  it("returns the same Operation for a retried requestId, even concurrently", async () => {
    const first = await cp.api("POST", `${BASE}?clusterId=c-idem&requestId=creq-1`, three);
    const second = await cp.api("POST", `${BASE}?clusterId=c-idem&requestId=creq-1`, three);
    expect(second.status).toBe(200);
    expect(second.body.name).toBe(first.body.name);
    const racing = await Promise.all([1, 2, 3, 4].map(() => cp.api("POST", `${BASE}?clusterId=c-race&requestId=creq-race`, three)));
    expect(new Set(racing.map((r) => r.status))).toEqual(new Set([200]));
    expect(new Set(racing.map((r) => r.body.name)).size).toBe(1);
    expectError(await cp.api("POST", `${BASE}?clusterId=c-idem`, three), "ALREADY_EXISTS", 409);
  });

  it("keeps cluster and instance ids apart", async () => {
    expect((await cp.api("POST", `${LOC}/instances?instanceId=shared-id`, { tier: "BASIC", memorySizeGb: 1 })).status).toBe(200);
    await create("shared-id");
    expect((await cp.api("GET", `${LOC}/instances/shared-id`)).body.tier).toBe("BASIC");
    expect((await cp.api("GET", `${BASE}/shared-id`)).body.shardCount).toBe(3);
    const instances = (await cp.api("GET", `${LOC}/instances`)).body.instances.map((i: any) => i.name);
    expect(instances.every((n: string) => n.includes("/instances/"))).toBe(true);
  });

  it("pages through clusters only, with opaque tokens", async () => {
    for (const id of ["page-a", "page-b", "page-c"]) await create(id, { shardCount: 1 });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const res = await cp.api("GET", `${BASE}?pageSize=2${token ? `&pageToken=${token}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.clusters.length).toBeLessThanOrEqual(2);
      expect(res.body.unreachable).toEqual([]);
      seen.push(...res.body.clusters.map((c: any) => c.name.split("/").pop()));
      token = res.body.nextPageToken;
    } while (token);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(["page-a", "page-b", "page-c", "shared-id"]));
    expect(new Set(seen).size).toBe(seen.length);
    expectInvalid(await cp.api("GET", `${BASE}?pageToken=garbage`), "pageToken");
  });

  it("answers 404 for an unknown cluster or location", async () => {
    expectError(await cp.api("GET", `${BASE}/nope`), "NOT_FOUND", 404);
    expectError(await cp.api("PATCH", `${BASE}/nope?updateMask=labels`, { labels: {} }), "NOT_FOUND", 404);
    expectError(await cp.api("DELETE", `${BASE}/nope`), "NOT_FOUND", 404);
    expectError(await cp.api("POST", `${BASE}/nope:failoverShard`, { shard: "0001" }), "NOT_FOUND", 404);
    expectError(await cp.api("GET", `${BASE}/nope/events`), "NOT_FOUND", 404);
    expectError(await cp.api("GET", `/v1/projects/default/locations/mars/clusters`), "NOT_FOUND", 404);
  });

  it("lists the cluster's events", async () => {
    const res = await cp.api("GET", `${BASE}/c-one/events`);
    expect(res.status).toBe(200);
    expect(res.body.events[0]).toMatchObject({ type: "CREATE_REQUESTED", message: expect.stringContaining("3 shards") });
  });
});

describe("cluster create validation", () => {
  it("rejects out-of-range counts, unknown enums and unknown fields, naming the field", async () => {
    expectInvalid(await cp.api("POST", `${BASE}?clusterId=bad`, { shardCount: 0 }), "shardCount");
    expectInvalid(await cp.api("POST", `${BASE}?clusterId=bad`, { shardCount: 65 }), "shardCount");
    expectInvalid(await cp.api("POST", `${BASE}?clusterId=bad`, { shardCount: 1.5 }), "shardCount");
    expectInvalid(await cp.api("POST", `${BASE}?clusterId=bad`, { shardCount: 3, replicaCount: 6 }), "replicaCount");
    expectInvalid(await cp.api("POST", `${BASE}?clusterId=bad`, { shardCount: 3, nodeType: "REDIS_HUGE" }), "nodeType");
    expectInvalid(await cp.api("POST", `${BASE}?clusterId=bad`, { shardCount: 3, colour: "blue" }), "colour");
    // A version of the enum this control plane does not offer.
    expectInvalid(await cp.api("POST", `${BASE}?clusterId=bad`, { shardCount: 3, redisVersion: "REDIS_6_X" }), "redisVersion");
    expectInvalid(await cp.api("POST", `${BASE}?clusterId=bad`, { shardCount: 3, redisVersion: "REDIS_9_9" }), "redisVersion");
    expectInvalid(
      await cp.api("POST", `${BASE}?clusterId=bad`, { shardCount: 3, persistenceConfig: { mode: "RDB", rdbConfig: { rdbSnapshotPeriod: "HOURLY" } } }),
      "persistenceConfig.rdbConfig.rdbSnapshotPeriod",
    );
  });

  it("requires shardCount and refuses what is not available here", async () => {
    expectInvalid(await cp.api("POST", `${BASE}?clusterId=bad`, { replicaCount: 1 }), "shardCount");
    expectInvalid(await cp.api("POST", `${BASE}?clusterId=bad`, { shardCount: 3, authorizationMode: "AUTH_MODE_IAM_AUTH" }), "authorizationMode");
    // TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION is available: test/e2e/tls.test.ts.
  });

  it("checks the zone distribution and persistence sub-configs", async () => {
    const zdc = (zoneDistributionConfig: unknown) => cp.api("POST", `${BASE}?clusterId=bad`, { shardCount: 3, zoneDistributionConfig });
    expectInvalid(await zdc({ mode: "SINGLE_ZONE" }), "zoneDistributionConfig.zone");
    expectInvalid(await zdc({ mode: "SINGLE_ZONE", zone: "mars-a" }), "zoneDistributionConfig.zone");
    expectInvalid(await zdc({ mode: "MULTI_ZONE", zone: "local1-a" }), "zoneDistributionConfig.zone");
    expectInvalid(
      await cp.api("POST", `${BASE}?clusterId=bad`, { shardCount: 3, persistenceConfig: { mode: "RDB", aofConfig: {} } }),
      "persistenceConfig.aofConfig",
    );
  });

  it("rejects bad ids", async () => {
    expectInvalid(await cp.api("POST", `${BASE}?clusterId=Bad_Id`, three), "clusterId");
    expectInvalid(await cp.api("POST", `${BASE}?clusterId=${"a".repeat(64)}`, three), "clusterId");
    expectInvalid(await cp.api("POST", BASE, three), "clusterId");
    expectInvalid(await cp.api("POST", `${BASE}?instanceId=x1`, three), "instanceId");
    expectInvalid(await cp.api("GET", `${BASE}/-bad-`), "cluster");
    // Memorystore allows cluster ids of up to 63 characters.
    await create("c".repeat(63), { shardCount: 1 });
    expect(await cp.prisma.instance.count({ where: { kind: "CLUSTER", instanceId: "bad" } })).toBe(0);
  });
});

describe("cluster update", () => {
  it("rejects a missing or non-updatable updateMask", async () => {
    await create("c-patch");
    expectInvalid(await cp.api("PATCH", `${BASE}/c-patch`, { labels: {} }), "updateMask");
    expectInvalid(await cp.api("PATCH", `${BASE}/c-patch?updateMask=zoneDistributionConfig`, { zoneDistributionConfig: { mode: "MULTI_ZONE" } }), "updateMask");
    expectInvalid(await cp.api("PATCH", `${BASE}/c-patch?updateMask=authorizationMode`, {}), "updateMask");
    expectInvalid(await cp.api("PATCH", `${BASE}/c-patch?updateMask=labels`, { labels: { "Bad Key": "v" } }), "labels.Bad Key");
  });

  it("updates labels and other settings at any time, snake_case paths too", async () => {
    const op = await cp.api("PATCH", `${BASE}/c-patch?updateMask=labels,redis_configs`, { labels: { env: "dev" }, redisConfigs: { timeout: "30" } });
    expect(op.status).toBe(200);
    expect(op.body.metadata).toMatchObject({ verb: "update", target: "projects/default/locations/local1/clusters/c-patch" });
    const row = await rowOf("c-patch");
    expect(row.generation).toBe(2);
    expect(row.spec).toMatchObject({ labels: { env: "dev" }, redisConfigs: { timeout: "30" }, shardCount: 3 });
  });

  it("allows one resharding or scaling at a time", async () => {
    await create("c-scale");
    // Still CREATING: nothing has converged yet.
    const early = await cp.api("PATCH", `${BASE}/c-scale?updateMask=replicaCount`, { replicaCount: 2 });
    expectError(early, "FAILED_PRECONDITION", 400);
    expect(early.body.error.message).toBe("a resharding or scaling of this cluster is in progress; retry when it is ACTIVE");

    await markActive("c-scale");
    expect((await cp.api("PATCH", `${BASE}/c-scale?updateMask=shardCount`, { shardCount: 4 })).status).toBe(200);
    const got = await cp.api("GET", `${BASE}/c-scale`);
    expect(got.body).toMatchObject({ state: "UPDATING", stateInfo: { updateInfo: { targetShardCount: 4, targetReplicaCount: 1 } } });
    expect(got.body.shards.every((s: any) => s.slots === undefined)).toBe(true);

    expectError(await cp.api("PATCH", `${BASE}/c-scale?updateMask=shard_count`, { shardCount: 5 }), "FAILED_PRECONDITION", 400);
    expectError(await cp.api("PATCH", `${BASE}/c-scale?updateMask=replicaCount`, { replicaCount: 0 }), "FAILED_PRECONDITION", 400);
    // Other fields are not held up by a reshard.
    expect((await cp.api("PATCH", `${BASE}/c-scale?updateMask=labels`, { labels: { a: "b" } })).status).toBe(200);
    expect((await rowOf("c-scale")).spec).toMatchObject({ shardCount: 4 });

    await markActive("c-scale");
    expect((await cp.api("PATCH", `${BASE}/c-scale?updateMask=shardCount`, { shardCount: 2 })).status).toBe(200);
  });

  it("starts a reshard while only settings applied in place are still reaching the nodes", async () => {
    await create("c-inplace");
    await markActive("c-inplace");
    // A parameter change, then at once the shard count (Terraform's order for a parameter group
    // and its cluster changed in one apply): both accepted, one converge reaches both.
    expect(
      (await cp.api("PATCH", `${BASE}/c-inplace?updateMask=redisConfigs,labels`, { redisConfigs: { "maxmemory-policy": "volatile-lru" }, labels: { a: "b" } }))
        .status,
    ).toBe(200);
    expect((await rowOf("c-inplace")).state).toBe("UPDATING");
    expect((await cp.api("PATCH", `${BASE}/c-inplace?updateMask=shardCount`, { shardCount: 4 })).status).toBe(200);
    expect((await rowOf("c-inplace")).spec).toMatchObject({ shardCount: 4, redisConfigs: { "maxmemory-policy": "volatile-lru" } });
    // The reshard not reached yet holds the next one, though a setting came after it.
    expect((await cp.api("PATCH", `${BASE}/c-inplace?updateMask=redisConfigs`, { redisConfigs: {} })).status).toBe(200);
    expectError(await cp.api("PATCH", `${BASE}/c-inplace?updateMask=replicaCount`, { replicaCount: 2 }), "FAILED_PRECONDITION", 400);

    // A node type change is not in place: a reshard waits for it too.
    await markActive("c-inplace");
    expect((await cp.api("PATCH", `${BASE}/c-inplace?updateMask=nodeType`, { nodeType: "REDIS_STANDARD_SMALL" })).status).toBe(200);
    expectError(await cp.api("PATCH", `${BASE}/c-inplace?updateMask=shardCount`, { shardCount: 3 }), "FAILED_PRECONDITION", 400);

    // An unreached generation with no open update of its own (its Operation deleted) holds it too.
    await markActive("c-inplace");
    expect((await cp.api("PATCH", `${BASE}/c-inplace?updateMask=labels`, { labels: {} })).status).toBe(200);
    const row = await rowOf("c-inplace");
    await cp.prisma.operation.deleteMany({ where: { instanceUid: row.uid, done: false, targetGeneration: row.generation } });
    expectError(await cp.api("PATCH", `${BASE}/c-inplace?updateMask=shardCount`, { shardCount: 3 }), "FAILED_PRECONDITION", 400);
  });

  it("validates the merged spec: a named but absent shardCount is cleared, hence missing", async () => {
    await markActive("c-patch");
    expectInvalid(await cp.api("PATCH", `${BASE}/c-patch?updateMask=shardCount`, {}), "shardCount");
    expectInvalid(await cp.api("PATCH", `${BASE}/c-patch?updateMask=shardCount`, { shardCount: 65 }), "shardCount");
  });
});

describe("cluster delete", () => {
  it("is refused while deletionProtectionEnabled, and works once it is turned off", async () => {
    await create("c-guarded", { shardCount: 1, deletionProtectionEnabled: true });
    const refused = await cp.api("DELETE", `${BASE}/c-guarded`);
    expectError(refused, "FAILED_PRECONDITION", 400);
    expect(refused.body.error.message).toContain("deletionProtectionEnabled");
    expect((await rowOf("c-guarded")).deleteRequested).toBe(false);

    expect((await cp.api("PATCH", `${BASE}/c-guarded?updateMask=deletionProtectionEnabled`, { deletionProtectionEnabled: false })).status).toBe(200);
    const op = await cp.api("DELETE", `${BASE}/c-guarded?requestId=del-1`);
    expect(op.status).toBe(200);
    expect(op.body.metadata).toMatchObject({ verb: "delete", target: "projects/default/locations/local1/clusters/c-guarded" });
    expect((await cp.api("DELETE", `${BASE}/c-guarded?requestId=del-1`)).body.name).toBe(op.body.name);
    expect((await cp.api("GET", `${BASE}/c-guarded`)).body.state).toBe("DELETING");
    expectError(await cp.api("PATCH", `${BASE}/c-guarded?updateMask=labels`, { labels: {} }), "FAILED_PRECONDITION", 400);
  });
});

describe("cluster failoverShard", () => {
  it("needs replicas", async () => {
    await create("c-noreplica", { shardCount: 3 });
    expectError(await cp.api("POST", `${BASE}/c-noreplica:failoverShard`, { shard: "0001" }), "FAILED_PRECONDITION", 400);
  });

  it("needs a shard the cluster has, as a shard id", async () => {
    await create("c-fail", three);
    expectInvalid(await cp.api("POST", `${BASE}/c-fail:failoverShard`, { shard: "0009" }), "shard");
    expectInvalid(await cp.api("POST", `${BASE}/c-fail:failoverShard`, { shard: "0000" }), "shard");
    expectInvalid(await cp.api("POST", `${BASE}/c-fail:failoverShard`, { shard: 1 }), "shard");
    expectInvalid(await cp.api("POST", `${BASE}/c-fail:failoverShard`, {}), "shard");
    expectInvalid(await cp.api("POST", `${BASE}/c-fail:failoverShard`, { shard: "0001", dataProtectionMode: "MAYBE" }), "dataProtectionMode");
  });

  it("records the failover on the row with a new generation, once, replayable", async () => {
    const op = await cp.api("POST", `${BASE}/c-fail:failoverShard?requestId=fo-1`, { shard: "0003", dataProtectionMode: "FORCE_DATA_LOSS" });
    expect(op.status).toBe(200);
    expect(op.body.metadata).toMatchObject({ verb: "failoverShard", target: "projects/default/locations/local1/clusters/c-fail" });
    const row = await rowOf("c-fail");
    expect(row).toMatchObject({ failoverMode: "FORCE_DATA_LOSS", failoverShard: 2, generation: 2 });
    expect((await cp.api("POST", `${BASE}/c-fail:failoverShard?requestId=fo-1`, { shard: "0003" })).body.name).toBe(op.body.name);
    expectError(await cp.api("POST", `${BASE}/c-fail:failoverShard`, { shard: "0001" }), "ABORTED", 409);
  });
});
