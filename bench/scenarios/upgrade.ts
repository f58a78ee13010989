// A rolling engine upgrade as a client sees it: `:upgrade` of a STANDARD_HA instance (2
// replicas) under the continuous writer, beside one planned `:failover` of the same instance
// just before it. The failover is the floor: the upgrade replaces the replicas, switches over to
// an upgraded one (writes paused only for the swap) and then replaces the old primary, so its
// one write pause should be that switchover's. Target (the issue): the upgrade's longest gap
// within 2x the `:failover`'s, and no acknowledged write lost.
//
// Every run has a fresh instance, because an upgrade cannot be undone (downgrades are refused).
// The builds are copies of the host's redis-server (test/support/engines.ts), so this measures
// the rollout (restarts, resyncs, the switchover), not a difference between Redis versions.
import { loadavg } from "node:os";
import { median, stats, type Result, type Spec } from "../harness.js";
import { BASE, HA, call, deleteInstance, now, onCleanup, scenarioInstance, tempDir, waitAllReady, waitOp, type Plane } from "../lib.js";
import { startWriter, writesFlow, type Writer } from "../writer.js";

const FROM = "REDIS_7_0";
const TO = "REDIS_7_2";
const NODES = 1 + HA.replicaCount;

export interface UpgradeSpecs {
  /** The planned `:failover`'s longest write gap: the baseline. */
  failover: Spec;
  /** The upgrade's longest write gap, compared with the failover's. */
  gap: Spec;
  /** From the POST to the client seeing the Operation done. */
  total: Spec;
}

interface RunFigures {
  failoverGap: number;
  upgradeGap: number;
  totalMs: number;
  opMs: number | undefined;
  loadAvg: number;
  failoverLoss: { checked: number; missing: number; examples: string[] };
  upgradeLoss: { checked: number; missing: number; examples: string[] };
  timeline: Record<string, number>;
}

/** The in-process control plane (process driver, the tests' worker intervals) with a catalogue
 *  holding both builds; its own, because the bench's shared plane knows only REDIS_7_0. */
async function upgradePlane() {
  const { startTestControlPlane, ADMIN_KEY } = await import("../../test/support/control-plane.js");
  const { makeEngines, NEXT, runningEngine } = await import("../../test/support/engines.js");
  const engines = await makeEngines("process", await tempDir("cacheplane-bench-engines-"));
  const cp = await startTestControlPlane({ driver: "process", engines: engines.catalogue });
  onCleanup(() => cp.stop());
  const plane: Plane = { url: cp.url, key: ADMIN_KEY, cp };
  /** Whether the node's process is the new build's binary (every build reports 7.0 in INFO). */
  const runsNewBuild = async (nodeId: string) => (await runningEngine(cp, nodeId)) === engines.expected(NEXT);
  return { plane, runsNewBuild };
}

/** One planned operation under the writer: the longest gap between acknowledged writes from
 *  the POST to the first write acknowledged after the Operation is done (as ha-switchover). */
async function timedOperation(plane: Plane, writer: Writer, path: string, body: object) {
  const t0 = now();
  const res = await call(plane, "POST", path, body);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  const tPost = now();
  const op = await waitOp(plane, res.body, 120_000);
  if (op.error) throw new Error(`${path}: ${JSON.stringify(op.error)}`);
  const tDone = now();
  const { at } = await writer.firstAckAfter(tDone, 10_000);
  const { gap, start, end } = await writer.longestGap(t0, at);
  const opMs = op.metadata?.createTime && op.metadata?.endTime ? Date.parse(op.metadata.endTime) - Date.parse(op.metadata.createTime) : undefined;
  return { t0, tPost, tDone, at, gap, start, end, opMs, op };
}

/** Instance events at or after `since` (epoch ms), oldest first, through the public API. */
async function eventsSince(plane: Plane, id: string, since: number): Promise<{ type: string; time: number }[]> {
  const res = await call(plane, "GET", `${BASE}/${id}/events?pageSize=200`);
  if (res.status !== 200) return [];
  return (res.body.events as { type: string; time: string }[])
    .map((e) => ({ type: e.type, time: Date.parse(e.time) }))
    .filter((e) => e.time >= since)
    .reverse();
}

const primaryOf = (instance: any) => instance.nodes.find((n: any) => n.role === "PRIMARY");

async function oneRun(plane: Plane, runsNewBuild: (nodeId: string) => Promise<boolean>, i: number): Promise<RunFigures> {
  const loadAvg = loadavg()[0]!;
  const { id, instance } = await scenarioInstance(plane, "bench-upgrade", { ...HA, redisVersion: FROM });
  const writer = startWriter({ host: instance.host, port: instance.port }, `upgrade${i}`);
  try {
    const created = await waitAllReady(plane, id, NODES);
    await writesFlow(writer);

    // The floor: one planned failover of this instance.
    const failover = await timedOperation(plane, writer, `${BASE}/${id}:failover`, { dataProtectionMode: "LIMITED_DATA_LOSS" });
    const before = await waitAllReady(plane, id, NODES);
    if (primaryOf(before).id === primaryOf(created).id) throw new Error("the :failover did not change the primary");
    const failoverLoss = await writer.verify(0);
    await writesFlow(writer);

    const wall0 = Date.now();
    const upgrade = await timedOperation(plane, writer, `${BASE}/${id}:upgrade`, { redisVersion: TO });
    // Not timed: every node on the new build, the primary moved, every acknowledged write there.
    const after = await waitAllReady(plane, id, NODES);
    if (after.redisVersion !== TO) throw new Error(`the instance says ${after.redisVersion} after the upgrade`);
    for (const node of after.nodes) {
      if (node.redisVersion !== TO || !(await runsNewBuild(node.id))) throw new Error(`node ${node.id} does not run the ${TO} build after the upgrade`);
    }
    if (primaryOf(after).id === primaryOf(before).id) throw new Error("the primary did not move during the upgrade");
    await writer.stop();
    const all = await writer.verify(0);
    // A write lost in the failover is still missing now: count it once, there.
    const upgradeLoss = {
      checked: all.checked,
      missing: Math.max(0, all.missing - failoverLoss.missing),
      examples: all.missing > failoverLoss.missing ? all.examples : [],
    };

    const t0 = upgrade.t0;
    const seen = new Map<string, number>();
    const events: Record<string, number> = {};
    for (const e of await eventsSince(plane, id, wall0)) {
      const n = (seen.get(e.type) ?? 0) + 1;
      seen.set(e.type, n);
      events[`${e.type}${n > 1 || e.type.startsWith("NODE_") ? ` ${n}` : ""} event`] = e.time - t0;
    }
    return {
      failoverGap: failover.gap,
      upgradeGap: upgrade.gap,
      totalMs: upgrade.tDone - t0,
      opMs: upgrade.opMs,
      loadAvg,
      failoverLoss,
      upgradeLoss,
      timeline: {
        "POST returned": upgrade.tPost - t0,
        ...(upgrade.start !== undefined ? { "longest gap starts": upgrade.start - t0 } : {}),
        ...(upgrade.end !== undefined ? { "longest gap ends": upgrade.end - t0 } : {}),
        ...events,
        "client sees done": upgrade.tDone - t0,
        "first write after done": upgrade.at - t0,
      },
    };
  } finally {
    await writer.close();
    await deleteInstance(plane, id).catch((e: unknown) => console.error(`delete ${id}: ${e instanceof Error ? e.message : String(e)}`));
  }
}

/** Medians of each phase over the runs that saw it. */
function medianTimeline(runs: Record<string, number>[]) {
  const phases = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(phases.map((p) => [p, median(runs.map((r) => r[p]).filter((v): v is number => v !== undefined))]));
}

/** `runs` upgrades (each after its failover) after one discarded warm-up (a fresh plane's first
 *  run is its slowest: 2-3x the total, up to 8x the failover gap), at most twice as many
 *  attempts; three rows. */
export async function upgradeInstance(specs: UpgradeSpecs, runs: number): Promise<Result[]> {
  const { plane, runsNewBuild } = await upgradePlane();
  const done: RunFigures[] = [];
  const errors: string[] = [];
  const attempt = async (i: number) => {
    try {
      return await oneRun(plane, runsNewBuild, i);
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  };
  await attempt(-1);
  for (let i = 0; done.length < runs && i < runs * 2; i++) {
    const figures = await attempt(i);
    if (figures) done.push(figures);
  }
  if (done.length === 0) throw new Error(`${specs.gap.name}: every run failed; first error: ${errors[0]}`);

  const sum = (f: (r: RunFigures) => number) => done.reduce((s, r) => s + f(r), 0);
  const lost = (loss: (r: RunFigures) => RunFigures["failoverLoss"]) => ({
    lost: sum((r) => loss(r).missing),
    acked: sum((r) => loss(r).checked),
    examples: done.flatMap((r) => loss(r).examples).slice(0, 5),
    mustBeZero: true,
  });
  const ratios = done.map((r) => r.upgradeGap / r.failoverGap);
  const fmt = (v: number) => `${v.toFixed(2)}x`;
  const row = (spec: Spec, samples: number[], extra: Record<string, unknown>): Result => ({
    name: spec.name,
    kind: "latency",
    unit: "ms",
    samples,
    stats: stats(samples),
    baseline: spec.baseline,
    target: spec.target,
    extra,
  });
  const opMs = done.map((r) => r.opMs).filter((v): v is number => v !== undefined);
  return [
    row(
      specs.failover,
      done.map((r) => r.failoverGap),
      { lostWrites: lost((r) => r.failoverLoss) },
    ),
    row(
      specs.gap,
      done.map((r) => r.upgradeGap),
      {
        errors: errors.length,
        errorMessages: errors.slice(0, 5),
        lostWrites: lost((r) => r.upgradeLoss),
        timelineTitle: `where an upgrade (:upgrade ${FROM} → ${TO}) goes: median ms after the POST was sent`,
        timeline: medianTimeline(done.map((r) => r.timeline)),
        notes: [
          `per run, its longest gap ÷ the :failover's just before it: median ${fmt(median(ratios))}, max ${fmt(Math.max(...ratios))} (${ratios.map(fmt).join(", ")})`,
          `1-minute load average at each run's start: ${done.map((r) => r.loadAvg.toFixed(2)).join(", ")}`,
        ],
      },
    ),
    row(
      specs.total,
      done.map((r) => r.totalMs),
      {
        notes: opMs.length ? [`the Operation's own createTime → endTime: median ${median(opMs).toFixed(0)} ms`] : [],
      },
    ),
  ];
}
