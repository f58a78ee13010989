// The worker process's moving parts: the reconcile job consumer, the supervisor and the
// resync loop. start() adopts whatever the last run left (resync at once); stop() leaves
// the nodes running, as a cloud's data plane outlives its control plane.
import { Worker, type ConnectionOptions } from "bullmq";
import { Registry } from "prom-client";
import { parseNodeId } from "@cacheplane/core";
import { QUEUES, type ReconcileJob } from "@cacheplane/queue";
import { NODE_LOG_MAX_BYTES, rotateNodeLogs } from "@cacheplane/runtime";
import type { WorkerContext } from "./context.js";
import { reconcile } from "./reconcile/reconcile.js";
import { reapExpired } from "./reaper.js";
import { removeOrphanRoutes, removeOrphans, resyncOnce } from "./resync.js";
import { superviseOnce } from "./supervisor.js";
import { describeEdge, edgeFor } from "./edge/read-endpoint.js";
import { backupPassOnce } from "./backups/backup-pass.js";
import { scheduleBackupsOnce } from "./backups/scheduler.js";
import { maintenancePassOnce } from "./upgrades/maintenance-scheduler.js";
import { outcomeOf, reconcileTimer } from "./reconcile-metrics.js";
import { loadMetricsSettings } from "@cacheplane/config";
import { startSampler, type SamplerSettings } from "./metrics/sampler.js";

export interface WorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency?: number;
  supervisorIntervalMs?: number;
  resyncIntervalMs?: number;
  /** The process's prom-client registry, for reconcile durations (`cacheplane up` shares the api's). */
  registry?: Registry;
  /** The metrics sampler's interval (0: off) and retention; default CACHEPLANE_METRICS_INTERVAL / _RETENTION. */
  metrics?: SamplerSettings;
  /** A node's redis.log is rotated past this size (default NODE_LOG_MAX_BYTES, 16 MiB), looked at with each resync. */
  nodeLogMaxBytes?: number;
}

export interface RunningWorker {
  stop(): Promise<void>;
  /** For tests and tools: run one resync or supervision pass now. */
  resync(): Promise<number>;
  supervise(): Promise<string[]>;
  /** For tests and tools: one metrics sampling tick now; resolves with the samples written. */
  sampleMetrics(): Promise<number>;
  /** How read endpoints are served here (kernel | proxy), and why: for the start line. */
  readEndpoint: { kind: string; reason: string };
}

export async function startWorker(ctx: WorkerContext, options: WorkerOptions): Promise<RunningWorker> {
  const edge = await edgeFor(ctx); // probed once, at start
  ctx.log.info({ readEndpoint: edge.kind }, describeEdge(edge));
  const failures = new Map<string, number>();
  const timeReconcile = reconcileTimer(options.registry ?? new Registry());
  const worker = new Worker<ReconcileJob>(
    QUEUES.reconcile,
    async (job) => {
      const uid = job.data.instanceUid;
      const timed = timeReconcile();
      const outcome = await reconcile(ctx, uid, failures.get(uid) ?? 0).catch((error: unknown) => {
        timed("error");
        throw error;
      });
      timed(outcomeOf(outcome));
      if (outcome.done) {
        failures.delete(uid);
        return;
      }
      if (outcome.retryAfterMs && outcome.retryAfterMs > 500) failures.set(uid, (failures.get(uid) ?? 0) + 1);
      await (outcome.retryAfterMs ? ctx.queue.enqueueLater(uid, outcome.retryAfterMs) : ctx.queue.enqueueLater(uid, 1));
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 16,
      // A job of a dead worker is handed on within seconds, not BullMQ's default 30 s.
      lockDuration: 10_000,
      stalledInterval: 5_000,
    },
  );
  worker.on("error", (err) => ctx.log.error({ err: err.message }, "queue connection error"));
  worker.on("failed", (job, err) => ctx.log.error({ job: job?.id, err: err.message }, "reconcile job failed"));

  // Timers chain (setTimeout after each pass) so a slow pass never overlaps the next.
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const every = (ms: number, task: () => Promise<unknown>, name: string) => {
    const run = async () => {
      if (stopped) return;
      try {
        await task();
      } catch (error) {
        ctx.log.warn({ err: error instanceof Error ? error.message : String(error) }, `${name} pass failed`);
      }
      if (!stopped) timers.add(setTimeout(run, ms));
    };
    timers.add(setTimeout(run, 0));
  };
  const resync = async () => {
    await removeOrphans(ctx);
    await removeOrphanRoutes(ctx);
    await reapExpired(ctx);
    return resyncOnce(ctx);
  };
  every(options.resyncIntervalMs ?? 5_000, resync, "resync");
  every(options.resyncIntervalMs ?? 5_000, () => backupPassOnce(ctx), "backup");
  every(options.resyncIntervalMs ?? 5_000, () => scheduleBackupsOnce(ctx), "backup schedule");
  every(options.resyncIntervalMs ?? 5_000, () => maintenancePassOnce(ctx), "maintenance");
  // One stat per node: a log that grew past its bound is renamed, and the node writes a new one.
  every(options.resyncIntervalMs ?? 5_000, () => rotateNodeLogs(ctx.nodesRoot, options.nodeLogMaxBytes ?? NODE_LOG_MAX_BYTES), "node log rotation");
  // Drivers that hear of a death at once (docker events) do not wait for the next probe.
  const watches = Object.values(ctx.runtimes.byDriver).flatMap((runtime) =>
    runtime === ctx.runtimes.default && runtime.watch
      ? [
          runtime.watch((nodeId) => {
            const uid = parseNodeId(nodeId)?.instanceUid;
            if (uid) ctx.queue.enqueueResync(uid).catch(() => undefined); // the probe is the fallback
          }),
        ]
      : [],
  );
  every(options.supervisorIntervalMs ?? 250, () => superviseOnce(ctx), "supervisor");
  const sampler = startSampler(ctx, options.metrics ?? loadMetricsSettings());

  return {
    resync,
    supervise: () => superviseOnce(ctx),
    sampleMetrics: () => sampler.tick(),
    readEndpoint: { kind: edge.kind, reason: edge.reason },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await sampler.stop();
      for (const w of watches) w.close();
      await worker.close();
      await Promise.all(Object.values(ctx.runtimes.byDriver).map((r) => r.close()));
    },
  };
}
