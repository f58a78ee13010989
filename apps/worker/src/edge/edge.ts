// The edge's contract for read endpoints: what reconcile and resync ask of it, whichever way it
// balances (kernel-redirects.ts, user-space-balancer.ts; read-endpoint.ts picks one per worker).
// Every method is idempotent and outlives the worker: what routeReads set up keeps serving
// while no worker runs, and a worker that starts again finds it with observeReadTargets.

export type EdgeKind = "kernel" | "proxy";

export interface Edge {
  readonly kind: EdgeKind;
  /** Why this edge serves here, for the worker's start line and the instance's events. */
  readonly reason: string;
  /** "host:port" targets the read endpoint sends new connections to now, sorted ([] when it has none
   *  or it is not serving, e.g. a balancer that died). */
  observeReadTargets(instanceUid: string): Promise<string[]>;
  /** Makes the read endpoint on READ_ENDPOINT_HOST:port send each new connection to the next of
   *  `targets` and to nothing else; no targets removes it. Returns once the change is in force. */
  routeReads(instanceUid: string, port: number, targets: string[]): Promise<void>;
  /** Removes read endpoints on ports in `range` whose name (endpointName) isKnown denies; called
   *  after listing, so an instance recorded meanwhile is known. Returns the names removed. */
  removeOrphanReadEndpoints(isKnown: (name: string) => boolean | Promise<boolean>, range: PortRange): Promise<string[]>;
  /** Instances whose read endpoint was set up here and no longer serves (a balancer that died,
   *  a machine that restarted), for resync to reconcile again. */
  lostReadEndpoints(): Promise<string[]>;
}

export interface PortRange {
  first: number;
  last: number;
}

/** A read endpoint that cannot be made here (kernel redirects asked for, without root or iptables). */
export class EdgeUnavailableError extends Error {}

/** One name per read endpoint on either edge (an iptables chain: at most 28 characters). */
export const endpointName = (instanceUid: string) => `CPR-${instanceUid.replace(/-/g, "").slice(0, 24)}`;
