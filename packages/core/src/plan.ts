// plan(desired, observed): the whole reconcile decision, with no I/O. Reconcile observes,
// calls plan, takes the first step, and observes again, until plan says converged.
//
// Topology: one node is the primary (desired.primaryId); it alone listens on the instance's
// endpoint address, so clients always reach the primary at the same host:port. Replicas
// follow it. When the primary dies, an HA instance fails over to the replica with the most
// data instead of restarting the primary: a restarted primary comes back empty (no
// persistence) and its replicas would copy that emptiness.
import { dataSteps, type DataJobKind, type PendingBackup } from "./backup-plan.js";
import { configDrift } from "./node-config.js";
import { upgradeSteps } from "./upgrade-plan.js";
import { describe } from "./step-description.js";

export { describe };
import { nodeTlsDrift, rotationSteps, tlsBootstrap, type DesiredTls, type NodeTlsObserved } from "./tls-plan.js";
import { aclSteps, type AuthRotation, type DesiredAcl, type NodeAclChange, type ObservedAcl } from "./acl-plan.js";

export interface DesiredInstance {
  uid: string;
  deleting: boolean;
  /** How many nodes: 1 for BASIC, 1 + replicaCount for STANDARD_HA. */
  nodeCount: number;
  /** Zone of each node by ordinal (see placement.ts); at least nodeCount long. */
  zones: readonly string[];
  /** Directives every node must run with (see node-config.ts). */
  config: Record<string, string>;
  /** The node that is (or is to be) the primary; absent until the first node exists. */
  primaryId?: string | undefined;
  /** The instance's endpoint address; the primary listens on it in addition to its own. */
  endpointHost: string;
  /** True for STANDARD_HA: a dead primary is failed over, not restarted. */
  highAvailability: boolean;
  /** A manual failover asked for and not yet done. */
  failover?: { mode: "LIMITED_DATA_LOSS" | "FORCE_DATA_LOSS" } | undefined;
  /** Replica lag (bytes) beyond which LIMITED_DATA_LOSS refuses (Memorystore: 30 MB). */
  maxLagBytes: number;
  /** Zones that are down (fault injection): their nodes are stopped and stay stopped. */
  downZones?: readonly string[] | undefined;
  /** READ_REPLICAS_ENABLED: reads are spread over the healthy replicas at this address. */
  readEndpoint?: boolean | undefined;
  /** A backup asked for and not yet taken: taken once everything else has converged. */
  backup?: PendingBackup | undefined;
  /** An import or export asked for and not yet done: done once everything else has converged. */
  dataJob?: DataJobKind | undefined;
  /** The engine build every node should run (an engineKey); nodes on another are upgraded in turn. */
  engine?: string | undefined;
  /** transitEncryptionMode SERVER_AUTHENTICATION: CAs, trust and certificates (tls-plan.ts). */
  tls?: DesiredTls | undefined;
  /** The users every node must have and the default user's passwords (acl-plan.ts). */
  acl?: DesiredAcl | undefined;
  /** An AUTH string rotation in progress (acl-plan.ts). */
  authRotation?: AuthRotation | undefined;
}

/** What the edge (kernel redirects) does now: where the read endpoint sends connections. */
export interface ObservedEdge {
  /** "host:port" of each node the read endpoint balances over; empty when it has none. */
  readTargets: string[];
}

/** One node as another node's CLUSTER NODES shows it. */
export interface ClusterPeer {
  /** Cluster node id (40 hex digits). */
  id: string;
  host: string;
  port: number;
  /** CLUSTER NODES flags: myself, master, slave, fail, fail?, handshake, noaddr, ... */
  flags: string[];
  /** Replicas: the cluster id of the primary it follows. */
  primaryId?: string | undefined;
  slots: [number, number][];
}

/** What a node in cluster mode says about the cluster (CLUSTER INFO + CLUSTER NODES). */
export interface ClusterView {
  state: string;
  peers: ClusterPeer[];
  /** This node's own half-done slot moves (the [slot->-id] and [slot-<-id] entries). */
  migrating: { slot: number; to: string }[];
  importing: { slot: number; from: string }[];
}

export interface ObservedNode {
  id: string;
  ordinal: number;
  /** Cluster shard index (clusters only). */
  shard?: number | undefined;
  /** Cluster mode only, when the node answers. */
  cluster?: ClusterView | undefined;
  zone: string;
  host: string;
  port: number;
  /** The recorded state: CREATING until it first answered, then READY or UNHEALTHY. */
  state: string;
  liveness: "absent" | "stopped" | "unresponsive" | "running";
  /** How long it has been unresponsive without a break (0 when it answers). */
  unresponsiveForMs?: number | undefined;
  loading: boolean;
  /** The engine build the node was last started on (an engineKey). */
  engine?: string | undefined;
  config: Record<string, string>;
  bind?: string[] | undefined;
  replication?:
    | {
        role: "primary" | "replica";
        primaryHost?: string | undefined;
        primaryPort?: number | undefined;
        linkUp?: boolean | undefined;
        /** A full sync is in progress: its dataset is not (yet) its primary's. */
        syncing?: boolean | undefined;
        /** Replica: it completed a sync since it started, so it holds its primary's data. */
        synced?: boolean | undefined;
        offset: number;
      }
    | undefined;
  /** TLS nodes, when running: the certificate it serves and the bundle it trusts. */
  tls?: NodeTlsObserved | undefined;
  /** Its ACL users, when running and observed for a reconcile (acl-plan.ts). */
  acl?: ObservedAcl | undefined;
}

/** What the topology asks of one node. */
export interface NodeTopology {
  replicaOf?: { host: string; port: number } | undefined;
  endpointHosts: string[];
}

export type Step =
  /** Record the node (id, address, data dir) before making it, so a crash leaves a record. */
  | { kind: "createNode"; ordinal: number; zone: string; shard?: number }
  | { kind: "startNode"; nodeId: string }
  | { kind: "configureNode"; nodeId: string; keys: string[] }
  /** Stop the node, remove its data, then drop its record. */
  | { kind: "destroyNode"; nodeId: string }
  /** Stop the node but keep it (its zone is down); it starts again when the zone recovers. */
  | { kind: "stopNode"; nodeId: string }
  /** The primary is gone: fence it, then make `to` the primary (recorded first). */
  | { kind: "failover"; from: string; to: string; shard?: number }
  /** Manual failover: pause writes, let `to` catch up, swap roles, resume. */
  | { kind: "switchover"; from: string; to: string; mode: "LIMITED_DATA_LOSS" | "FORCE_DATA_LOSS"; shard?: number; purpose?: "upgrade" }
  /** Restart the node on the engine build `engine`; `keepData`: save its dataset first and load it
   *  back (a shard without replicas). A node that does not come up on it is rolled back. */
  | { kind: "upgradeNode"; nodeId: string; engine: string; keepData: boolean; shard?: number }
  /** Point the read endpoint at exactly these nodes ("host:port"); none removes it. */
  | { kind: "routeReads"; targets: string[] }
  /** A manual failover that cannot be done safely: end it with this reason. */
  | { kind: "refuseFailover"; reason: string }
  /** Nothing is left: remove the instance itself. */
  | { kind: "deleteInstance" }
  /** Cluster: introduce nodes to each other (CLUSTER MEET `host port` sent to `nodeId`). */
  | { kind: "meetNodes"; pairs: { nodeId: string; host: string; port: number }[] }
  /** Cluster: nodes still know these cluster ids, which belong to no recorded node. */
  | { kind: "forgetNodes"; clusterIds: string[] }
  /** Cluster: give unowned slots to shards (CLUSTER ADDSLOTSRANGE on each shard's primary). */
  | { kind: "assignSlots"; assignments: { shard: number; ranges: [number, number][] }[] }
  /** Cluster: migrate these slots, keys and ownership, from one shard's primary to another's;
   *  also finishes a move a crashed worker left half done. */
  | { kind: "moveSlots"; from: number; to: number; slots: number[]; remaining: number }
  /** Backup: save this shard's dataset (an RDB from `nodeId`, caught up with `primaryId`). */
  | { kind: "backupShard"; backupUid: string; shard: number; nodeId: string; primaryId: string }
  /** Backup: every shard is saved; the backup becomes ACTIVE. */
  | { kind: "finishBackup"; backupUid: string }
  /** Replace the dataset with the pending import's files (keys go to the shard owning their slot). */
  | { kind: "importData" }
  /** Write an RDB of the dataset to the pending export's destination. */
  | { kind: "exportData" }
  /** TLS: make a CA (its key sealed); `activate`: it signs from now on (the first one), else it
   *  is only trusted and published (the start of a rotation). */
  | { kind: "createCa"; activate: boolean }
  /** TLS: this CA signs from now on; the one that did is only trusted. */
  | { kind: "activateCa"; caUid: string }
  /** TLS: these CAs are no longer trusted nor published (the end of a rotation). */
  | { kind: "retireCa"; caUids: string[] }
  /** TLS: a new certificate from the ACTIVE CA for the node, served at once (no restart). */
  | { kind: "issueCertificate"; nodeId: string; shard?: number }
  /** ACL: set and remove users (and the default user's passwords) on these nodes, all at once. */
  | { kind: "applyAcl"; nodes: NodeAclChange[] }
  /** AUTH string rotation: the new string is on every node; it becomes the instance's. */
  | { kind: "publishAuthString" };

export interface Plan {
  steps: Step[];
  /** Why the instance is not converged although there is nothing to do yet. */
  waiting: string[];
  converged: boolean;
  /** One line for Operation.metadata.statusDetail. */
  detail: string;
  /** Nothing can progress until a zone recovers: no point in polling fast. */
  blockedByZone?: boolean;
}

/** How long a node that was serving may fail to answer before it counts as down. One slow
 *  PING on a loaded machine is not an outage; failing over on it would be (Sentinel's
 *  down-after-milliseconds plays the same role). */
export const DOWN_AFTER_MS = 1_000;
const isHung = (n: ObservedNode) => n.liveness === "unresponsive" && n.state !== "CREATING" && (n.unresponsiveForMs ?? 0) >= DOWN_AFTER_MS;
const isDown = (n: ObservedNode) => n.liveness === "absent" || n.liveness === "stopped" || isHung(n);
/** A running replica of this primary, whatever the state of its link: when the primary has
 *  died every link is down, and these are exactly the nodes that hold its data. */
const followsPrimary = (n: ObservedNode, primary: ObservedNode) =>
  n.liveness === "running" &&
  !n.loading &&
  n.replication?.role === "replica" &&
  n.replication.syncing !== true &&
  n.replication.primaryHost === primary.host &&
  n.replication.primaryPort === primary.port;
/** A replica that may be promoted: it follows the (dead) primary and holds its data. A
 *  completed sync says so even at offset 0: a primary killed a moment after its replicas'
 *  first sync left them its snapshot and nothing newer (seen: linked replicas at offset 0 while
 *  the primary passed 11 kB), and refusing them left a zone outage with no primary. Without a sync
 *  in this process's life, an offset above 1 (Redis's "no primary state") means it restarted
 *  from its own copy on disk. A replica that never synced would serve an empty dataset. */
const canTakeOver = (n: ObservedNode, primary: ObservedNode) =>
  followsPrimary(n, primary) && (n.replication?.synced === true || (n.replication?.offset ?? 0) > 1);
/** A replica in sync with its primary: what READY means for a replica. A fresh primary has
 *  offset 0 until its first write or ping, so the offset says nothing here; the link does. */
export const isHealthyReplica = (n: ObservedNode, primary: ObservedNode) => followsPrimary(n, primary) && n.replication?.linkUp === true;

/** The replica to promote: the most replicated data, then the lowest ordinal (stable). */
export function bestReplica(candidates: readonly ObservedNode[]): ObservedNode | undefined {
  return [...candidates].sort((a, b) => (b.replication?.offset ?? 0) - (a.replication?.offset ?? 0) || a.ordinal - b.ordinal)[0];
}

/** The roles every node should have, given who the primary is. */
export function topologyFor(
  shard: Pick<DesiredShard, "endpointHosts">,
  node: { id: string },
  primary: { host: string; port: number; id: string },
): NodeTopology {
  if (node.id === primary.id) return { endpointHosts: shard.endpointHosts };
  return { replicaOf: { host: primary.host, port: primary.port }, endpointHosts: [] };
}

export function topologyDrift(want: NodeTopology, node: ObservedNode): string[] {
  const keys: string[] = [];
  const bind = new Set(node.bind ?? []);
  const wantBind = new Set([node.host, ...want.endpointHosts]);
  if (bind.size !== wantBind.size || [...wantBind].some((h) => !bind.has(h))) keys.push("bind");
  const rep = node.replication;
  const roleOk = want.replicaOf
    ? rep?.role === "replica" && rep.primaryHost === want.replicaOf.host && rep.primaryPort === want.replicaOf.port
    : rep?.role === "primary";
  if (!roleOk) keys.push("replicaof");
  return keys;
}

/** Which ordinals the shard keeps: the primary's always, then the lowest others. */
function keptOrdinals(count: number, base: number, primary: ObservedNode | undefined, observed: readonly ObservedNode[]): number[] {
  const kept: number[] = primary ? [primary.ordinal] : [];
  const existing = observed.map((n) => n.ordinal).sort((a, b) => a - b);
  for (const ordinal of existing) if (kept.length < count && !kept.includes(ordinal)) kept.push(ordinal);
  for (let ordinal = base; kept.length < count; ordinal++) if (!kept.includes(ordinal)) kept.push(ordinal);
  return kept.sort((a, b) => a - b);
}

const sameTargets = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

/** Where reads go: every healthy replica; the primary when there is none (as Memorystore). */
export function readTargets(desired: DesiredInstance, observed: readonly ObservedNode[]): string[] {
  const primary = observed.find((n) => n.id === desired.primaryId);
  if (!desired.readEndpoint || !primary) return [];
  const healthy = observed.filter((n) => n !== primary && !desired.downZones?.includes(n.zone) && isHealthyReplica(n, primary));
  return (healthy.length > 0 ? healthy : [primary]).map((n) => `${n.host}:${n.port}`).sort();
}

export function plan(desired: DesiredInstance, observed: readonly ObservedNode[], edge: ObservedEdge = { readTargets: [] }): Plan {
  const steps: Step[] = [];
  const waiting: string[] = [];

  if (desired.deleting) {
    if (edge.readTargets.length > 0) steps.push({ kind: "routeReads", targets: [] });
    for (const node of observed) steps.push({ kind: "destroyNode", nodeId: node.id });
    if (steps.length === 0) steps.push({ kind: "deleteInstance" });
    return finish(steps, waiting);
  }
  // A TLS node starts with a certificate: its CA comes first.
  const bootstrap = tlsBootstrap(desired.tls);
  if (bootstrap) return finish([bootstrap], waiting);

  const shard = planShard(
    {
      nodeCount: desired.nodeCount,
      zones: desired.zones,
      ordinalBase: 0,
      primaryId: desired.primaryId,
      endpointHosts: [desired.endpointHost],
      failover: desired.failover,
    },
    observed,
    desired,
  );
  if (shard.failover) return finish([shard.failover], waiting);
  steps.push(...shard.steps);
  waiting.push(...shard.waiting);
  const { primary } = shard;

  // The read endpoint follows health: a replica that dies or falls out of sync leaves it at
  // once. While the primary itself is down it is left as it is (replicas still serve reads).
  if (!desired.readEndpoint) {
    if (edge.readTargets.length > 0) steps.push({ kind: "routeReads", targets: [] });
  } else if (primary?.liveness === "running") {
    const targets = readTargets(desired, observed);
    if (!sameTargets(targets, edge.readTargets)) steps.push({ kind: "routeReads", targets });
  }

  // Users reach every node that answers as soon as its own steps are done, without waiting for
  // replicas to sync: a user change must not wait behind a long full sync.
  const access = aclSteps(desired.acl, observed, desired.downZones, desired.authRotation);
  steps.push(...access.steps);
  waiting.push(...access.waiting);

  if (steps.length === 0 && waiting.length === 0 && shard.switchover) steps.push(shard.switchover);
  if (steps.length === 0 && waiting.length === 0) steps.push(...rotationSteps(desired.tls));
  if (steps.length === 0 && waiting.length === 0) {
    const upgrade = upgradeSteps(desired.engine, [{ index: 0, primaryId: desired.primaryId }], observed, false);
    steps.push(...upgrade.steps);
    waiting.push(...upgrade.waiting);
  }
  if (steps.length === 0 && waiting.length === 0) {
    const data = dataSteps(desired, [{ index: 0, primaryId: desired.primaryId }], observed);
    steps.push(...data.steps);
    waiting.push(...data.waiting);
  }
  const result = finish(steps, waiting);
  return shard.blockedByZone ? { ...result, blockedByZone: true } : result;
}

/** One shard: a primary and its replicas. What an instance is, and what a cluster has N of. */
export interface DesiredShard {
  /** Cluster shard index; absent for an instance (its only shard). */
  index?: number | undefined;
  nodeCount: number;
  /** Zone of each node by ordinal - ordinalBase. */
  zones: readonly string[];
  /** Node ordinals of this shard start here (0 for an instance). */
  ordinalBase: number;
  /** The node that is (or is to be) the primary. */
  primaryId?: string | undefined;
  /** Addresses the primary holds besides its own (an instance's endpoint, a cluster's
   *  discovery endpoint). */
  endpointHosts: string[];
  failover?: { mode: "LIMITED_DATA_LOSS" | "FORCE_DATA_LOSS" } | undefined;
}

/** What holds for every shard of a deployment. */
export interface ShardRules {
  config: Record<string, string>;
  /** A dead primary is failed over to a replica, not restarted. */
  highAvailability: boolean;
  maxLagBytes: number;
  downZones?: readonly string[] | undefined;
  /** Cluster mode: a replica can follow its primary only once it knows it (CLUSTER MEET). */
  canFollow?: ((node: ObservedNode, primary: ObservedNode) => boolean) | undefined;
  /** TLS: each running node serves a certificate of the ACTIVE CA and trusts every published CA. */
  tls?: DesiredTls | undefined;
}

export interface ShardPlan {
  steps: Step[];
  waiting: string[];
  primary: ObservedNode | undefined;
  /** The primary is down and a replica can take over: nothing else matters first. */
  failover?: Step | undefined;
  /** The manual failover to run once the whole deployment is settled (or its refusal). */
  switchover?: Step | undefined;
  blockedByZone: boolean;
}

export function planShard(shard: DesiredShard, observed: readonly ObservedNode[], rules: ShardRules): ShardPlan {
  const steps: Step[] = [];
  const waiting: string[] = [];
  const primary = observed.find((n) => n.id === shard.primaryId);
  const inDownZone = (n: ObservedNode) => rules.downZones?.includes(n.zone) ?? false;
  const replicas = observed.filter((n) => n !== primary && !inDownZone(n));
  const withShard = <T extends Step>(step: T): T => (shard.index === undefined ? step : { ...step, shard: shard.index });

  // A dead primary first: every moment without one is a write outage. A primary in a zone
  // that is down counts as dead even if its process still runs: nobody can reach it.
  if (primary && (isDown(primary) || inDownZone(primary)) && rules.highAvailability) {
    const candidate = bestReplica(replicas.filter((n) => canTakeOver(n, primary)));
    if (candidate) return { steps, waiting, primary, blockedByZone: false, failover: withShard({ kind: "failover", from: primary.id, to: candidate.id }) };
  }

  const kept = keptOrdinals(shard.nodeCount, shard.ordinalBase, primary, observed);
  for (const node of observed) if (!kept.includes(node.ordinal)) steps.push({ kind: "destroyNode", nodeId: node.id });
  for (const ordinal of kept) {
    if (!observed.some((n) => n.ordinal === ordinal)) {
      steps.push(withShard({ kind: "createNode", ordinal, zone: shard.zones[ordinal - shard.ordinalBase]! }));
    }
  }

  // Per node: start what is down, wait for what is starting, converge config and roles.
  // A node still holding an endpoint address it must give up goes first (the address can be
  // bound by one node only), then the primary, so the endpoint is served as early as possible.
  const holdsEndpoint = (n: ObservedNode) => shard.endpointHosts.some((h) => n.bind?.includes(h));
  const rank = (n: ObservedNode) => (n !== primary && holdsEndpoint(n) ? 0 : n === primary ? 1 : 2);
  let blockedByZone = false;
  const ordered = [...observed].filter((n) => kept.includes(n.ordinal)).sort((a, b) => rank(a) - rank(b) || a.ordinal - b.ordinal);
  for (const node of ordered) {
    if (inDownZone(node)) {
      if (node.liveness === "running" || node.liveness === "unresponsive") steps.push({ kind: "stopNode", nodeId: node.id });
      else {
        waiting.push(`node ${node.id} is in zone ${node.zone}, which is down`);
        blockedByZone = true;
      }
      continue;
    }
    switch (node.liveness) {
      case "absent":
      case "stopped":
        // A replica is started as a replica (its config says whom it follows); a primary
        // without a healthy replica to fail over to is restarted as the best we can do.
        if (primary || node.id === shard.primaryId) steps.push({ kind: "startNode", nodeId: node.id });
        else waiting.push(`node ${node.id} waits for a primary`);
        continue;
      case "unresponsive":
        // A node that hangs is fenced and restarted (a replica, or a primary with no replica to
        // take over); one that is starting, or briefly slow, is waited for.
        if (isHung(node)) steps.push({ kind: "stopNode", nodeId: node.id });
        else waiting.push(node.state === "CREATING" ? `node ${node.id} is starting` : `node ${node.id} does not answer`);
        continue;
      case "running": {
        if (node.loading) {
          waiting.push(`node ${node.id} is loading its data`);
          continue;
        }
        // A rotation moves on only when every node's certificate has been seen.
        if (rules.tls && !node.tls) waiting.push(`node ${node.id}'s certificate has not been observed yet`);
        const tlsDrift = rules.tls ? nodeTlsDrift(rules.tls, node) : undefined;
        if (tlsDrift === "certificate") {
          steps.push(withShard({ kind: "issueCertificate", nodeId: node.id }));
          continue;
        }
        const keys = configDrift(rules.config, node.config);
        if (tlsDrift === "trust") keys.push("tls-ca-cert-file");
        if (primary && primary.liveness === "running") {
          const drift = topologyDrift(topologyFor(shard, node, primary), node);
          if (drift.includes("replicaof") && node !== primary && rules.canFollow && !rules.canFollow(node, primary)) {
            waiting.push(`node ${node.id} has not met its primary yet`);
            keys.push(...drift.filter((k) => k !== "replicaof"));
          } else keys.push(...drift);
        }
        if (keys.length > 0) {
          steps.push({ kind: "configureNode", nodeId: node.id, keys });
          continue;
        }
        if (primary && node !== primary && !inDownZone(primary) && !isHealthyReplica(node, primary)) waiting.push(`replica ${node.id} is syncing`);
      }
    }
  }
  if (!primary && observed.length > 0) waiting.push("no primary recorded");

  let switchover: Step | undefined;
  if (shard.failover && primary) {
    const candidate = bestReplica(replicas.filter((n) => isHealthyReplica(n, primary)));
    if (!candidate) {
      switchover = { kind: "refuseFailover", reason: "no healthy replica to fail over to" };
    } else {
      const lag = (primary.replication?.offset ?? 0) - (candidate.replication?.offset ?? 0);
      if (shard.failover.mode === "LIMITED_DATA_LOSS" && lag > rules.maxLagBytes) {
        switchover = {
          kind: "refuseFailover",
          reason: `the best replica lags ${lag} bytes behind, more than ${rules.maxLagBytes}; use FORCE_DATA_LOSS to fail over anyway`,
        };
      } else {
        switchover = withShard({ kind: "switchover", from: primary.id, to: candidate.id, mode: shard.failover.mode });
      }
    }
  }
  return { steps, waiting, primary, switchover, blockedByZone };
}

export function finish(steps: Step[], waiting: string[]): Plan {
  const converged = steps.length === 0 && waiting.length === 0;
  const detail = steps[0] ? describe(steps[0]) : (waiting[0] ?? "Ready");
  return { steps, waiting, converged, detail };
}
