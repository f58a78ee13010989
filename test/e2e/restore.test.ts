// Restores end to end on real nodes: an instance's backup into a 3-shard cluster, a cluster's
// backup into an instance, an exported RDB imported into another instance (replacing its data),
// and every failure the docs promise — each leaving the target as it was.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { clusterClient } from "../support/cluster-traffic.js";
import { waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";

const LOC = "/v1/projects/default/locations/local1";

describe.each(DRIVERS)("restores with the %s driver", (driver) => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane({ driver });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  async function instanceWith(id: string, keys: number, prefix: string, shape: object = { tier: "BASIC" }) {
    const created = await cp.api("POST", `${LOC}/instances?instanceId=${id}`, { memorySizeGb: 1, ...shape });
    await cp.waitOperation(created.body.name);
    const inst = (await cp.api("GET", `${LOC}/instances/${id}`)).body;
    inst.password = inst.authEnabled ? (await cp.api("GET", `${LOC}/instances/${id}/authString`)).body.authString : undefined;
    const redis = endpointClient(inst.host, inst.port, inst.password);
    const pipeline = redis.pipeline();
    for (let i = 0; i < keys; i++) pipeline.set(`${prefix}:${i}`, `v${i}`);
    pipeline.hset(`${prefix}:hash`, { field: "value" });
    pipeline.set(`${prefix}:ttl`, "x", "EX", 3600);
    await pipeline.exec();
    redis.disconnect();
    return inst;
  }

  async function backupOf(kind: "instances" | "clusters", id: string, backupId: string) {
    const op = await cp.api("POST", `${LOC}/${kind}/${id}:backup`, { backupId });
    expect((await cp.waitOperation(op.body.name, 60)).error).toBeUndefined();
    const backups = (await cp.api("GET", `${LOC}/backupCollections/-/backups`)).body.backups;
    return backups.find((b: any) => b.name.endsWith(`/backups/${backupId}`));
  }

  it("restores an instance's backup into a 3-shard cluster, each key on the shard owning its slot", async () => {
    await instanceWith("src", 3000, "s");
    const backup = await backupOf("instances", "src", "to-cluster");
    const created = await cp.api("POST", `${LOC}/clusters?clusterId=restored`, {
      shardCount: 3,
      nodeType: "REDIS_SHARED_CORE_NANO",
      managedBackupSource: { backup: backup.name },
    });
    expect(created.status).toBe(200);
    const done = await cp.waitOperation(created.body.name, 90);
    expect(done.error).toBeUndefined();
    expect(done.response.state).toBe("ACTIVE");
    const cluster = (await cp.api("GET", `${LOC}/clusters/restored`)).body;
    const client = clusterClient(cluster.discoveryEndpoints[0].address, cluster.discoveryEndpoints[0].port);
    try {
      const sample = Array.from({ length: 3000 }, (_, i) => `s:${i}`);
      for (let i = 0; i < sample.length; i += 500) {
        const keys = sample.slice(i, i + 500);
        const values = await Promise.all(keys.map((k) => client.get(k)));
        expect(values.filter((v, j) => v !== `v${i + j}`)).toEqual([]);
      }
      expect(await client.hget("s:hash", "field")).toBe("value");
      expect(await client.ttl("s:ttl")).toBeGreaterThan(3000);
      // Spread over the shards, not piled on one.
      const sizes = await Promise.all(client.nodes("master").map((n) => n.dbsize()));
      expect(sizes).toHaveLength(3);
      expect(Math.min(...sizes)).toBeGreaterThan(500);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(3002);
    } finally {
      client.disconnect();
    }
    const events = (await cp.api("GET", `${LOC}/clusters/restored/events`)).body.events;
    expect(events.some((e: any) => e.type === "DATA_IMPORTED" && /3002 keys/.test(e.message))).toBe(true);

    // And back: the cluster's backup imported into an instance, replacing what it held.
    const clusterBackup = await backupOf("clusters", "restored", "to-instance");
    expect(clusterBackup.backupFiles).toHaveLength(3);
    const target = await instanceWith("dst", 10, "old");
    const imported = await cp.api("POST", `${LOC}/instances/dst:import`, { inputConfig: { managedBackupSource: { backup: clusterBackup.name } } });
    expect(imported.status).toBe(200);
    expect((await cp.api("GET", `${LOC}/instances/dst`)).body.state).toBe("IMPORTING");
    const importDone = await cp.waitOperation(imported.body.name, 60);
    expect(importDone.error).toBeUndefined();
    expect(importDone.response.state).toBe("READY");
    const redis = endpointClient(target.host, target.port);
    try {
      expect(await redis.dbsize()).toBe(3002);
      expect(await redis.get("old:1")).toBeNull();
      expect(await redis.get("s:2999")).toBe("v2999");
    } finally {
      redis.disconnect();
    }
  });

  it("exports an instance to a bucket and imports that file into an HA instance with AUTH, replacing its data on every node", async () => {
    await instanceWith("exp-src", 500, "e");
    const exported = await cp.api("POST", `${LOC}/instances/exp-src:export`, { outputConfig: { gcsDestination: { uri: "gs://my-bucket/dumps/exp.rdb" } } });
    expect(exported.status).toBe(200);
    const done = await cp.waitOperation(exported.body.name);
    expect(done.error).toBeUndefined();
    const file = await readFile(join(cp.bucketsRoot, "my-bucket", "dumps", "exp.rdb"));
    expect(file.subarray(0, 5).toString()).toBe("REDIS");

    const target = await instanceWith("imp-dst", 5, "gone", { tier: "STANDARD_HA", replicaCount: 1, authEnabled: true });
    const op = await cp.api("POST", `${LOC}/instances/imp-dst:import`, { inputConfig: { gcsSource: { uri: "gs://my-bucket/dumps/exp.rdb" } } });
    expect((await cp.waitOperation(op.body.name)).error).toBeUndefined();
    // The primary is the one it was, a primary again, and its replica has the data too.
    const after = (await cp.api("GET", `${LOC}/instances/imp-dst`)).body;
    expect(after.nodes.find((n: any) => n.role === "PRIMARY").id).toBe(target.nodes.find((n: any) => n.role === "PRIMARY").id);
    const redis = endpointClient(target.host, target.port, target.password);
    const replicaNode = after.nodes.find((n: any) => n.role === "REPLICA");
    const replica = endpointClient(replicaNode.host, replicaNode.port, target.password);
    try {
      expect(await redis.dbsize()).toBe(502);
      expect(await redis.get("gone:0")).toBeNull();
      expect(await redis.get("e:499")).toBe("v499");
      expect(await redis.set("after-import", "1")).toBe("OK");
      await waitFor("the replica to have the imported data", async () => (await replica.dbsize()) === 503);
      expect(await replica.get("e:499")).toBe("v499");
    } finally {
      redis.disconnect();
      replica.disconnect();
    }
  });

  it("fails a restore that cannot succeed with the documented error, leaving the target as it was", async () => {
    const target = await instanceWith("keep", 50, "k");
    const unchanged = async () => {
      const redis = endpointClient(target.host, target.port);
      try {
        return (await redis.dbsize()) === 52 && (await redis.get("k:49")) === "v49";
      } finally {
        redis.disconnect();
      }
    };
    const importOp = async (uri: string) => {
      const op = await cp.api("POST", `${LOC}/instances/keep:import`, { inputConfig: { gcsSource: { uri } } });
      expect(op.status, JSON.stringify(op.body)).toBe(200);
      return cp.waitOperation(op.body.name);
    };

    // Refused at once: a path that leaves the buckets root, no source, two sources.
    for (const uri of ["gs://b/../../etc/passwd", "gs://b/a//b", "/etc/passwd", "gs://B/x"]) {
      const res = await cp.api("POST", `${LOC}/instances/keep:import`, { inputConfig: { gcsSource: { uri } } });
      expect(res.status, uri).toBe(400);
      expect(res.body.error.status).toBe("INVALID_ARGUMENT");
    }
    expect((await cp.api("POST", `${LOC}/instances/keep:import`, { inputConfig: {} })).status).toBe(400);

    // Missing object: NOT_FOUND.
    const missing = await importOp("gs://bucket-a/nothing.rdb");
    expect(missing.error).toMatchObject({ code: 5 });
    expect(await unchanged()).toBe(true);
    expect((await cp.api("GET", `${LOC}/instances/keep`)).body.state).toBe("READY");

    // Not an RDB: INVALID_ARGUMENT, with a message that says so.
    await mkdir(join(cp.bucketsRoot, "bucket-a"), { recursive: true });
    await writeFile(join(cp.bucketsRoot, "bucket-a", "notes.txt"), "hello, not a database\n");
    const notRdb = await importOp("gs://bucket-a/notes.txt");
    expect(notRdb.error.code).toBe(3);
    expect(notRdb.error.message).toMatch(/not an RDB/);
    expect(await unchanged()).toBe(true);

    // A symlink out of the root: INVALID_ARGUMENT.
    const { symlink } = await import("node:fs/promises");
    await symlink("/etc/hostname", join(cp.bucketsRoot, "bucket-a", "escape.rdb"));
    expect((await importOp("gs://bucket-a/escape.rdb")).error.code).toBe(3);
    expect(await unchanged()).toBe(true);

    // A tampered backup: DATA_LOSS, and a cluster being made from it is removed.
    const backup = await backupOf("instances", "keep", "tampered");
    const dir = join(cp.dataDir, "backups", backup.uid);
    const [sealedName] = await readdir(dir);
    const sealed = await readFile(join(dir, sealedName!));
    sealed[Math.floor(sealed.length / 2)]! ^= 0x01;
    await writeFile(join(dir, sealedName!), sealed);
    const tamperedImport = await cp.api("POST", `${LOC}/instances/keep:import`, { inputConfig: { managedBackupSource: { backup: backup.name } } });
    const tamperedDone = await cp.waitOperation(tamperedImport.body.name);
    expect(tamperedDone.error.code).toBe(15);
    expect(tamperedDone.error.message).toMatch(/integrity/);
    expect(await unchanged()).toBe(true);
    const fromTampered = await cp.api("POST", `${LOC}/clusters?clusterId=from-tampered`, {
      shardCount: 1,
      nodeType: "REDIS_SHARED_CORE_NANO",
      managedBackupSource: { backup: backup.name },
    });
    const clusterDone = await cp.waitOperation(fromTampered.body.name, 60);
    expect(clusterDone.error.message).toMatch(/integrity/);
    await waitFor("the half-restored cluster to be removed", async () => (await cp.api("GET", `${LOC}/clusters/from-tampered`)).status === 404, 30_000);

    // Names: an existing cluster id, an unknown backup, a malformed one.
    const again = await cp.api("POST", `${LOC}/clusters?clusterId=restored-twice`, { shardCount: 1, nodeType: "REDIS_SHARED_CORE_NANO" });
    await cp.waitOperation(again.body.name, 60);
    const exists = await cp.api("POST", `${LOC}/clusters?clusterId=restored-twice`, { shardCount: 1, managedBackupSource: { backup: backup.name } });
    expect(exists.status).toBe(409);
    const unknown = await cp.api("POST", `${LOC}/clusters?clusterId=nope`, { shardCount: 1, managedBackupSource: { backup: `${backup.name}x` } });
    expect(unknown.status).toBe(404);
    const malformed = await cp.api("POST", `${LOC}/clusters?clusterId=nope`, { shardCount: 1, managedBackupSource: { backup: "backups/x" } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/managedBackupSource/);
  });
});
