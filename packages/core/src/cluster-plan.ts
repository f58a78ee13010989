// planCluster(desired, observed): the reconcile decision for a cluster (N shards, cluster mode
// on). Each shard is planned exactly as an instance is (planShard: nodes, roles, failover);
// on top come the deployment's own concerns: membership (MEET, FORGET), slot ownership
// (assignment, rebalancing, finishing half-done migrations) and agreement of every node's view.
//
// Slot moves are decided from what the primaries report, never from memory: a worker killed
// mid-migration leaves slots MIGRATING/IMPORTING, and the next pass finishes exactly those
// before it plans anything new, so no slot stays half-moved and no key is left behind.
import { dataSteps, type DataJobKind, type PendingBackup } from "./backup-plan.js";
import { clusterNodeId, nodeId } from "./names.js";
import { finish, planShard, type ClusterView, type ObservedNode, type Plan, type Step } from "./plan.js";
import { upgradeSteps } from "./upgrade-plan.js";
import { rotationSteps, tlsBootstrap, type DesiredTls } from "./tls-plan.js";
import { aclSteps, type DesiredAcl } from "./acl-plan.js";
import { assignUnowned, formatRanges, nextMove, SLOT_COUNT, toRanges } from "./slots.js";

/** Node ordinals of shard s are s * ORDINALS_PER_SHARD + 0..5 (a primary and up to 5 replicas,
 *  with room to replace them), so a node's ordinal alone says which shard it was made for. */
export const ORDINALS_PER_SHARD = 8;

export interface DesiredCluster {
  uid: string;
  deleting: boolean;
  shardCount: number;
  /** Replicas per shard. */
  replicaCount: number;
  /** Zones of a shard's nodes by ordinal within the shard (0 is the primary's). */
  zonesOf: (shard: number) => readonly string[];
  /** Recorded primary of each shard that has one. */
  primaryIds: ReadonlyMap<number, string>;
  config: Record<string, string>;
  /** The discovery endpoint's address: held by shard 0's primary. */
  discoveryHost: string;
  maxLagBytes: number;
  downZones?: readonly string[] | undefined;
  /** A manual failover of one shard (failoverShard). */
  failover?: { shard: number; mode: "LIMITED_DATA_LOSS" | "FORCE_DATA_LOSS" } | undefined;
  /** A backup asked for and not yet taken: taken once everything else has converged. */
  backup?: PendingBackup | undefined;
  /** An import or export asked for and not yet done: done once everything else has converged. */
  dataJob?: DataJobKind | undefined;
  /** The engine build every node should run (an engineKey); rolled shard by shard. */
  engine?: string | undefined;
  /** transitEncryptionMode SERVER_AUTHENTICATION: CAs, trust and certificates (tls-plan.ts). */
  tls?: DesiredTls | undefined;
  /** The users every node must have and the default user's passwords (acl-plan.ts). */
  acl?: DesiredAcl | undefined;
}

const inDownZoneOf = (desired: DesiredCluster) => (n: ObservedNode) => desired.downZones?.includes(n.zone) ?? false;
const isServing = (n: ObservedNode) => n.liveness === "running" && !n.loading && n.cluster !== undefined;
const knows = (view: ClusterView, id: string) => view.peers.some((p) => p.id === id && !p.flags.includes("handshake"));
const isFailing = (flags: readonly string[]) => flags.includes("fail") || flags.includes("fail?");

export const shardPrimaryId = (desired: DesiredCluster, shard: number) => desired.primaryIds.get(shard) ?? nodeId(desired.uid, shard * ORDINALS_PER_SHARD);

export function planCluster(desired: DesiredCluster, observed: readonly ObservedNode[]): Plan {
  const steps: Step[] = [];
  const waiting: string[] = [];
  if (desired.deleting) {
    for (const node of observed) steps.push({ kind: "destroyNode", nodeId: node.id });
    if (steps.length === 0) steps.push({ kind: "deleteInstance" });
    return finish(steps, waiting);
  }
  // A TLS node starts with a certificate: its CA comes first.
  const bootstrap = tlsBootstrap(desired.tls);
  if (bootstrap) return finish([bootstrap], waiting);

  const shardByClusterId = new Map(observed.map((n) => [clusterNodeId(n.id), shardOfNode(n)]));
  const byShard = groupByShard(observed);
  const shards = [...new Set([...Array.from({ length: desired.shardCount }, (_, i) => i), ...byShard.keys()])].sort((a, b) => a - b);
  const inDownZone = inDownZoneOf(desired);

  const { primaries, owners, conflicts } = claims(desired, byShard, shards);
  /** Whether any serving node's view, its primary's own included, gives a node of this shard a
   *  slot (a primary that is down claims nothing itself, but the others still know what it owns). */
  const seenOwning = (shard: number) =>
    observed.some((n) => isServing(n) && n.cluster!.peers.some((p) => p.slots.length > 0 && shardByClusterId.get(p.id) === shard));
  const moving = inFlightMoves(primaries, owners, shardByClusterId);

  const failovers: Step[] = [];
  const switchovers: Step[] = [];
  let blockedByZone = false;
  for (const shard of shards) {
    const nodes = byShard.get(shard) ?? [];
    const retiring = shard >= desired.shardCount;
    // A shard being removed keeps serving until no node anywhere sees it own a slot; then its
    // replicas go, and its primary last (a replica cannot forget its primary).
    if (retiring && !moving.some((m) => m.from === shard || m.to === shard) && !seenOwning(shard)) {
      const primaryId = shardPrimaryId(desired, shard);
      const replicasFirst = [...nodes].sort((a, b) => Number(a.id === primaryId) - Number(b.id === primaryId));
      for (const node of replicasFirst) steps.push({ kind: "destroyNode", nodeId: node.id });
      continue;
    }
    const planned = planShard(
      {
        index: shard,
        nodeCount: retiring ? Math.max(1, nodes.length) : 1 + desired.replicaCount,
        zones: desired.zonesOf(shard),
        ordinalBase: shard * ORDINALS_PER_SHARD,
        primaryId: shardPrimaryId(desired, shard),
        endpointHosts: shard === 0 ? [desired.discoveryHost] : [],
        failover: desired.failover?.shard === shard ? { mode: desired.failover.mode } : undefined,
      },
      nodes,
      {
        config: desired.config,
        highAvailability: desired.replicaCount > 0,
        maxLagBytes: desired.maxLagBytes,
        downZones: desired.downZones,
        canFollow: (node, primary) => node.cluster !== undefined && knows(node.cluster, clusterNodeId(primary.id)),
        tls: desired.tls,
      },
    );
    if (planned.failover) failovers.push(planned.failover);
    steps.push(...planned.steps);
    waiting.push(...planned.waiting);
    if (planned.switchover) switchovers.push(planned.switchover);
    blockedByZone ||= planned.blockedByZone;
  }
  // Every shard whose primary died fails over before anything else (a zone outage hits several).
  if (failovers.length > 0) return finish(failovers, []);

  // Membership: every serving node knows every other serving node, and nobody else.
  const serving = observed.filter((n) => isServing(n) && !inDownZone(n));
  const recorded = new Set(shardByClusterId.keys());
  const pairs: { nodeId: string; host: string; port: number }[] = [];
  const strangers = new Set<string>();
  for (const a of serving) {
    const view = a.cluster!;
    for (const b of serving) {
      if (a === b || knows(view, clusterNodeId(b.id))) continue;
      if (view.peers.some((p) => p.host === b.host && p.port === b.port && p.flags.includes("handshake"))) waiting.push(`node ${a.id} is meeting ${b.id}`);
      else pairs.push({ nodeId: a.id, host: b.host, port: b.port });
    }
    for (const peer of view.peers) if (!recorded.has(peer.id) && !peer.flags.includes("handshake")) strangers.add(peer.id);
  }
  if (pairs.length > 0) steps.push({ kind: "meetNodes", pairs });
  if (strangers.size > 0) steps.push({ kind: "forgetNodes", clusterIds: [...strangers].sort() });
  // Users reach every node that answers once its own steps are done, before slot work: a user
  // change must not wait behind a reshard.
  steps.push(...aclSteps(desired.acl, observed, desired.downZones).steps);

  if (steps.length === 0) {
    const missing = shards.filter((s) => (s < desired.shardCount || byShard.has(s)) && !primaries.has(s));
    if (missing.length > 0) {
      waiting.push(`shard ${missing.join(", ")} has no serving primary`);
      if (missing.some((s) => byShard.get(s)?.some(inDownZone))) blockedByZone = true;
    } else {
      const move = moving[0];
      // A primary that just started refuses writes (and so migrated keys) for its first two
      // seconds with cluster_state:fail (Redis's CLUSTER_WRITABLE_DELAY): moves wait for it.
      const joining = [...primaries].filter(([, p]) => p.cluster!.state !== "ok").map(([s]) => s);
      if ((move || !owners.includes(-1)) && joining.length > 0) {
        waiting.push(`shard ${joining.join(", ")} is joining the cluster`);
      } else if (move) {
        const slots = moving.filter((m) => m.from === move.from && m.to === move.to).map((m) => m.slot);
        steps.push({ kind: "moveSlots", from: move.from, to: move.to, slots, remaining: moving.length });
      } else if (conflicts > 0) {
        waiting.push("slot ownership is settling");
      } else if (owners.includes(-1)) {
        steps.push({ kind: "assignSlots", assignments: assignUnowned(owners, desired.shardCount) });
      } else {
        const next = nextMove(owners, desired.shardCount);
        if (next) steps.push({ kind: "moveSlots", ...next });
      }
    }
  }

  // Status tells the truth: ACTIVE only when every node says the cluster is ok and sees the
  // same owner for every slot as the primaries do.
  if (steps.length === 0 && waiting.length === 0) waiting.push(...viewDisagreements(serving, owners, shardByClusterId, recorded));
  if (steps.length === 0 && waiting.length === 0 && switchovers[0]) steps.push(switchovers[0]);
  if (steps.length === 0 && waiting.length === 0) steps.push(...rotationSteps(desired.tls));
  const all = Array.from({ length: desired.shardCount }, (_, index) => ({ index, primaryId: shardPrimaryId(desired, index) }));
  if (steps.length === 0 && waiting.length === 0) {
    const upgrade = upgradeSteps(desired.engine, all, observed, true);
    steps.push(...upgrade.steps);
    waiting.push(...upgrade.waiting);
  }
  if (steps.length === 0 && waiting.length === 0) {
    const data = dataSteps(desired, all, observed);
    steps.push(...data.steps);
    waiting.push(...data.waiting);
  }
  const result = finish(steps, waiting);
  return blockedByZone ? { ...result, blockedByZone: true } : result;
}

/** Who owns what, according to each shard's serving primary about itself. */
function claims(desired: DesiredCluster, byShard: ReadonlyMap<number, ObservedNode[]>, shards: readonly number[]) {
  const inDownZone = inDownZoneOf(desired);
  const primaries = new Map<number, ObservedNode>();
  for (const shard of shards) {
    const primary = byShard.get(shard)?.find((n) => n.id === shardPrimaryId(desired, shard));
    if (primary && isServing(primary) && !inDownZone(primary)) primaries.set(shard, primary);
  }
  const owners = new Int32Array(SLOT_COUNT).fill(-1);
  let conflicts = 0;
  for (const [shard, primary] of primaries) {
    const me = primary.cluster!.peers.find((p) => p.flags.includes("myself"));
    for (const [a, b] of me?.slots ?? []) {
      for (let slot = a; slot <= b; slot++) {
        if (owners[slot] !== -1 && owners[slot] !== shard) conflicts++;
        else owners[slot] = shard;
      }
    }
  }
  return { primaries, owners, conflicts };
}

/** The slot ranges each shard serves now, as its primary says ({0: ["0-5461"], ...}); shards
 *  whose primary is not serving are left out. What the API shows, during a reshard too. */
export function servedSlots(desired: DesiredCluster, observed: readonly ObservedNode[]): Record<string, string[]> {
  const byShard = groupByShard(observed);
  const { primaries, owners } = claims(desired, byShard, [...byShard.keys()]);
  const slots: Record<string, number[]> = {};
  for (const shard of primaries.keys()) slots[shard] = [];
  owners.forEach((owner, slot) => {
    if (owner >= 0) slots[owner]?.push(slot);
  });
  return Object.fromEntries(Object.entries(slots).map(([shard, list]) => [shard, formatRanges(toRanges(list))]));
}

const shardOfNode = (n: ObservedNode) => n.shard ?? Math.floor(n.ordinal / ORDINALS_PER_SHARD);

function groupByShard(observed: readonly ObservedNode[]) {
  const byShard = new Map<number, ObservedNode[]>();
  for (const n of observed) (byShard.get(shardOfNode(n)) ?? byShard.set(shardOfNode(n), []).get(shardOfNode(n))!).push(n);
  return byShard;
}

interface InFlight {
  slot: number;
  from: number;
  to: number;
}

/** Slots a migration left half done, as the primaries report them: finished toward the node
 *  that imports (or was being migrated to), from whoever owns the slot now. */
function inFlightMoves(primaries: ReadonlyMap<number, ObservedNode>, owners: Int32Array, shardOf: ReadonlyMap<string, number>): InFlight[] {
  const moves = new Map<number, InFlight>();
  for (const [shard, primary] of primaries) {
    for (const { slot, from } of primary.cluster!.importing) {
      const owner = owners[slot]!;
      moves.set(slot, { slot, to: shard, from: owner >= 0 && owner !== shard ? owner : (shardOf.get(from) ?? shard) });
    }
  }
  for (const [shard, primary] of primaries) {
    for (const { slot, to } of primary.cluster!.migrating) {
      const target = shardOf.get(to);
      if (moves.has(slot) || target === undefined) continue;
      moves.set(slot, { slot, from: shard, to: target });
    }
  }
  return [...moves.values()].sort((a, b) => a.from - b.from || a.to - b.to || a.slot - b.slot);
}

function viewDisagreements(
  serving: readonly ObservedNode[],
  owners: Int32Array,
  shardOf: ReadonlyMap<string, number>,
  recorded: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  for (const node of serving) {
    const view = node.cluster!;
    if (view.state !== "ok") {
      out.push(`node ${node.id} reports cluster_state:${view.state}`);
      continue;
    }
    const failing = view.peers.find((p) => recorded.has(p.id) && isFailing(p.flags));
    if (failing) {
      out.push(`node ${node.id} still sees a node as failing`);
      continue;
    }
    const seen = new Int32Array(SLOT_COUNT).fill(-1);
    for (const peer of view.peers) {
      if (!peer.flags.includes("master")) continue;
      for (const [a, b] of peer.slots) seen.fill(shardOf.get(peer.id) ?? -2, a, b + 1);
    }
    if (seen.some((owner, slot) => owner !== owners[slot])) out.push(`node ${node.id} does not yet see the new slot owners`);
  }
  return out;
}
