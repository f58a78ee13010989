// Failover, as a client sees it. Unplanned: SIGKILL the primary under a continuous writer and
// time from the kill to the first acknowledged write sent after it — through the instance
// endpoint for cacheplane, through a Sentinel-aware client for the Sentinel baseline.
// Planned: `:failover` (LIMITED_DATA_LOSS) under the same writer; the longest gap between
// acknowledged writes, beside Redis's own FAILOVER on bare servers (the floor any planned
// failover built on it has) and the writer's longest gap over as long a window without a
// failover (the noise). Both count acknowledged writes that are gone afterwards.
import { Redis } from "ioredis";
import { median, type LatencyScenario, type Result, type Spec } from "../harness.js";
import { BASE, HA, HOST, call, now, onCleanup, scenarioInstance, sleep, tempDir, waitAllReady, waitOp, waitUntil, type Plane } from "../lib.js";
import { startWriter, writesFlow, type Writer } from "../writer.js";
import { MASTER_NAME, startReplicaSet, startSentinels } from "./sentinel.js";

const NODES = 1 + HA.replicaCount;

/** Medians of each phase over the runs that saw it. */
function medianTimeline(runs: Record<string, number>[]) {
  const phases = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(phases.map((p) => [p, median(runs.map((r) => r[p]).filter((v): v is number => v !== undefined))]));
}

/** Keeps a count of acknowledged writes that are gone: checked after every run (the keys
 *  acknowledged since the last check) and once more over all keys at the end. */
function lossTracker(writer: Writer, mustBeZero: boolean) {
  let checkedUpTo = 0;
  let lostInRuns = 0;
  return {
    async afterRun() {
      const v = await writer.verify(checkedUpTo);
      checkedUpTo += v.checked;
      lostInRuns += v.missing;
      return v.missing;
    },
    async finish(result: Result) {
      const stopped = await writer.stop().catch(() => undefined);
      const all = await writer.verify(0).catch(() => undefined);
      result.extra = {
        ...result.extra,
        lostWrites: {
          lost: all?.missing ?? lostInRuns,
          lostInRuns,
          acked: all?.checked ?? checkedUpTo,
          examples: all?.examples ?? [],
          mustBeZero,
          writerErrors: stopped?.errors,
        },
      };
    },
  };
}

const FAILOVER_TITLE = "where an unplanned failover goes: median ms after the kill";

export async function sentinelFailover(spec: Spec, runs: number): Promise<LatencyScenario> {
  const setup = await startSentinels();
  const writer = startWriter({ sentinels: setup.sentinels, name: MASTER_NAME }, "sentinel");
  const loss = lossTracker(writer, false);
  const timelines: Record<string, number>[] = [];
  await writesFlow(writer);
  return {
    name: spec.name,
    finish: loss.finish,
    opts: {
      runs,
      warmup: 0,
      baseline: spec.baseline,
      target: spec.target,
      run: async () => {
        await setup.recover();
        await writesFlow(writer);
        await setup.killPrimary();
        const t0 = now();
        const { at } = await writer.firstAckAfter(t0, 30_000);
        // Not timed: where it went, heal, count lost writes.
        const events = setup.eventsSince(t0);
        timelines.push({
          ...Object.fromEntries(
            Object.entries(events)
              .filter(([e]) => e.startsWith("+"))
              .map(([e, t]) => [e, t - t0]),
          ),
          "first write": at - t0,
        });
        await setup.recover();
        await loss.afterRun();
        return at - t0;
      },
      extra: () => ({ timelineTitle: FAILOVER_TITLE, timeline: medianTimeline(timelines) }),
    },
  };
}

export async function haFailover(plane: Plane, spec: Spec, runs: number): Promise<LatencyScenario> {
  const cp = plane.cp;
  if (!cp) throw new Error("the unplanned failover needs the in-process control plane (to kill a node)");
  const { killNode } = await import("../../test/support/nodes.js");
  const { id, instance } = await scenarioInstance(plane, "bench-ha-kill", HA);
  const writer = startWriter({ host: instance.host, port: instance.port }, "kill");
  const loss = lossTracker(writer, false);
  const timelines: Record<string, number>[] = [];
  const lossDetail: string[] = [];
  await writesFlow(writer);
  return {
    name: spec.name,
    finish: loss.finish,
    opts: {
      runs,
      warmup: 0,
      baseline: spec.baseline,
      target: spec.target,
      run: async (i) => {
        const before = await waitAllReady(plane, id, NODES);
        await writesFlow(writer);
        const primary = before.nodes.find((n: any) => n.role === "PRIMARY");
        const links = await replicaLinks(before.nodes.filter((n: any) => n.role !== "PRIMARY"));
        const wall0 = Date.now();
        await killNode(cp, primary.id);
        const t0 = now();
        const { at } = await writer.firstAckAfter(t0, 30_000);
        // Not timed: heal, then where it went and what was lost.
        const after = await waitAllReady(plane, id, NODES);
        const promoted = after.nodes.find((n: any) => n.role === "PRIMARY");
        if (promoted.id === primary.id) throw new Error(`the killed primary ${primary.id} is primary again: no failover happened`);
        const events = (await plane.events?.(id, wall0)) ?? {};
        timelines.push({
          // Relative to the kill (t0, taken when killNode returned), not to wall0 (before its
          // /proc scan); database times have millisecond resolution.
          ...Object.fromEntries(Object.entries(events).map(([e, t]) => [`${e} event`, t - t0])),
          "first write": at - t0,
        });
        const lost = await loss.afterRun();
        if (lost > 0) lossDetail.push(`kill ${i}: ${lost} lost; ${primary.id} killed, ${promoted.id} promoted; replicas at the kill: ${links}`);
        return at - t0;
      },
      extra: () => ({ timelineTitle: FAILOVER_TITLE, timeline: medianTimeline(timelines), lossDetail }),
    },
  };
}

/** "node: link up, offset 123" for each replica, as the replicas themselves report it. */
async function replicaLinks(nodes: { id: string; host: string; port: number }[]) {
  const out: string[] = [];
  for (const node of nodes) {
    const r = new Redis({ host: node.host, port: node.port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on("error", () => undefined);
    try {
      await r.connect();
      const info = Object.fromEntries(
        String(await r.info("replication"))
          .split("\r\n")
          .map((l) => l.split(":")),
      );
      out.push(`${node.id} role ${info.role} link ${info.master_link_status} sync ${info.master_sync_in_progress} offset ${info.slave_repl_offset}`);
    } catch (error) {
      out.push(`${node.id} ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      r.disconnect();
    }
  }
  return out.join(", ");
}

/** `:failover` under a writer, and the writer's noise floor over as long a window. */
export async function haSwitchover(plane: Plane, floor: Spec | undefined, spec: Spec | undefined, runs: number): Promise<LatencyScenario[]> {
  const { id, instance } = await scenarioInstance(plane, "bench-ha-switch", HA);
  const writer = startWriter({ host: instance.host, port: instance.port }, "switch");
  const loss = lossTracker(writer, true);
  const timelines: Record<string, number>[] = [];
  let lastWindowMs = 1_000;
  await writesFlow(writer);
  const scenarios: LatencyScenario[] = [];
  if (floor) {
    scenarios.push({
      name: floor.name,
      opts: {
        runs,
        warmup: 0,
        run: async () => {
          await waitAllReady(plane, id, NODES);
          await writesFlow(writer);
          const t0 = now();
          await sleep(lastWindowMs);
          return (await writer.longestGap(t0, now())).gap;
        },
      },
    });
  }
  if (spec) {
    scenarios.push({
      name: spec.name,
      finish: loss.finish,
      opts: {
        runs,
        warmup: 0,
        baseline: spec.baseline,
        target: spec.target,
        run: async () => {
          const before = await waitAllReady(plane, id, NODES);
          await writesFlow(writer);
          const primary = before.nodes.find((n: any) => n.role === "PRIMARY");
          const wall0 = Date.now();
          const t0 = now();
          const res = await call(plane, "POST", `${BASE}/${id}:failover`, { dataProtectionMode: "LIMITED_DATA_LOSS" });
          if (res.status !== 200) throw new Error(`failover: ${res.status} ${JSON.stringify(res.body)}`);
          const tPost = now();
          const op = await waitOp(plane, res.body);
          if (op.error) throw new Error(`failover: ${JSON.stringify(op.error)}`);
          const tDone = now();
          const { at } = await writer.firstAckAfter(tDone, 10_000);
          const { gap, start, end } = await writer.longestGap(t0, at);
          lastWindowMs = at - t0;
          // Not timed: heal, check, where it went.
          const after = await waitAllReady(plane, id, NODES);
          if (after.nodes.find((n: any) => n.role === "PRIMARY")?.id === primary.id) throw new Error("the primary did not change");
          const missing = await loss.afterRun();
          if (missing > 0) throw new Error(`${missing} acknowledged writes lost`);
          const events = (await plane.events?.(id, wall0)) ?? {};
          timelines.push({
            "POST returned": tPost - t0,
            ...(start !== undefined ? { "longest gap starts": start - t0 } : {}),
            ...(end !== undefined ? { "longest gap ends": end - t0 } : {}),
            ...Object.fromEntries(Object.entries(events).map(([e, t]) => [`${e} event`, t - t0])),
            ...(op.metadata?.endTime ? { "op endTime": Date.parse(op.metadata.endTime) - t0 } : {}),
            "client sees done": tDone - t0,
            "first write after done": at - t0,
          });
          return gap;
        },
        extra: () => ({ timelineTitle: "where a planned failover (:failover) goes: median ms after the POST was sent", timeline: medianTimeline(timelines) }),
      },
    });
  } else {
    scenarios[0]!.finish = async () => void (await writer.close());
  }
  return scenarios;
}

/** Redis's own `FAILOVER TO` on a bare primary + 2 replicas: from sending it (the primary
 *  pauses writes then) to the first SET the target accepts (READONLY until it is promoted).
 *  The target rotates; the third server is repointed afterwards, untimed. */
export async function bareFailover(spec: Spec, runs: number): Promise<LatencyScenario> {
  const servers = await startReplicaSet(await tempDir("cacheplane-bench-failover-"), 3);
  const clients = servers.map((s) => {
    const r = new Redis({ host: HOST, port: s.port, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => 10 });
    r.on("error", () => undefined);
    return r;
  });
  onCleanup(async () => {
    for (const c of clients) c.disconnect();
  });
  let primary = 0;
  const healthy = async () => {
    const info = String(await clients[primary]!.info("replication"));
    return /role:master/.test(info) && (info.match(/state=online/g) ?? []).length === 2;
  };
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 1,
      baseline: spec.baseline,
      target: spec.target,
      run: async (i) => {
        await waitUntil("the bare primary to have 2 online replicas", healthy, 30_000, 10);
        const target = (primary + 1) % 3;
        const other = 3 - primary - target;
        await clients[primary]!.set("bench:before", String(i));
        const t0 = now();
        await clients[primary]!.call("FAILOVER", "TO", HOST, String(servers[target]!.port), "TIMEOUT", "2000");
        for (;;) {
          try {
            await clients[target]!.set("bench:after", String(i));
            break;
          } catch (error) {
            if (!(error instanceof Error && error.message.startsWith("READONLY"))) throw error;
          }
          if (now() - t0 > 10_000) throw new Error("the target was not writable 10 s after FAILOVER");
          await sleep(1);
        }
        const ms = now() - t0;
        await clients[other]!.call("REPLICAOF", HOST, String(servers[target]!.port));
        primary = target;
        return ms;
      },
    },
  };
}
