// Crash safety of backups and restores: the worker (a real process) is SIGKILLed mid-restore
// and mid-backup. The restored cluster is never ACTIVE half-filled, and after a restart it is
// ACTIVE with every key; the backup resumes and ends ACTIVE with a sound file per shard; no
// loader node or half-written file is left behind.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { LOADER_ORDINAL_BASE } from "@cacheplane/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { clusterClient } from "../support/cluster-traffic.js";
import { leftoversFor } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";
import { spawnWorker, type WorkerProcess } from "../support/worker-process.js";

const LOC = "/v1/projects/default/locations/local1";
const KEYS = 60_000;

describe.each(DRIVERS)("a worker killed mid-restore and mid-backup, with the %s driver", (driver) => {
  let cp: TestControlPlane;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    cp = await startTestControlPlane({ worker: false, driver });
  });
  afterAll(async () => {
    await worker?.kill();
    await cp?.stop();
  }, 60_000);

  const backupsOf = async (uid: string) => cp.prisma.backup.findMany({ where: { collectionUid: uid } });

  it("finishes the restore and the backup it was killed in, losing no key", async () => {
    worker = await spawnWorker(cp);
    const created = await cp.api("POST", `${LOC}/instances?instanceId=crash-src`, { tier: "BASIC", memorySizeGb: 1 });
    await cp.waitOperation(created.body.name);
    const src = (await cp.api("GET", `${LOC}/instances/crash-src`)).body;
    const redis = endpointClient(src.host, src.port);
    for (let i = 0; i < KEYS; i += 10_000) {
      const pipeline = redis.pipeline();
      for (let j = i; j < i + 10_000; j++) pipeline.set(`c:${j}`, `${j}`.padEnd(64, "x"));
      await pipeline.exec();
    }
    redis.disconnect();
    const op = await cp.api("POST", `${LOC}/instances/crash-src:backup`, { backupId: "seed" });
    expect((await cp.waitOperation(op.body.name)).error).toBeUndefined();
    const seed = (await cp.api("GET", `${LOC}/backupCollections/-/backups`)).body.backups.find((b: any) => b.name.endsWith("/seed"));

    // Killed while the restore's loader runs.
    const restore = await cp.api("POST", `${LOC}/clusters?clusterId=crash-dst`, {
      shardCount: 3,
      nodeType: "REDIS_SHARED_CORE_NANO",
      managedBackupSource: { backup: seed.name },
    });
    const row = await cp.prisma.instance.findFirstOrThrow({ where: { instanceId: "crash-dst" } });
    await waitFor("the restore's loader node", async () => (await leftoversFor(cp, `${row.uid}-${LOADER_ORDINAL_BASE}`)).length > 0, 60_000, 2);
    await worker.kill("SIGKILL");
    expect((await cp.api("GET", `${LOC}/clusters/crash-dst`)).body.state).toBe("CREATING");

    worker = await spawnWorker(cp);
    const restored = await cp.waitOperation(restore.body.name, 120);
    expect(restored.error).toBeUndefined();
    expect(restored.response.state).toBe("ACTIVE");
    expect(await leftoversFor(cp, `${row.uid}-${LOADER_ORDINAL_BASE}`)).toEqual([]);
    const cluster = (await cp.api("GET", `${LOC}/clusters/crash-dst`)).body;
    const client = clusterClient(cluster.discoveryEndpoints[0].address, cluster.discoveryEndpoints[0].port);
    try {
      expect(await client.get(`c:${KEYS - 1}`)).toBe(`${KEYS - 1}`.padEnd(64, "x")); // connects, and learns the slots
      const sizes = await Promise.all(client.nodes("master").map((n) => n.dbsize()));
      expect(sizes).toHaveLength(3);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(KEYS);
    } finally {
      client.disconnect();
    }

    // Killed once one shard of the cluster's backup is saved.
    const backup = await cp.api("POST", `${LOC}/clusters/crash-dst:backup`, { backupId: "mid" });
    await waitFor(
      "one shard saved",
      async () => {
        const [b] = (await backupsOf(row.uid)).filter((x) => x.backupId === "mid");
        return b && (b.files as unknown[]).length >= 1;
      },
      60_000,
      1,
    );
    await worker.kill("SIGKILL");
    // Killed mid-backup indeed: not every shard was saved.
    const [killedAt] = (await backupsOf(row.uid)).filter((x) => x.backupId === "mid");
    expect(killedAt!.state).toBe("CREATING");
    worker = await spawnWorker(cp);
    const backedUp = await cp.waitOperation(backup.body.name, 60);
    expect(backedUp.error).toBeUndefined();
    const [mid] = (await backupsOf(row.uid)).filter((x) => x.backupId === "mid");
    expect(mid!.state).toBe("ACTIVE");
    expect((mid!.files as { shard: number }[]).map((f) => f.shard).sort()).toEqual([0, 1, 2]);
    // Only whole, sealed files: no partial download or plaintext left.
    const files = await readdir(join(cp.dataDir, "backups", mid!.uid));
    expect(files.sort()).toEqual(["shard-0001.rdb", "shard-0002.rdb", "shard-0003.rdb"]);

    // The resumed backup is sound: restored into an instance, every key is there.
    const into = await cp.api("POST", `${LOC}/instances?instanceId=crash-check`, { tier: "BASIC", memorySizeGb: 1 });
    await cp.waitOperation(into.body.name);
    const name = `projects/default/locations/local1/backupCollections/${row.uid}/backups/mid`;
    const imported = await cp.api("POST", `${LOC}/instances/crash-check:import`, { inputConfig: { managedBackupSource: { backup: name } } });
    expect((await cp.waitOperation(imported.body.name, 60)).error).toBeUndefined();
    const check = (await cp.api("GET", `${LOC}/instances/crash-check`)).body;
    const r = endpointClient(check.host, check.port);
    try {
      expect(await r.dbsize()).toBe(KEYS);
    } finally {
      r.disconnect();
    }
    await worker.kill("SIGTERM");
    worker = undefined;
  }, 240_000);
});
