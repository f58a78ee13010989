// The instance lifecycle. Reconcile reports what it saw as an event; this decides the state.
// Pure, so every transition is unit-tested.

export type InstanceState = "CREATING" | "READY" | "UPDATING" | "DELETING" | "REPAIRING" | "MAINTENANCE" | "IMPORTING" | "FAILING_OVER";

export type InstanceEvent =
  /** A client changed the desired spec (new generation). */
  | "specChanged"
  /** A client asked for deletion. */
  | "deleteRequested"
  /** Reconcile found a node missing, dead or misconfigured that was fine before. */
  | "nodeLost"
  /** The primary is gone (or a manual failover runs): a replica is being promoted. */
  | "failingOver"
  /** Reconcile found everything as desired. */
  | "converged";

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}

export function transition(state: InstanceState, event: InstanceEvent): InstanceState {
  // Deletion wins over everything and is final.
  if (state === "DELETING") return "DELETING";
  switch (event) {
    case "deleteRequested":
      return "DELETING";
    case "converged":
      return "READY";
    case "specChanged":
      // A create still in flight stays CREATING: the client has not seen it READY yet.
      return state === "CREATING" ? "CREATING" : "UPDATING";
    case "failingOver":
      // A create has not served anyone yet: it stays CREATING.
      return state === "CREATING" ? "CREATING" : "FAILING_OVER";
    case "nodeLost":
      // Losing a node mid-create or mid-update is part of that work, not a separate repair.
      return state === "READY" ? "REPAIRING" : state;
    default:
      return assertNever(event);
  }
}

/** States in which the instance is serving as specified. */
export const isSettled = (state: InstanceState) => state === "READY";
