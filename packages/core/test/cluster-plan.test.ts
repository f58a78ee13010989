import { describe, expect, it } from "vitest";
import { ORDINALS_PER_SHARD, planCluster, type DesiredCluster } from "../src/cluster-plan.js";
import { clusterNodeId, nodeAddress } from "../src/names.js";
import type { ClusterPeer, ObservedNode } from "../src/plan.js";
import { evenSlotCounts } from "../src/slots.js";

const config = { maxmemory: "1073741824", requirepass: "" };
const DISCOVERY = "127.0.0.1";
const PORT = 7000;
const ZONES = ["local1-a", "local1-b", "local1-c"];

const desired = (over: Partial<DesiredCluster> = {}): DesiredCluster => ({
  uid: "c1",
  deleting: false,
  shardCount: 3,
  replicaCount: 1,
  zonesOf: (shard) => [
    ZONES[shard % 3]!,
    ZONES[(shard + 1) % 3]!,
    ZONES[(shard + 2) % 3]!,
    ZONES[(shard + 1) % 3]!,
    ZONES[(shard + 2) % 3]!,
    ZONES[(shard + 1) % 3]!,
  ],
  primaryIds: new Map(),
  config,
  discoveryHost: DISCOVERY,
  maxLagBytes: 30 * 1024 * 1024,
  ...over,
});

const ordinalOf = (shard: number, k: number) => shard * ORDINALS_PER_SHARD + k;
const idOf = (shard: number, k: number) => `c1-${ordinalOf(shard, k)}`;

/** Balanced ranges for n shards, as assignUnowned makes them. */
function ranges(n: number): [number, number][][] {
  let start = 0;
  return evenSlotCounts(n).map((count) => {
    const r: [number, number][] = [[start, start + count - 1]];
    start += count;
    return r;
  });
}

interface Layout {
  shards: number;
  replicas: number;
  /** Slots per shard as primaries claim them. */
  slots?: [number, number][][];
  migrating?: Record<string, { slot: number; to: string }[]>;
  importing?: Record<string, { slot: number; from: string }[]>;
}

/** A healthy cluster: every node knows every other, replicas follow their primaries. */
function cluster({ shards, replicas, slots = ranges(shards), migrating = {}, importing = {} }: Layout): ObservedNode[] {
  const nodes: { id: string; shard: number; k: number }[] = [];
  for (let s = 0; s < shards; s++) for (let k = 0; k <= replicas; k++) nodes.push({ id: idOf(s, k), shard: s, k });
  const peers = (me: string): ClusterPeer[] =>
    nodes.map((n) => ({
      id: clusterNodeId(n.id),
      host: nodeAddress(ordinalOf(n.shard, n.k)),
      port: PORT,
      flags: [...(n.id === me ? ["myself"] : []), n.k === 0 ? "master" : "slave"],
      primaryId: n.k === 0 ? undefined : clusterNodeId(idOf(n.shard, 0)),
      slots: n.k === 0 ? (slots[n.shard] ?? []) : [],
    }));
  return nodes.map((n) => ({
    id: n.id,
    ordinal: ordinalOf(n.shard, n.k),
    shard: n.shard,
    zone: desired().zonesOf(n.shard)[n.k]!,
    host: nodeAddress(ordinalOf(n.shard, n.k)),
    port: PORT,
    state: "READY",
    liveness: "running",
    loading: false,
    config: { ...config },
    bind: n.shard === 0 && n.k === 0 ? [nodeAddress(0), DISCOVERY] : [nodeAddress(ordinalOf(n.shard, n.k))],
    replication:
      n.k === 0
        ? { role: "primary", offset: 500 }
        : { role: "replica", primaryHost: nodeAddress(ordinalOf(n.shard, 0)), primaryPort: PORT, linkUp: true, offset: 500 },
    cluster: { state: "ok", peers: peers(n.id), migrating: migrating[n.id] ?? [], importing: importing[n.id] ?? [] },
  }));
}

const kinds = (p: ReturnType<typeof planCluster>) => p.steps.map((s) => s.kind);

describe("planCluster: create", () => {
  it("records every node of every shard first, each shard's primary in its own zone", () => {
    const p = planCluster(desired(), []);
    const creates = p.steps.filter((s) => s.kind === "createNode");
    expect(creates).toHaveLength(6);
    expect(creates[0]).toEqual({ kind: "createNode", ordinal: 0, zone: "local1-a", shard: 0 });
    expect(creates).toContainEqual({ kind: "createNode", ordinal: 8, zone: "local1-b", shard: 1 });
    expect(creates).toContainEqual({ kind: "createNode", ordinal: 17, zone: "local1-a", shard: 2 });
  });

  it("introduces nodes that do not know each other", () => {
    const nodes = cluster({ shards: 2, replicas: 0 }).map((n) => ({
      ...n,
      cluster: { ...n.cluster!, peers: n.cluster!.peers.filter((p) => p.flags.includes("myself")) },
    }));
    const p = planCluster(desired({ shardCount: 2, replicaCount: 0 }), nodes);
    expect(p.steps[0]).toEqual({
      kind: "meetNodes",
      pairs: [
        { nodeId: "c1-0", host: nodeAddress(8), port: PORT },
        { nodeId: "c1-8", host: nodeAddress(0), port: PORT },
      ],
    });
  });

  it("waits for a handshake in progress instead of meeting again", () => {
    const nodes = cluster({ shards: 2, replicas: 0 });
    nodes[0]!.cluster!.peers = nodes[0]!.cluster!.peers.map((p) =>
      p.id === clusterNodeId("c1-8") ? { ...p, id: "f".repeat(40), flags: ["handshake", "master"] } : p,
    );
    const p = planCluster(desired({ shardCount: 2, replicaCount: 0 }), nodes);
    expect(kinds(p)).not.toContain("meetNodes");
    expect(p.waiting[0]).toMatch(/meeting/);
  });

  it("does not tell a replica to follow a primary it has not met", () => {
    const nodes = cluster({ shards: 1, replicas: 1 });
    const replica = nodes[1]!;
    replica.replication = { role: "primary", offset: 0 };
    replica.cluster!.peers = replica.cluster!.peers.filter((p) => p.flags.includes("myself"));
    const p = planCluster(desired({ shardCount: 1 }), nodes);
    expect(p.steps.some((s) => s.kind === "configureNode" && s.nodeId === "c1-1")).toBe(false);
    expect(kinds(p)).toContain("meetNodes");
  });

  it("makes a met replica follow its primary", () => {
    const nodes = cluster({ shards: 1, replicas: 1 });
    nodes[1]!.replication = { role: "primary", offset: 0 };
    expect(planCluster(desired({ shardCount: 1 }), nodes).steps).toEqual([{ kind: "configureNode", nodeId: "c1-1", keys: ["replicaof"] }]);
  });

  it("gives shard 0's primary the discovery endpoint", () => {
    const nodes = cluster({ shards: 2, replicas: 0 });
    nodes[0]!.bind = [nodeAddress(0)];
    expect(planCluster(desired({ shardCount: 2, replicaCount: 0 }), nodes).steps).toEqual([{ kind: "configureNode", nodeId: "c1-0", keys: ["bind"] }]);
  });

  it("assigns all slots once every node has met, evenly", () => {
    const p = planCluster(desired(), cluster({ shards: 3, replicas: 1, slots: [] }));
    expect(p.steps).toEqual([
      {
        kind: "assignSlots",
        assignments: [
          { shard: 0, ranges: [[0, 5461]] },
          { shard: 1, ranges: [[5462, 10922]] },
          { shard: 2, ranges: [[10923, 16383]] },
        ],
      },
    ]);
  });

  it("is converged when every slot is owned as planned and every view agrees", () => {
    const p = planCluster(desired(), cluster({ shards: 3, replicas: 1 }));
    expect(p.converged).toBe(true);
    expect(p.detail).toBe("Ready");
  });

  it("is not ready while a node still reports cluster_state:fail or sees old owners", () => {
    const nodes = cluster({ shards: 3, replicas: 1 });
    nodes[3]!.cluster!.state = "fail";
    expect(planCluster(desired(), nodes).waiting[0]).toMatch(/cluster_state:fail/);
    const stale = cluster({ shards: 3, replicas: 1 });
    stale[5]!.cluster!.peers = stale[5]!.cluster!.peers.map((p) => (p.id === clusterNodeId("c1-0") ? { ...p, slots: [[0, 100]] } : p));
    expect(planCluster(desired(), stale).waiting[0]).toMatch(/does not yet see/);
  });

  it("forgets cluster ids that belong to no recorded node", () => {
    const nodes = cluster({ shards: 1, replicas: 0 });
    nodes[0]!.cluster!.peers.push({ id: "a".repeat(40), host: "127.0.2.99", port: PORT, flags: ["master", "fail"], slots: [] });
    expect(planCluster(desired({ shardCount: 1, replicaCount: 0 }), nodes).steps).toEqual([{ kind: "forgetNodes", clusterIds: ["a".repeat(40)] }]);
  });
});

describe("planCluster: resharding", () => {
  it("adds a shard's nodes, then moves slots to it in batches", () => {
    const three = cluster({ shards: 3, replicas: 0 });
    const p = planCluster(desired({ shardCount: 4, replicaCount: 0 }), three);
    expect(p.steps).toEqual([{ kind: "createNode", ordinal: 24, zone: "local1-a", shard: 3 }]);

    const four = cluster({ shards: 4, replicas: 0, slots: [...ranges(3), []] });
    const move = planCluster(desired({ shardCount: 4, replicaCount: 0 }), four).steps[0]!;
    expect(move).toMatchObject({ kind: "moveSlots", from: 0, to: 3, remaining: 4096 });
  });

  it("waits for a new shard's primary to leave cluster_state:fail (its first 2 s) before moving slots to it", () => {
    const four = cluster({ shards: 4, replicas: 0, slots: [...ranges(3), []] });
    four[3]!.cluster!.state = "fail";
    const p = planCluster(desired({ shardCount: 4, replicaCount: 0 }), four);
    expect(p.steps).toEqual([]);
    expect(p.waiting[0]).toMatch(/shard 3 is joining/);
  });

  it("drains a shard being removed and only then removes its nodes", () => {
    const two = planCluster(desired({ shardCount: 2, replicaCount: 0 }), cluster({ shards: 3, replicas: 0 }));
    expect(two.steps[0]).toMatchObject({ kind: "moveSlots", from: 2 });
    expect(kinds(two)).not.toContain("destroyNode");

    const drained = cluster({ shards: 3, replicas: 0, slots: [[[0, 8191]], [[8192, 16383]], []] });
    expect(planCluster(desired({ shardCount: 2, replicaCount: 0 }), drained).steps).toEqual([{ kind: "destroyNode", nodeId: "c1-16" }]);
  });

  it("removes a drained shard's replicas before its primary, and the replica left alone after a crash", () => {
    const drained = cluster({ shards: 3, replicas: 1, slots: [[[0, 8191]], [[8192, 16383]], []] });
    expect(planCluster(desired({ shardCount: 2 }), drained).steps).toEqual([
      { kind: "destroyNode", nodeId: "c1-17" },
      { kind: "destroyNode", nodeId: "c1-16" },
    ]);
    const primaryGone = drained.filter((n) => n.id !== "c1-16");
    expect(planCluster(desired({ shardCount: 2 }), primaryGone).steps[0]).toEqual({ kind: "destroyNode", nodeId: "c1-17" });
  });

  it("never removes a retiring shard whose primary is down while the others still see it own slots", () => {
    const nodes = cluster({ shards: 3, replicas: 0 });
    nodes[2]!.liveness = "absent";
    nodes[2]!.cluster = undefined;
    const p = planCluster(desired({ shardCount: 2, replicaCount: 0 }), nodes);
    expect(kinds(p)).not.toContain("destroyNode");
    expect(p.steps[0]).toEqual({ kind: "startNode", nodeId: "c1-16" });
  });

  it("finishes a move a crashed worker left half done before planning any other", () => {
    const nodes = cluster({
      shards: 3,
      replicas: 0,
      migrating: { "c1-0": [{ slot: 100, to: clusterNodeId("c1-16") }] },
      importing: { "c1-16": [{ slot: 100, from: clusterNodeId("c1-0") }] },
    });
    expect(planCluster(desired({ replicaCount: 0 }), nodes).steps).toEqual([{ kind: "moveSlots", from: 0, to: 2, slots: [100], remaining: 1 }]);
  });

  it("finishes a move whose target already owns the slot but whose source is still MIGRATING", () => {
    const slots = ranges(3);
    slots[0] = [
      [0, 99],
      [101, 5461],
    ];
    slots[2] = [
      [100, 100],
      [10923, 16383],
    ];
    const nodes = cluster({ shards: 3, replicas: 0, slots, migrating: { "c1-0": [{ slot: 100, to: clusterNodeId("c1-16") }] } });
    expect(planCluster(desired({ replicaCount: 0 }), nodes).steps).toEqual([{ kind: "moveSlots", from: 0, to: 2, slots: [100], remaining: 1 }]);
  });

  it("finishes an import left after the source shard failed over (a new primary, no MIGRATING)", () => {
    const nodes = cluster({ shards: 3, replicas: 1, importing: { "c1-16": [{ slot: 7, from: clusterNodeId("c1-0") }] } });
    const p = planCluster(desired({ primaryIds: new Map([[0, "c1-1"]]) }), swapRoles(nodes, "c1-0", "c1-1"));
    expect(p.steps).toEqual([{ kind: "moveSlots", from: 0, to: 2, slots: [7], remaining: 1 }]);
  });

  it("waits for both claims of a slot to settle (gossip) rather than moving it", () => {
    const slots = ranges(3);
    slots[2] = [[0, 0], ...slots[2]!];
    const p = planCluster(desired({ replicaCount: 0 }), cluster({ shards: 3, replicas: 0, slots }));
    expect(p.steps).toEqual([]);
    expect(p.waiting).toContain("slot ownership is settling");
  });
});

/** The same cluster after `to` took over from `from` (roles and slot claims swapped). */
function swapRoles(nodes: ObservedNode[], from: string, to: string): ObservedNode[] {
  const a = nodes.find((n) => n.id === from)!;
  const b = nodes.find((n) => n.id === to)!;
  const aId = clusterNodeId(from);
  const bId = clusterNodeId(to);
  return nodes.map((n) => {
    const peers = n.cluster!.peers.map((p) => {
      if (p.id === aId) return { ...p, flags: p.flags.map((f) => (f === "master" ? "slave" : f)), primaryId: bId, slots: [] };
      if (p.id === bId) {
        const old = n.cluster!.peers.find((q) => q.id === aId)!;
        return { ...p, flags: p.flags.map((f) => (f === "slave" ? "master" : f)), primaryId: undefined, slots: old.slots };
      }
      return p;
    });
    const replication =
      n === a
        ? { role: "replica" as const, primaryHost: b.host, primaryPort: PORT, linkUp: true, offset: 500 }
        : n === b
          ? { role: "primary" as const, offset: 500 }
          : n.replication;
    const bind = n === a ? [a.host] : n === b ? [b.host, DISCOVERY] : n.bind;
    return { ...n, replication, bind, cluster: { ...n.cluster!, peers } };
  });
}

describe("planCluster: failures", () => {
  it("fails over every shard whose primary died, before anything else", () => {
    const nodes = cluster({ shards: 3, replicas: 1 });
    nodes[0]!.liveness = "absent";
    nodes[4]!.liveness = "absent";
    const p = planCluster(desired(), nodes);
    expect(p.steps).toEqual([
      { kind: "failover", from: "c1-0", to: "c1-1", shard: 0 },
      { kind: "failover", from: "c1-16", to: "c1-17", shard: 2 },
    ]);
  });

  it("restarts the node of a shard without replicas", () => {
    const nodes = cluster({ shards: 2, replicas: 0 });
    nodes[1]!.liveness = "absent";
    expect(planCluster(desired({ shardCount: 2, replicaCount: 0 }), nodes).steps).toEqual([{ kind: "startNode", nodeId: "c1-8" }]);
  });

  it("fails over shards whose primary is in a zone that is down", () => {
    const nodes = cluster({ shards: 3, replicas: 1 });
    const p = planCluster(desired({ downZones: ["local1-b"] }), nodes);
    expect(p.steps[0]).toEqual({ kind: "failover", from: "c1-8", to: "c1-9", shard: 1 });
  });

  it("runs a manual failover of one shard once the cluster is settled", () => {
    const p = planCluster(desired({ failover: { shard: 1, mode: "LIMITED_DATA_LOSS" } }), cluster({ shards: 3, replicas: 1 }));
    expect(p.steps).toEqual([{ kind: "switchover", from: "c1-8", to: "c1-9", mode: "LIMITED_DATA_LOSS", shard: 1 }]);
  });

  it("deletes every node, then the cluster", () => {
    expect(kinds(planCluster(desired({ deleting: true }), cluster({ shards: 2, replicas: 1 })))).toEqual([
      "destroyNode",
      "destroyNode",
      "destroyNode",
      "destroyNode",
    ]);
    expect(planCluster(desired({ deleting: true }), []).steps).toEqual([{ kind: "deleteInstance" }]);
  });
});
