// A delete with a final backup (DELETE …/clusters/{c}?finalBackupId=, MemoryDB's FinalSnapshotName)
// whose worker (a real process) is SIGKILLed once the first shard of the final backup is saved:
// every node still runs then, and a new worker finishes both, the backup ACTIVE with a sound file
// per shard and then the cluster gone, nothing of it left on the machine. Process driver: the
// path is the reconcile's, the same for both drivers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { clusterClient } from "../support/cluster-traffic.js";
import { leftoversFor, runningFor } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";
import { spawnWorker, type WorkerProcess } from "../support/worker-process.js";

const LOC = "/v1/projects/default/locations/local1";
// Enough data that saving a shard takes a while: the kill lands between two shards.
const KEYS = 60_000;

describe("a worker killed during a delete's final backup", () => {
  let cp: TestControlPlane;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    cp = await startTestControlPlane({ worker: false });
  });
  afterAll(async () => {
    await worker?.kill();
    await cp?.stop();
  }, 60_000);

  it("finishes the backup, then the delete, on the next worker", async () => {
    worker = await spawnWorker(cp);
    const created = await cp.api("POST", `${LOC}/clusters?clusterId=doomed`, { shardCount: 3, replicaCount: 0, nodeType: "REDIS_SHARED_CORE_NANO" });
    expect((await cp.waitOperation(created.body.name, 90)).error).toBeUndefined();
    const cluster = (await cp.api("GET", `${LOC}/clusters/doomed`)).body;
    const client = clusterClient(cluster.discoveryEndpoints[0].address, cluster.discoveryEndpoints[0].port);
    try {
      // A cluster pipeline is of one slot: keys grouped under hash tags, spread over the shards.
      const TAGS = 300;
      await Promise.all(
        Array.from({ length: TAGS }, (_, tag) => {
          const pipeline = client.pipeline();
          for (let j = tag; j < KEYS; j += TAGS) pipeline.set(`{k${tag}}:${j}`, `${j}`.padEnd(64, "x"));
          return pipeline.exec();
        }),
      );
    } finally {
      client.disconnect();
    }
    const row = await cp.prisma.instance.findFirstOrThrow({ where: { instanceId: "doomed" }, include: { nodes: true } });

    const del = await cp.api("DELETE", `${LOC}/clusters/doomed?finalBackupId=last-words`);
    expect(del.status).toBe(200);
    const final = () => cp.prisma.backup.findFirst({ where: { collectionUid: row.uid, backupId: "last-words" } });
    await waitFor("one shard of the final backup saved", async () => ((await final())?.files as unknown[] | undefined)?.length, 60_000, 1);
    await worker.kill("SIGKILL");

    // Killed mid-backup indeed, and nothing is deleted yet: every node runs and answers.
    expect((await final())!.state).toBe("CREATING");
    expect((await cp.api("GET", `${LOC}/clusters/doomed`)).body.state).toBe("DELETING");
    for (const node of row.nodes) {
      expect(await runningFor(cp, node.id)).toHaveLength(1);
      const redis = endpointClient(node.host, node.port);
      try {
        expect(await redis.ping()).toBe("PONG");
      } finally {
        redis.disconnect();
      }
    }

    worker = await spawnWorker(cp);
    const op = await cp.waitOperation(del.body.name, 120);
    expect(op.error).toBeUndefined();
    expect((await cp.api("GET", `${LOC}/clusters/doomed`)).status).toBe(404);
    expect(await leftoversFor(cp, row.uid)).toEqual([]);
    const backup = (await final())!;
    expect(backup.state).toBe("ACTIVE");
    expect((backup.files as { shard: number }[]).map((f) => f.shard).sort()).toEqual([0, 1, 2]);

    // Sound: restored into an instance, every key is there.
    const into = await cp.api("POST", `${LOC}/instances?instanceId=check`, { tier: "BASIC", memorySizeGb: 1 });
    expect((await cp.waitOperation(into.body.name, 60)).error).toBeUndefined();
    const name = `projects/default/locations/local1/backupCollections/${row.uid}/backups/last-words`;
    const imported = await cp.api("POST", `${LOC}/instances/check:import`, { inputConfig: { managedBackupSource: { backup: name } } });
    expect((await cp.waitOperation(imported.body.name, 60)).error).toBeUndefined();
    const check = (await cp.api("GET", `${LOC}/instances/check`)).body;
    const redis = endpointClient(check.host, check.port);
    try {
      expect(await redis.dbsize()).toBe(KEYS);
    } finally {
      redis.disconnect();
    }
    await worker.kill("SIGTERM");
    worker = undefined;
  }, 240_000);
});
