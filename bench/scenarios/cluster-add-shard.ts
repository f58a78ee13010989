// Online resharding, 3 shards → 4, under client load. Each run starts from a fresh 3-primary
// cluster loaded with `keys` keys (pipelined, untimed) and a load thread (SET/GET on random
// keys through a plain ioredis Cluster). Ours: PATCH …?updateMask=shardCount {shardCount: 4} to
// the operation done with the cluster ACTIVE. Bare: the same keys on a `redis-cli --cluster
// create` cluster, then `redis-cli --cluster add-node` of a fresh node (started untimed, just
// before), a wait until every node knows it and it says cluster_state:ok, and `redis-cli
// --cluster rebalance --cluster-use-empty-masters`, timed from add-node to the end of the
// rebalance (re-run should it still fail, as a person would). After
// every run, untimed: the load's errors, and every key read back (missing ones counted and
// printed). The bare tool's errors are informational; ours must be 0.
import { join } from "node:path";
import { median, type LatencyScenario, type Spec } from "../harness.js";
import { call, randomTag, sleep, tempDir, waitOp, waitUntil, type Plane } from "../lib.js";
import { startClusterClient, loadFlows, type ClusterClient, type Counters } from "./cluster-client.js";
import {
  CLUSTERS,
  adminClients,
  assertActive,
  clusterEvents,
  createCluster,
  deleteCluster,
  parseNodes,
  waitClusterStateOk,
  withNode,
  type Check,
} from "./cluster-lib.js";
import { redisCliAddNode, redisCliCreate, redisCliFix, redisCliRebalance, startBareNodes, stopBareNodes, type BareNode } from "./cluster-bare.js";
import { loadKeys, missingKeys } from "./cluster-keys.js";

export interface AddShardOptions {
  keys: number;
  /** Concurrent SET/GET loops of the load thread. */
  concurrency: number;
  runs: number;
}

const FROM = 3;
const TO = 4;
const TITLE = "where a 3 → 4 reshard goes: median ms after the PATCH (ours) or add-node (bare)";

const medians = (rows: Record<string, number>[]) => {
  const phases = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(phases.map((p) => [p, median(rows.map((r) => r[p]).filter((v): v is number => v !== undefined))]));
};

/** What one side accumulates over its runs: the load's counters and the keys gone. */
function tally(label: string, mustBeZero: boolean) {
  const t = {
    ok: 0,
    errors: 0,
    wrong: 0,
    opsPerSec: [] as number[],
    p99: [] as number[],
    max: [] as number[],
    idleOpsPerSec: [] as number[],
    idleP99: [] as number[],
    missing: 0,
    examples: [] as string[],
    errorMessages: [] as string[],
    rebalanceErrors: [] as string[],
    notes: [] as string[],
  };
  return {
    t,
    add(c: Counters, windowMs: number, missing: { missing: number; examples: string[] }, idle: { opsPerSec: number; p99: number }) {
      t.idleOpsPerSec.push(idle.opsPerSec);
      t.idleP99.push(idle.p99);
      t.ok += c.ok;
      t.errors += c.errors;
      t.wrong += c.wrong;
      t.opsPerSec.push((c.ok / windowMs) * 1000);
      t.p99.push(c.latency.p99);
      t.max.push(c.latency.max);
      t.missing += missing.missing;
      t.examples.push(...missing.examples.slice(0, 10 - t.examples.length));
      for (const m of c.errorMessages) if (t.errorMessages.length < 5) t.errorMessages.push(m);
    },
    extra: (): Record<string, unknown> => ({
      timelineTitle: TITLE,
      notes: t.notes,
      load: {
        ok: t.ok,
        errors: t.errors,
        wrongReads: t.wrong,
        opsPerSecMedian: Math.round(median(t.opsPerSec)),
        p99MsMedian: median(t.p99),
        maxMs: Math.max(...t.max),
        idleOpsPerSecMedian: Math.round(median(t.idleOpsPerSec)),
        idleP99MsMedian: median(t.idleP99),
        errorMessages: t.errorMessages,
      },
      missingKeys: { missing: t.missing, examples: t.examples },
      checks: [
        { label: `${label}: client errors under load`, value: t.errors, mustBeZero, detail: t.errorMessages.join(" // ") },
        { label: `${label}: GETs that did not return the key's value under load`, value: t.wrong, mustBeZero },
        { label: `${label}: keys not readable after the reshard`, value: t.missing, mustBeZero: true, detail: t.examples.join(", ") },
        ...(t.rebalanceErrors.length
          ? [
              {
                label: `${label}: redis-cli rebalance attempts that failed`,
                value: t.rebalanceErrors.length,
                mustBeZero: false,
                detail: t.rebalanceErrors.slice(0, 3).join(" // "),
              },
            ]
          : []),
      ] satisfies Check[],
    }),
  };
}

export async function bareAddShard(spec: Spec, opts: AddShardOptions): Promise<LatencyScenario> {
  const root = await tempDir("cacheplane-bench-cluster-reshard-");
  const timelines: Record<string, number>[] = [];
  const side = tally("bare", false);
  return {
    name: spec.name,
    opts: {
      runs: opts.runs,
      warmup: 0,
      run: async (i) => {
        const dir = join(root, `run-${i}`);
        const nodes = await startBareNodes(dir, FROM);
        const load = { client: undefined as ReturnType<typeof startClusterClient> | undefined };
        try {
          await redisCliCreate(nodes, 0);
          const admin = adminClients(nodes);
          await waitClusterStateOk(admin.clients, 30_000).finally(admin.close);
          await loadKeys(nodes[0]!, opts.keys);
          load.client = startClusterClient(nodes[0]!, { mode: "load", keys: opts.keys, concurrency: opts.concurrency });
          await loadFlows(load.client);
          const idle = await idleLoad(load.client);
          // The new node's start (~10 ms) is not timed; it starts right before, so its first 2 s
          // (when Redis refuses imports) fall in the window, as our new shard's do.
          const [added] = await startBareNodes(dir, 1);
          nodes.push(added!);
          const before = await load.client.window();
          const t0 = performance.now();
          await redisCliAddNode(added!, nodes[0]!);
          const tAdd = performance.now() - t0;
          // The best a careful script does: rebalance once every node knows the new one and it
          // says cluster_state:ok (a primary refuses imports in its first 2 s, CLUSTERDOWN).
          await waitUntil("every node to know the added one, and it to be ok", () => joined(nodes, added!), 60_000, 10);
          const tJoined = performance.now() - t0;
          // Should it still fail ("Nodes don't agree about configuration", a move failing with
          // "Unknown node" or "I don't know about node": gossip not done), run it again, as a
          // person would; `--cluster fix` first when it failed for another reason.
          let attempts = 0;
          for (;;) {
            attempts++;
            const { code, out } = await redisCliRebalance(nodes[0]!);
            if (code === 0 && !/\[ERR\]|\*\*\*/.test(out)) break;
            const why =
              out
                .split("\n")
                .filter((l) => /\[ERR\]|\*\*\*/.test(l))
                .join(" ")
                .trim()
                .slice(0, 300) || `exit ${code}`;
            if (!/agree about configuration|Unknown node|know about node/i.test(why)) {
              side.t.rebalanceErrors.push(why);
              await redisCliFix(nodes[0]!).catch(() => undefined);
            }
            if (attempts >= 100) throw new Error(`redis-cli rebalance failed ${attempts} times; last: ${why}`);
            await sleep(50);
          }
          const total = performance.now() - t0;
          const after = await load.client.stop();
          const slotsOnNew = await withNode(
            added!,
            async (r) => parseNodes(String(await r.call("CLUSTER", "NODES"))).find((p) => p.flags.includes("myself"))?.slots.length ?? 0,
          );
          if (slotsOnNew === 0) throw new Error("the added node owns no slots after rebalance");
          side.add(diff(after, before), total, await missingKeys(nodes[0]!, opts.keys), idle);
          timelines.push({ "add-node returned": tAdd, "every node knows the new one, it is ok": tJoined, "rebalance returned": total });
          side.t.notes.push(
            `run ${i}: ${total.toFixed(0)} ms, rebalance run ${attempts} time(s), ${diff(after, before).errors} client errors, load ${Math.round(idle.opsPerSec)} ops/s before, ${Math.round((diff(after, before).ok / total) * 1000)} during`,
          );
          return total;
        } finally {
          await load.client?.close();
          await stopBareNodes(nodes, dir);
        }
      },
      extra: () => ({ ...side.extra(), timeline: medians(timelines) }),
    },
  };
}

export function clusterAddShard(plane: Plane, spec: Spec, opts: AddShardOptions): LatencyScenario {
  const tag = randomTag();
  const timelines: Record<string, number>[] = [];
  const side = tally("ours", true);
  return {
    name: spec.name,
    opts: {
      runs: opts.runs,
      warmup: 0,
      baseline: spec.baseline,
      target: spec.target,
      run: async (i) => {
        const id = `bench-cr-${tag}-${i}`;
        let client: ReturnType<typeof startClusterClient> | undefined;
        try {
          const cluster = assertActive(`create cluster ${id}`, await waitOp(plane, await createCluster(plane, id, FROM, 0), 120_000));
          const seed = { host: cluster.discoveryEndpoints![0]!.address, port: cluster.discoveryEndpoints![0]!.port };
          await loadKeys(seed, opts.keys);
          client = startClusterClient(seed, { mode: "load", keys: opts.keys, concurrency: opts.concurrency });
          await loadFlows(client);
          const idle = await idleLoad(client);
          const before = await client.window();
          const wall0 = Date.now();
          const t0 = performance.now();
          const res = await call(plane, "PATCH", `${CLUSTERS}/${id}?updateMask=shardCount`, { shardCount: TO });
          if (res.status !== 200) throw new Error(`reshard ${id}: ${res.status} ${JSON.stringify(res.body)}`);
          const tPatch = performance.now() - t0;
          const op = await waitOp(plane, res.body, 600_000);
          const total = performance.now() - t0;
          const after = await client.stop();
          const resharded = assertActive(`reshard ${id}`, op);
          if (resharded.shards?.length !== TO || resharded.shards.some((s) => !s.slots?.length)) {
            throw new Error(`reshard ${id} done with shards ${JSON.stringify(resharded.shards?.map((s) => s.slots))}`);
          }
          side.add(diff(after, before), total, await missingKeys(seed, opts.keys), idle);
          const ev = await clusterEvents(plane, id, wall0);
          const row: Record<string, number | undefined> = {
            "PATCH returned": tPatch,
            "NODE_CREATED event": ev.first.NODE_CREATED,
            "first SLOTS_MOVED event": ev.first.SLOTS_MOVED,
            "last SLOTS_MOVED event": ev.last.SLOTS_MOVED,
            "READY event": ev.first.READY,
            "op endTime": op.metadata?.endTime ? Date.parse(op.metadata.endTime) - wall0 : undefined,
            "client sees ACTIVE": total,
          };
          timelines.push(Object.fromEntries(Object.entries(row).filter((e): e is [string, number] => e[1] !== undefined)));
          side.t.notes.push(
            `run ${i}: ${total.toFixed(0)} ms, ${ev.count.SLOTS_MOVED ?? 0} SLOTS_MOVED events, ${diff(after, before).errors} client errors, load ${Math.round(idle.opsPerSec)} ops/s before, ${Math.round((diff(after, before).ok / total) * 1000)} during${ev.failures.length ? `; ${ev.failures.join("; ")}` : ""}`,
          );
          return total;
        } finally {
          await client?.close();
          await deleteCluster(plane, id);
        }
      },
      extra: () => ({ ...side.extra(), timeline: medians(timelines) }),
    },
  };
}

/** Whether every node lists `added` (past the handshake) and `added` says cluster_state:ok. */
async function joined(nodes: readonly BareNode[], added: BareNode) {
  const id = await withNode(added, async (r) => String(await r.call("CLUSTER", "MYID")));
  if (!(await withNode(added, async (r) => String(await r.call("CLUSTER", "INFO")).includes("cluster_state:ok")))) return false;
  for (const n of nodes) {
    const peers = await withNode(n, async (r) => parseNodes(String(await r.call("CLUSTER", "NODES"))));
    if (!peers.some((p) => p.id === id && !p.flags.includes("handshake"))) return false;
  }
  return true;
}

/** The load's rate and p99 over one second with nothing else going on (before the timed window). */
async function idleLoad(client: ClusterClient) {
  const a = await client.window();
  const t0 = performance.now();
  await sleep(1_000);
  const b = await client.window();
  return { opsPerSec: ((b.ok - a.ok) / (performance.now() - t0)) * 1000, p99: b.latency.p99 };
}

/** Counters over the timed window (the load ran before it too). */
const diff = (after: Counters, before: Counters): Counters => ({
  ok: after.ok - before.ok,
  errors: after.errors - before.errors,
  wrong: after.wrong - before.wrong,
  errorMessages: after.errorMessages,
  latency: after.latency,
});
