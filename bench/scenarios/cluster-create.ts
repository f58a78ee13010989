// Creating a 3-shard cluster with one replica per shard: POST …/clusters → the operation done
// with the cluster ACTIVE, beside what the same takes by hand: six fresh `redis-server
// --cluster-enabled yes` processes (their start is timed, as ours is), `redis-cli --cluster
// create … --cluster-replicas 1 --cluster-yes`, and CLUSTER INFO polled until every node says
// cluster_state:ok. Runs interleaved; each cluster is thrown away afterwards, untimed.
import { join } from "node:path";
import { median, type LatencyScenario, type Spec } from "../harness.js";
import { randomTag, tempDir, waitOp, type Plane } from "../lib.js";
import { adminClients, assertActive, clusterEvents, createCluster, deleteCluster, nodesOf, waitClusterStateOk } from "./cluster-lib.js";
import { prepareBareNodes, redisCliCreate, startAll, stopBareNodes } from "./cluster-bare.js";

export const CREATE_SHAPE = { shards: 3, replicas: 1 } as const;
const TITLE = "where a cluster create goes: median ms after the POST (ours) or the first spawn (bare)";

const medians = (rows: Record<string, number>[]) => {
  const phases = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(phases.map((p) => [p, median(rows.map((r) => r[p]).filter((v): v is number => v !== undefined))]));
};

export async function bareClusterCreate(spec: Spec, runs: number): Promise<LatencyScenario> {
  const root = await tempDir("cacheplane-bench-cluster-create-");
  const { shards, replicas } = CREATE_SHAPE;
  const timelines: Record<string, number>[] = [];
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 1,
      run: async (i) => {
        const dir = join(root, `run-${i < 0 ? `w${-i}` : i}`);
        const nodes = await prepareBareNodes(dir, shards * (1 + replicas));
        const t0 = performance.now();
        await startAll(nodes);
        const tPong = performance.now() - t0;
        const admin = adminClients(nodes);
        try {
          await redisCliCreate(nodes, replicas);
          const tCli = performance.now() - t0;
          await waitClusterStateOk(admin.clients, 30_000);
          const total = performance.now() - t0;
          if (i >= 0) timelines.push({ "every node answers PING": tPong, "redis-cli --cluster create returned": tCli, "every node cluster_state:ok": total });
          return total;
        } finally {
          admin.close();
          await stopBareNodes(nodes, dir);
        }
      },
      extra: () => ({ timelineTitle: TITLE, timeline: medians(timelines) }),
    },
  };
}

export function clusterCreate(plane: Plane, spec: Spec, runs: number): LatencyScenario {
  const { shards, replicas } = CREATE_SHAPE;
  const tag = randomTag();
  const timelines: Record<string, number>[] = [];
  const notes: string[] = []; // nodes not READY at ACTIVE, failed steps
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 1,
      baseline: spec.baseline,
      target: spec.target,
      run: async (i) => {
        const id = `bench-cc-${tag}-${i < 0 ? `w${-i}` : i}`;
        const wall0 = Date.now();
        const t0 = performance.now();
        try {
          const created = await createCluster(plane, id, shards, replicas);
          const tPost = performance.now() - t0;
          const op = await waitOp(plane, created, 120_000);
          const total = performance.now() - t0;
          const cluster = assertActive(`create cluster ${id}`, op);
          // Not timed: is it what ACTIVE promises (every node in the shape, READY, cluster_state:ok)?
          const nodes = nodesOf(cluster);
          if (cluster.shards?.length !== shards || nodes.length !== shards * (1 + replicas)) {
            throw new Error(`cluster ${id} ACTIVE with ${cluster.shards?.length} shards and ${nodes.length} nodes`);
          }
          const unready = cluster.shards.flatMap((s) => s.nodes.filter((n) => n.state !== "READY").map((n) => `${n.id} ${n.state}`));
          if (unready.length) notes.push(`run ${i}: ACTIVE with nodes not READY: ${unready.join(", ")}`);
          const admin = adminClients(nodes);
          try {
            await waitClusterStateOk(admin.clients, 30_000);
          } finally {
            admin.close();
          }
          const tOk = performance.now() - t0;
          if (i >= 0) {
            const ev = await clusterEvents(plane, id, wall0);
            if (ev.failures.length) notes.push(`run ${i}: ${ev.failures.join("; ")}`);
            const row: Record<string, number | undefined> = {
              "POST returned": tPost,
              "first NODE_CREATED event": ev.first.NODE_CREATED,
              "last NODE_CREATED event": ev.last.NODE_CREATED,
              "SLOTS_ASSIGNED event": ev.first.SLOTS_ASSIGNED,
              "READY event": ev.first.READY,
              "op endTime": op.metadata?.endTime ? Date.parse(op.metadata.endTime) - wall0 : undefined,
              "client sees ACTIVE": total,
              "every node cluster_state:ok (checked after)": tOk,
            };
            timelines.push(Object.fromEntries(Object.entries(row).filter((e): e is [string, number] => e[1] !== undefined)));
          }
          return total;
        } finally {
          await deleteCluster(plane, id);
        }
      },
      extra: () => ({ timelineTitle: TITLE, timeline: medians(timelines), notes }),
    },
  };
}
