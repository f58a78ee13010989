// Producer side of the reconcile queue, used by the api (after commit) and by the worker
// (retries, resync, supervisor).
import { Queue, type ConnectionOptions } from "bullmq";
import { QUEUES, reconcileJobId, reconcileResyncJobId, reconcileRetryJobId, type ReconcileJob } from "./catalogue.js";

export interface QueueOptions {
  connection: ConnectionOptions;
  /** Key prefix in Redis; lets several control planes (or test files) share one Redis. */
  prefix: string;
}

export interface ReconcileQueue {
  /** Asks for a reconcile now (deduplicated per instance). */
  enqueue(instanceUid: string): Promise<void>;
  /** Asks for a reconcile from resync or the supervisor: not blocked by a job stuck in a
   *  dead worker (see reconcileResyncJobId). */
  enqueueResync(instanceUid: string): Promise<void>;
  /** Asks for a reconcile after delayMs, for waiting on nodes and backing off errors. */
  enqueueLater(instanceUid: string, delayMs: number): Promise<void>;
  close(): Promise<void>;
  readonly queue: Queue<ReconcileJob>;
}

export function createReconcileQueue({ connection, prefix }: QueueOptions): ReconcileQueue {
  const queue = new Queue<ReconcileJob>(QUEUES.reconcile, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
  return {
    queue,
    async enqueue(instanceUid) {
      await queue.add(QUEUES.reconcile, { instanceUid }, { jobId: reconcileJobId(instanceUid) });
    },
    async enqueueResync(instanceUid) {
      await queue.add(QUEUES.reconcile, { instanceUid }, { jobId: reconcileResyncJobId(instanceUid) });
    },
    async enqueueLater(instanceUid, delayMs) {
      await queue.add(QUEUES.reconcile, { instanceUid }, { jobId: reconcileRetryJobId(instanceUid), delay: delayMs });
    },
    close: () => queue.close(),
  };
}
