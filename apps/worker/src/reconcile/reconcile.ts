// reconcile(instanceUid): level-triggered. Each pass re-reads the desired spec and observes the
// nodes, asks plan() what to do, takes the first step, and passes again, until converged.
// Short waits (a node starting in milliseconds) are waited out here; longer ones are handed
// back to the queue as a delayed retry so no job holds a worker slot for long.
import { plan, planCluster, servedSlots, type DataJob, type Plan, type Step } from "@cacheplane/core";
import type { Prisma } from "@cacheplane/db";
import { ImageUnavailableError, InvalidNodeSpecError, RuntimeUnavailableError } from "@cacheplane/runtime";
import { DriverUnavailableError, type WorkerContext } from "../context.js";
import { desiredInstance, MAX_FAILOVER_LAG_BYTES } from "./desired.js";
import { desiredCluster, isCluster } from "./desired-cluster.js";
import { failPermanently, markConverged, recordFailure, recordProgress } from "./completion.js";
import { acquireLease } from "./lease.js";
import { observeNodes, recordNodeStates } from "./observe.js";
import { EdgeUnavailableError, edgeFor } from "../edge/read-endpoint.js";
import { runStep } from "./steps.js";
import { pendingBackup, pendingFinalBackup } from "../backups/pending.js";
import { desiredTls, isTls } from "../tls/deployment-tls.js";
import { loadTrust } from "../tls/ca-store.js";
import type { Row } from "./step-input.js";
import { withAccess } from "../acl/deployment-acl.js";

export interface Outcome {
  /** Converged, deleted, or nothing to do. */
  done: boolean;
  /** When not done: reconcile again after this many ms. */
  retryAfterMs?: number;
}

const MAX_PASSES = 50;
const PARALLEL_KINDS = new Set(["createNode", "startNode"]);
/** How long one job waits in-process for nodes to come up before handing back to the queue. */
const INLINE_WAIT_MS = 3_000;
const POLL_MS = 5;

export async function reconcile(ctx: WorkerContext, instanceUid: string, attempt = 0): Promise<Outcome> {
  const lease = await acquireLease(ctx.prisma, instanceUid);
  if (!lease) {
    const exists = await ctx.prisma.instance.count({ where: { uid: instanceUid } });
    return exists ? { done: false, retryAfterMs: 250 } : { done: true };
  }
  const started = Date.now();
  let lastDetail = "";
  let pause = POLL_MS;
  try {
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const row: Row | null = await ctx.prisma.instance.findUnique({ where: { uid: instanceUid }, include: { nodes: true } });
      if (!row) return { done: true };
      // TLS: the published CAs (what nodes and connections trust) and a rotation asked for.
      const rotation = isTls(row) ? await pendingRotation(ctx, row.uid) : undefined;
      if (isTls(row)) row.trust = (await loadTrust(ctx, [row.uid])).get(row.uid);
      let step: Step | undefined;
      try {
        const downZones = (await ctx.prisma.zone.findMany({ where: { state: "DOWN" }, select: { zone: true } })).map((z) => z.zone);
        // A delete with a final backup: until that backup is ACTIVE the deployment is planned as
        // the live one it still is (its nodes serve the backup, and a lost one is repaired), then
        // deleted. Both are read from the database each pass, so a worker killed between them
        // finishes both.
        const finalBackup = row.deleteRequested ? await pendingFinalBackup(ctx, row.uid) : undefined;
        if (finalBackup) row.deleteRequested = false;
        // The discovery endpoint is a cluster's address, allocated with its port.
        const backup = row.deleteRequested ? undefined : (finalBackup ?? (await pendingBackup(ctx, row.uid)));
        const dataJob = (row.dataJob as DataJob | null)?.kind;
        const tls = row.deleteRequested ? undefined : desiredTls(row, ctx.nodeHost, rotation);
        // withAccess: the deployment's users and an AUTH string rotation (acl/deployment-acl.ts).
        const cluster = isCluster(row)
          ? await withAccess(ctx, row, { ...desiredCluster(row, ctx.zones, row.host ?? ctx.nodeHost, downZones, MAX_FAILOVER_LAG_BYTES), backup, dataJob, tls })
          : undefined;
        const instance = cluster
          ? undefined
          : await withAccess(ctx, row, { ...desiredInstance(row, ctx.zones, ctx.nodeHost, downZones), backup, dataJob, tls });
        const config = (cluster ?? instance!).config;
        const observed = await observeNodes(ctx, row, config);
        await recordNodeStates(ctx, row.nodes, observed);
        let next: Plan;
        if (cluster) {
          next = planCluster(cluster, observed);
          // The slots each shard serves, as the API shows them: written only when they change.
          const slots = servedSlots(cluster, observed);
          if (JSON.stringify(slots) !== JSON.stringify(row.slotRanges ?? null)) {
            await ctx.prisma.instance.updateMany({ where: { uid: row.uid, leaseEpoch: lease.epoch }, data: { slotRanges: slots as Prisma.InputJsonObject } });
            row.slotRanges = slots;
          }
        } else {
          // The edge's read routes are looked at only where they can exist or must go.
          const lookAtEdge = instance!.readEndpoint || row.deleteRequested || row.observedGeneration < row.generation;
          next = plan(instance!, observed, { readTargets: lookAtEdge ? await (await edgeFor(ctx)).observeReadTargets(row.uid) : [] });
        }
        if (next.detail !== lastDetail) {
          // Setting users again (a worker that restarted does, see acl/applied-users.ts) is no repair.
          await recordProgress(
            ctx,
            row,
            next.detail,
            lease,
            next.steps.some((s) => s.kind !== "applyAcl"),
          );
          lastDetail = next.detail;
        }
        if (next.converged) {
          if (await markConverged(ctx, row, lease)) return { done: true };
          continue; // the spec changed while we worked: plan again
        }
        step = next.steps[0];
        if (!step && next.blockedByZone) return { done: false, retryAfterMs: 2_000 };
        if (!step) {
          if (Date.now() - started > INLINE_WAIT_MS) return { done: false, retryAfterMs: 500 };
          await new Promise((r) => setTimeout(r, pause));
          pause = Math.min(pause * 2, 100);
          continue;
        }
        pause = POLL_MS;
        // Steps on different nodes of the same kind (recording or starting nodes) do not depend
        // on each other: a 3-shard cluster's six nodes start together, not one after another.
        const batch = PARALLEL_KINDS.has(step.kind) ? next.steps.filter((s) => s.kind === step!.kind) : [step];
        await runBatch(primariesFirst(batch, row), (s) => runStep(ctx, s, { row, config, lease }));
        if (step.kind === "deleteInstance") return { done: true };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        ctx.log.warn({ instanceUid, step: step?.kind, err: message }, "reconcile failed");
        if (isPermanent(error)) {
          // Retrying cannot help: end the work it was for, and undo a create that cannot finish.
          if (await failPermanently(ctx, row, message)) continue;
          return { done: false, retryAfterMs: 30_000 };
        }
        await recordFailure(ctx, row, message);
        // An engine that is down comes back on its own time: look again soon, without backing
        // off into minutes, and without touching the nodes meanwhile.
        if (error instanceof RuntimeUnavailableError) return { done: false, retryAfterMs: 1_000 };
        // A failed step that stands between clients and a primary (the failover itself, or
        // starting or configuring the node that is to be primary) is a write outage for as long
        // as it waits: its retries back off to a second at most, not to half a minute.
        const cap = step && servesWrites(step, row) ? URGENT_MAX_BACKOFF_MS : 30_000;
        return { done: false, retryAfterMs: Math.min(500 * 2 ** attempt, cap) };
      }
    }
    return { done: false, retryAfterMs: 0 };
  } finally {
    await lease.release();
  }
}

const URGENT_MAX_BACKOFF_MS = 1_000;

/** Nodes that start as primaries before the others. A replica whose primary does not listen yet
 *  when it starts (its `replicaof` is in its config file) tries again only on Redis's
 *  once-a-second replication cron: started all at once, half the STANDARD_HA creates waited that
 *  second (bench create-ha-ready: median 665 ms, min 138, p90 1,211). A start returns once the
 *  node listens, so its replicas, started next, link at their first attempt. */
function primariesFirst(batch: Step[], row: Row): Step[][] {
  const startsPrimary = (s: Step) => s.kind === "startNode" && row.nodes.find((n) => n.id === s.nodeId)?.role === "PRIMARY";
  const primaries = batch.filter(startsPrimary);
  const others = batch.filter((s) => !startsPrimary(s));
  return [primaries, others].filter((group) => group.length > 0);
}

/** Group after group, each in parallel. A failed step does not hold back the later groups: a
 *  primary that cannot start (its port taken after a reboot) must not keep its replicas, the
 *  nodes a failover would promote, down as well. The first failure is thrown once all are done. */
async function runBatch(groups: Step[][], run: (step: Step) => Promise<void>): Promise<void> {
  const failures: unknown[] = [];
  for (const group of groups) {
    for (const result of await Promise.allSettled(group.map(run))) if (result.status === "rejected") failures.push(result.reason);
  }
  if (failures.length > 0) throw failures[0];
}

/** When the oldest :rotateServerCa still pending was asked for. */
async function pendingRotation(ctx: WorkerContext, instanceUid: string): Promise<Date | undefined> {
  const op = await ctx.prisma.operation.findFirst({
    where: { instanceUid, done: false, verb: "rotateServerCa" },
    orderBy: { createTime: "asc" },
    select: { createTime: true },
  });
  return op?.createTime;
}

function servesWrites(step: Step, row: { nodes: { id: string; role: string }[] }): boolean {
  if (step.kind === "failover" || step.kind === "switchover") return true;
  if (step.kind !== "startNode" && step.kind !== "configureNode") return false;
  return row.nodes.find((n) => n.id === step.nodeId)?.role === "PRIMARY";
}

/** Failures that no retry fixes: the image cannot be had, the version has no image, the
 *  node's driver is not available here. */
const isPermanent = (error: unknown) =>
  error instanceof ImageUnavailableError ||
  error instanceof InvalidNodeSpecError ||
  error instanceof DriverUnavailableError ||
  error instanceof EdgeUnavailableError;
