import type { ClusterView } from "./cluster-admin.js";
import type { LogsOptions } from "./node-logs.js";

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
  /** Extra addresses the node must also listen on, with the same port: the instance's endpoint
   *  addresses while this node holds them (e.g. "127.1.0.9"). Bound after `host`. */
  endpointHosts?: string[];
  /** The primary this node replicates from; absent means the node is a primary. Written to its
   *  redis.conf too, so a restarted node comes back as a replica (never as an empty primary).
   *  `masterauth` comes through `config` like any directive. */
  replicaOf?: { host: string; port: number };
  /** Cluster mode. `myId` is the node's cluster id, seeded into nodes.conf before its first
   *  start; `primaryId` (replicas) the cluster id of the primary it follows (CLUSTER REPLICATE:
   *  REPLICAOF is refused in cluster mode). Endpoint addresses are bound live only, never from
   *  redis.conf, so the cluster bus never listens on them. */
  cluster?: { myId: string; primaryId?: string };
  /** The engine build the node runs, for rolling upgrades (the control plane stops a node and
   *  starts it again with another build). Each driver reads its own field; a missing one is the
   *  driver's default (process: the configured or found redis-server; docker: imageOverride ??
   *  images[redisVersion]). Only a start applies it: a running node is never replaced. */
  engine?: NodeEngine;
  /** transitEncryptionMode SERVER_AUTHENTICATION: the node serves TLS only on `port` (no plaintext
   *  listener), replicates and speaks the cluster bus over TLS, and asks clients for no
   *  certificate. Every connection the control plane opens to it verifies its certificate against
   *  `caPem`. Files: see tls/node-tls.ts. Never logged: the key is a secret. */
  tls?: NodeTls;
  /** The node's ACL users, as far as a start needs them: its aclfile is written from this (and
   *  what ACL SAVE left in it) before the server starts, and observe() reports ACL LIST. Absent:
   *  the default user from requirepass, the other users as the aclfile has them. */
  acl?: NodeAcl;
}

export interface NodeAcl {
  /** SHA-256 hex of each password the default user accepts; none: nopass. The default user keeps
   *  every command, key and channel: it is the control plane's own (admin, probes, replication). */
  defaultPasswordHashes: string[];
  /** Every other user the node must have, by name. A start keeps these from the aclfile (as the
   *  node's own ACL SAVE wrote them) and drops any other, so a user removed while the node was
   *  down never comes back with it. */
  users: string[];
}

/** What applyAcl() changes: each user set with its `ACL SETUSER <name>` arguments (the default
 *  user among them when its passwords change), then each user removed. */
export interface AclChange {
  set: { name: string; rules: string[] }[];
  remove: string[];
}

export interface AclApplied {
  /** ACL LIST right after the change. */
  lines: string[];
  /** Users the node refused to set, with its reason (no secret in it): each is left disabled
   *  (`reset`: off, no password, no permission), never half-applied. */
  rejected: { name: string; reason: string }[];
  /** False when the node runs without an aclfile (started before it had one): the users hold
   *  until its next start, which gives it one. */
  saved: boolean;
}

export interface NodeTls {
  /** PEM bundle of the CAs the node trusts (its replication and cluster-bus peers are verified
   *  against it); the control plane verifies the node against it too. start() and configure()
   *  write it, and configure() makes a running node load it (NodeObservation.tls.trust). */
  caPem: string;
  /** A newly issued certificate (PEM) and its private key (PKCS#8 PEM), both or neither: start()
   *  and configure() install them (the key 0600) and configure() makes a running node serve them
   *  at once, without a restart. Absent: the node keeps the certificate it has; a start with
   *  none in the spec nor in its data dir is a NodeStartError. */
  certPem?: string;
  keyPem?: string;
}

/** A TLS node's certificate as its handshake shows it, and the bundle it trusts. */
export interface NodeTlsObservation {
  /** SHA-256 fingerprint (X509Certificate.fingerprint256) of the CA in spec.tls.caPem that issued
   *  the certificate the node serves; absent when none of them did. */
  issuer?: string;
  serialNumber: string;
  /** Its IP subjectAltNames. */
  addresses: string[];
  /** When it expires (ms since the epoch). */
  validTo: number;
  /** Digest (caBundleDigest) of the trust bundle the node has loaded; absent when unknown. */
  trust?: string;
}

export interface NodeEngine {
  /** Process driver: absolute path of a redis-server executable. Debian's binary picks its mode
   *  by its file name (/usr/bin/redis-server links to redis-check-rdb), so a copy must be named
   *  redis-server. Not absolute: InvalidNodeSpecError; not an executable file: NodeStartError. */
  binary?: string;
  /** Docker driver: the image the node's container is created from (pulled when missing). The
   *  driver runs `redis-server` from the image's PATH, never the image's own entrypoint. */
  image?: string;
}

/** Replication state from INFO replication. */
export interface NodeReplication {
  role: "primary" | "replica";
  /** Replica only: the primary it replicates from (master_host / master_port). */
  primaryHost?: string;
  primaryPort?: number;
  /** Replica only: master_link_status:up. */
  linkUp?: boolean;
  /** Primary: master_repl_offset. Replica: slave_repl_offset (master_repl_offset when missing). */
  offset: number;
  /** Primary only: connected_slaves. */
  connectedReplicas?: number;
  /** Replica only: master_sync_in_progress:1 (a full sync is running). */
  syncing?: boolean;
  /** Replica only: it has completed a sync since it started (its link is up, or it went down
   *  after one: master_link_down_since_seconds is not -1), so it holds its primary's data as of
   *  its offset, even when that offset is still 0 (the primary's stream had not begun). */
  synced?: boolean;
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
  /** Live listening addresses (CONFIG GET bind, split), when running. */
  bind?: string[];
  /** Replication state, when running. */
  replication?: NodeReplication;
  /** Cluster mode: the node's view of the cluster, when running. */
  cluster?: ClusterView;
  /** TLS nodes, when running: the certificate it serves and the CAs it trusts. A node whose
   *  certificate does not verify against spec.tls.caPem (or not for its address) cannot be
   *  talked to safely and is observed "unresponsive". */
  tls?: NodeTlsObservation;
  /** ACL LIST, when running and the spec has `acl` (a reconcile's observation). */
  acl?: { lines: string[] };
  /** OS pid or container id, for diagnostics only. */
  handle?: string;
  /** What the node really runs, whenever its process/container exists (any liveness but
   *  "absent"): process, the resolved path of its executable (/proc/<pid>/exe; the default
   *  /usr/bin/redis-server reads as /usr/bin/redis-check-rdb); docker, the image name its
   *  container was created from (Config.Image). Compare with the resolved NodeSpec.engine. */
  engine?: string;
}

export interface StartOptions {
  /** Progress of slow preparation (an image pull), one human-readable line per event. */
  onProgress?: (message: string) => void;
  /** Keep the node's RDB and AOF files even where a start would remove them (a primary with
   *  persistence off that ran before starts empty: see planDataFiles). For a restart right after
   *  stop(spec, { save: true }) of a node whose data must survive it (an upgrade of a node with
   *  no replica to resync from). */
  keepData?: boolean;
}

export interface StopOptions {
  /** A node that answers is stopped with SHUTDOWN SAVE: its whole dataset (every acknowledged
   *  write) is in its RDB file when it stops, even with persistence off. A node that does not
   *  answer is killed as without it. Throws, leaving the node running, when the node answers but
   *  cannot save (refused, a disk error, every known password refused, still saving after
   *  two minutes): a kill then would lose what the caller asked to keep. */
  save?: boolean;
}

export interface NodeRuntime {
  readonly driver: "process" | "docker";
  /** Starts the node if it is not running (idempotent; a running node is never replaced, whatever
   *  its engine: stop it first). Resolves once the process or container runs and answers, or
   *  startTimeoutMs passed; readiness is observed later through observe(). A stopped docker
   *  container created for another shape, labels or image (spec.engine.image, a moved tag) is
   *  recreated, its data dir kept.
   *  An engine that cannot run (a binary that exits at once, an image without redis-server) is
   *  thrown as NodeStartError naming the node, with the reason the driver sees: process, the
   *  exit code and log tail of a process that exited during the wait (or a binary that is not an
   *  executable file); docker, the engine's refusal to start the container (missing executable)
   *  or the exit code and logs of one that exited during the wait. observe() then reports
   *  "absent" (process) or "stopped" (docker), and a start with a good engine works. */
  start(spec: NodeSpec, options?: StartOptions): Promise<void>;
  /** Calls onDeath(nodeId) as soon as a node dies, where the driver can tell (docker's event
   *  stream); the supervisor's probes cover drivers without it. */
  watch?(onDeath: (nodeId: string) => void): { close(): void };
  /** Observes the node (cheap enough to call every second). Never throws for a missing node;
   *  throws RuntimeUnavailableError when the driver's engine itself is unreachable, so that
   *  reconcile backs off instead of treating every node as gone. */
  observe(spec: NodeSpec): Promise<NodeObservation>;
  /** Applies config to the running node and persists it so a restart keeps it (idempotent).
   *  Also converges the live listening addresses ([host, ...endpointHosts]) and the replication
   *  role (replicaOf): a node that becomes a primary is promoted (REPLICAOF NO ONE) before it
   *  binds endpoint addresses; a node that stops being a primary drops its endpoint addresses
   *  (and the clients connected through them) before it replicates. Throws AddressInUseError,
   *  with nothing changed, when an address it must bind is held by another process. */
  configure(spec: NodeSpec): Promise<void>;
  /** Sets and removes ACL users on the running node (ACL SETUSER, each atomic: a client never
   *  sees a user half set, and no connection is cut) and persists them (ACL SAVE into its aclfile).
   *  The default user is never removed, nor disabled when a node refuses its rules (that is
   *  thrown). Throws NodeUnavailableError when the node does not answer. */
  applyAcl(spec: NodeSpec, change: AclChange): Promise<AclApplied>;
  /** Stops the node's process/container but keeps its data dir (start() brings it back): fences a
   *  failed primary that may still hold an endpoint address. Once it resolves nothing of the node
   *  listens anymore, also when it was hung (SIGSTOP, paused). Idempotent; no error when already
   *  stopped or absent. With `save`, a node that answers saves its dataset and exits by itself
   *  first (see StopOptions); afterwards it is observed as without it (process "absent", docker
   *  "stopped", its container kept for start()). */
  stop(spec: NodeSpec, options?: StopOptions): Promise<void>;
  /** Stops the node and releases everything it holds: process/container, data dir (idempotent). */
  destroy(spec: NodeSpec): Promise<void>;
  /** The node's own log lines (what the engine wrote to its log: starts, saves, replication,
   *  warnings), the newest `tail`, oldest first. Read from the end, so a long-lived node costs what
   *  `tail` lines cost. Read-only: safe beside a worker that manages the same nodes. Lines are as
   *  the engine wrote them and may hold what a client made it log (redis.log in a script): the
   *  caller redacts secrets before showing them. A node without a log (never started, destroyed,
   *  or not this driver's) is [], never an error; an id that is not a node id is
   *  InvalidNodeSpecError (it names a path); docker throws RuntimeUnavailableError when its engine
   *  is unreachable (see its container-logs.ts). */
  logs(nodeId: string, options: LogsOptions): Promise<string[]>;
  /** Ids of nodes this driver finds on the machine for cacheplane (to find orphans). */
  list(): Promise<string[]>;
  /** Releases the driver's own resources (admin connections); nodes keep running. */
  close(): Promise<void>;
}
