// The typed job catalogue: every queue, its payload, and how its job ids are formed.
// A job carries only the instance uid; the worker re-reads everything else.

export const QUEUES = { reconcile: "reconcile" } as const;

export interface ReconcileJob {
  instanceUid: string;
}

// BullMQ drops an add whose job id already exists, which is what we want: one pending
// reconcile per instance is enough, since reconcile is level-triggered. A delayed retry uses
// another id so that an immediate request is never swallowed by a delayed one.
// (BullMQ forbids ':' in custom ids.)
export const reconcileJobId = (instanceUid: string) => `reconcile_${instanceUid}`;
export const reconcileRetryJobId = (instanceUid: string) => `reconcile_${instanceUid}_retry`;
// A job whose worker died stays "active" until BullMQ's stall check frees it, and meanwhile
// swallows every add with its id. Resync and the supervisor therefore use an id that changes
// every few seconds: at most one extra job per window, and the instance lease makes it harmless.
export const RESYNC_WINDOW_MS = 5_000;
export const reconcileResyncJobId = (instanceUid: string, now = Date.now()) => `reconcile_${instanceUid}_resync_${Math.floor(now / RESYNC_WINDOW_MS)}`;
