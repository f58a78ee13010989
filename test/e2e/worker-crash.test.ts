// Crash safety: the worker is SIGKILLed in the middle of a create. After a restart the
// instance reaches READY with exactly one node and one redis-server (process or container),
// and nothing is orphaned. Runs against every driver.
import { readdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { leftoversFor, runningFor } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";
import { spawnWorker, type WorkerProcess } from "../support/worker-process.js";

const BASE = "/v1/projects/default/locations/local1/instances";
type KillPoint = "after the request" | "once the node is recorded" | "once the node process runs";

async function reachKillPoint(cp: TestControlPlane, uid: string, point: KillPoint) {
  if (point === "after the request") return;
  await waitFor(
    point,
    async () => {
      const node = await cp.prisma.node.findFirst({ where: { instanceUid: uid } });
      if (!node) return false;
      if (point === "once the node is recorded") return true;
      return (await runningFor(cp, node.id)).length > 0;
    },
    20_000,
    1,
  );
}

describe.each(DRIVERS)("a worker killed mid-create, with the %s driver", (driver) => {
  let cp: TestControlPlane;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    cp = await startTestControlPlane({ worker: false, driver });
  });
  afterAll(async () => {
    await worker?.kill();
    await cp?.stop();
  });

  const points: KillPoint[] = ["after the request", "once the node is recorded", "once the node process runs"];
  it.each(points.map((p, i) => [p, i] as const))("recovers when killed %s", async (point, i) => {
    worker = await spawnWorker(cp);
    const id = `crash-${i}`;
    const created = await cp.api("POST", `${BASE}?instanceId=${id}`, { tier: "BASIC", memorySizeGb: 1 });
    expect(created.status).toBe(200);
    const row = await cp.prisma.instance.findFirstOrThrow({ where: { instanceId: id } });
    await reachKillPoint(cp, row.uid, point);
    await worker.kill("SIGKILL");

    worker = await spawnWorker(cp);
    const op = await cp.waitOperation(created.body.name);
    if (!op.done) console.error(worker.output(), JSON.stringify(await cp.prisma.instance.findFirst({ where: { instanceId: id } })));
    expect(op.error).toBeUndefined();
    expect(op.response.state).toBe("READY");

    const nodes = await cp.prisma.node.findMany({ where: { instanceUid: row.uid } });
    expect(nodes).toHaveLength(1);
    // Exactly one redis-server (process or container) for this instance: the recorded node's.
    expect(await leftoversFor(cp, row.uid)).toHaveLength(1);
    expect(await runningFor(cp, nodes[0]!.id)).toHaveLength(1);
    // No directory on disk without a record.
    const dirs = await readdir(cp.nodesRoot);
    const recorded = new Set((await cp.prisma.node.findMany()).map((n) => n.id));
    expect(dirs.filter((d) => !recorded.has(d))).toEqual([]);
    await worker.kill("SIGTERM");
    worker = undefined;
  });
});
