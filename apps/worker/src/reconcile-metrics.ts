// How long each reconcile job takes, by how it ended, into the process's prom-client registry:
// `cacheplane up` shares it with the api's GET /metrics; a worker of its own serves it on
// CACHEPLANE_WORKER_METRICS_PORT (metrics-endpoint.ts).
import { Histogram, type Registry } from "prom-client";
import type { Outcome } from "./reconcile/reconcile.js";

/** done: converged or deleted; pending: handed back to the queue to look again; error: threw. */
export type ReconcileOutcome = "done" | "pending" | "error";

export const outcomeOf = (o: Outcome): ReconcileOutcome => (o.done ? "done" : "pending");

export function reconcileTimer(registry: Registry): () => (outcome: ReconcileOutcome) => void {
  const duration = new Histogram({
    name: "cacheplane_reconcile_duration_seconds",
    help: "Duration of one reconcile job (it may take several steps and wait for nodes up to 3 s), by outcome (done | pending | error).",
    labelNames: ["outcome"],
    // A job waits in-process up to 3 s for nodes (reconcile.ts INLINE_WAIT_MS); steps are ms to seconds.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return () => {
    const end = duration.startTimer();
    return (outcome) => void end({ outcome });
  };
}
