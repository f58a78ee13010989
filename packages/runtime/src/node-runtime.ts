// The one interface every data-node driver implements (process today, docker next).
// The worker only speaks to nodes through it, so a feature works the same on any driver.

/** Everything a driver needs to make one data node real. Derived from the desired spec. */
export interface NodeSpec {
  /** Deterministic node id, "{instance uid}-{ordinal}"; names files, processes, containers. */
  id: string;
  instanceUid: string;
  projectId: string;
  zone: string;
  /** Engine version label, e.g. "REDIS_7_0"; a driver maps it to a binary or an image. */
  redisVersion: string;
  host: string;
  port: number;
  /** Directory the control plane allocated for this node; the driver owns what is inside. */
  dataDir: string;
  /** Redis config directives (name -> value) the node must run with; includes maxmemory,
   *  requirepass when auth is on, and the user's redisConfigs. Never logged: may hold secrets. */
  config: Record<string, string>;
}

export type NodeLiveness =
  /** No process/container exists for this node. */
  | "absent"
  /** Its container exists but is not running (exited): start() runs it again, data kept. */
  | "stopped"
  /** It exists but does not answer PING yet (starting) or has stopped answering (hung, stopped). */
  | "unresponsive"
  /** It answers PING. A node loading its dataset answers -LOADING: it is "running" with
   *  `loading: true`, so readiness is `running && !loading`. */
  | "running";

export interface NodeObservation {
  id: string;
  liveness: NodeLiveness;
  /** True while the node is loading its dataset (INFO persistence loading:1). */
  loading: boolean;
  /** The live values of the directives named in NodeSpec.config (CONFIG GET), when running. */
  config: Record<string, string>;
  /** "master" | "slave" from INFO replication, when running. */
  role?: string;
  /** OS pid or container id, for diagnostics only. */
  handle?: string;
}

export interface StartOptions {
  /** Progress of slow preparation (an image pull), one human-readable line per event. */
  onProgress?: (message: string) => void;
}

export interface NodeRuntime {
  readonly driver: "process" | "docker";
  /** Starts the node if it is not running (idempotent). Resolves once the process or container
   *  exists; readiness is observed later through observe(). */
  start(spec: NodeSpec, options?: StartOptions): Promise<void>;
  /** Calls onDeath(nodeId) as soon as a node dies, where the driver can tell (docker's event
   *  stream); the supervisor's probes cover drivers without it. */
  watch?(onDeath: (nodeId: string) => void): { close(): void };
  /** Observes the node (cheap enough to call every second). Never throws for a missing node;
   *  throws RuntimeUnavailableError when the driver's engine itself is unreachable, so that
   *  reconcile backs off instead of treating every node as gone. */
  observe(spec: NodeSpec): Promise<NodeObservation>;
  /** Applies config to the running node and persists it so a restart keeps it (idempotent). */
  configure(spec: NodeSpec): Promise<void>;
  /** Stops the node and releases everything it holds: process/container, data dir (idempotent). */
  destroy(spec: NodeSpec): Promise<void>;
  /** Ids of nodes this driver finds on the machine for cacheplane (to find orphans). */
  list(): Promise<string[]>;
  /** Releases the driver's own resources (admin connections); nodes keep running. */
  close(): Promise<void>;
}
