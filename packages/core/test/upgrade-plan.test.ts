import { describe, expect, it } from "vitest";
import { plan, type DesiredInstance, type ObservedNode } from "../src/plan.js";
import { ORDINALS_PER_SHARD, planCluster, type DesiredCluster } from "../src/cluster-plan.js";
import { clusterNodeId, nodeAddress } from "../src/names.js";
import { upgradeSteps } from "../src/upgrade-plan.js";

const OLD = "REDIS_7_0@20261101_00_00";
const NEW = "REDIS_7_2@20261115_00_00";
const config = { maxmemory: "1073741824", requirepass: "", save: "" };
const VIP = "127.0.0.1";
const host = (ordinal: number) => `127.0.2.${ordinal + 1}`;

const desired = (over: Partial<DesiredInstance> = {}): DesiredInstance => ({
  uid: "u1",
  deleting: false,
  nodeCount: 3,
  zones: ["local1-a", "local1-b", "local1-c", "local1-b"],
  config,
  primaryId: "u1-0",
  endpointHost: VIP,
  highAvailability: true,
  maxLagBytes: 30 * 1024 * 1024,
  engine: NEW,
  ...over,
});
const node = (ordinal: number, engine: string, primaryOrdinal = 0, over: Partial<ObservedNode> = {}): ObservedNode => {
  const isPrimary = ordinal === primaryOrdinal;
  return {
    id: `u1-${ordinal}`,
    ordinal,
    zone: "local1-a",
    host: host(ordinal),
    port: 7000,
    state: "READY",
    liveness: "running",
    loading: false,
    engine,
    config: { ...config },
    bind: isPrimary ? [host(ordinal), VIP] : [host(ordinal)],
    replication: isPrimary
      ? { role: "primary", offset: 1000 }
      : { role: "replica", primaryHost: host(primaryOrdinal), primaryPort: 7000, linkUp: true, offset: 1000 },
    ...over,
  };
};

describe("upgrade plan: an HA instance", () => {
  it("does nothing when every node runs the desired engine, or when no engine is desired", () => {
    const nodes = [node(0, NEW), node(1, NEW), node(2, NEW)];
    expect(plan(desired(), nodes).converged).toBe(true);
    expect(plan(desired({ engine: undefined }), [node(0, OLD), node(1, OLD), node(2, OLD)]).converged).toBe(true);
  });

  it("upgrades the replicas first, lowest ordinal first, one at a time", () => {
    const p = plan(desired(), [node(0, OLD), node(1, OLD), node(2, OLD)]);
    expect(p.steps).toEqual([{ kind: "upgradeNode", nodeId: "u1-1", engine: NEW, keepData: false }]);
    expect(p.detail).toBe("Upgrading node u1-1 to REDIS_7_2 (20261115_00_00)");
    expect(plan(desired(), [node(0, OLD), node(1, NEW), node(2, OLD)]).steps).toEqual([{ kind: "upgradeNode", nodeId: "u1-2", engine: NEW, keepData: false }]);
  });

  it("never takes the next replica down while the last one is still syncing", () => {
    const syncing = node(1, NEW, 0, { replication: { role: "replica", primaryHost: host(0), primaryPort: 7000, linkUp: false, syncing: true, offset: 0 } });
    const p = plan(desired(), [node(0, OLD), syncing, node(2, OLD)]);
    expect(p.steps).toEqual([]);
    expect(p.waiting.join()).toMatch(/u1-1 is syncing/);
  });

  it("then switches the primary over to an upgraded replica in sync (planned, no data loss)", () => {
    const p = plan(desired(), [
      node(0, OLD),
      node(1, NEW, 0, { replication: { role: "replica", primaryHost: host(0), primaryPort: 7000, linkUp: true, offset: 900 } }),
      node(2, NEW),
    ]);
    expect(p.steps).toEqual([{ kind: "switchover", from: "u1-0", to: "u1-2", mode: "LIMITED_DATA_LOSS", purpose: "upgrade" }]);
    expect(p.detail).toMatch(/Switching the primary over from u1-0 to the upgraded u1-2/);
  });

  it("then upgrades the old primary, now a replica of the new one", () => {
    const p = plan(desired({ primaryId: "u1-2" }), [node(0, OLD, 2), node(1, NEW, 2), node(2, NEW, 2)]);
    expect(p.steps).toEqual([{ kind: "upgradeNode", nodeId: "u1-0", engine: NEW, keepData: false }]);
  });

  it("waits while no upgraded replica is in sync to take the primary over", () => {
    const down = node(1, NEW, 0, { replication: { role: "replica", primaryHost: host(0), primaryPort: 7000, linkUp: false, offset: 10 } });
    const p = upgradeSteps(NEW, [{ index: 0, primaryId: "u1-0" }], [node(0, OLD), down], false);
    expect(p.steps).toEqual([]);
    expect(p.waiting).toEqual(["no upgraded replica of u1-0 is in sync yet"]);
  });

  it("a repair comes first: a dead replica is started (on its own engine), not upgraded", () => {
    const p = plan(desired(), [node(0, OLD), node(1, OLD, 0, { liveness: "absent", config: {} }), node(2, OLD)]);
    expect(p.steps).toEqual([{ kind: "startNode", nodeId: "u1-1" }]);
  });

  it("a manual failover asked for runs before the rollout goes on", () => {
    const p = plan(desired({ failover: { mode: "LIMITED_DATA_LOSS" } }), [node(0, OLD), node(1, OLD), node(2, OLD)]);
    expect(p.steps[0]).toMatchObject({ kind: "switchover", mode: "LIMITED_DATA_LOSS" });
    expect(p.steps[0]).not.toHaveProperty("purpose");
  });

  it("the rollout comes before a pending backup", () => {
    const p = plan(desired({ backup: { uid: "b1", doneShards: [] } }), [node(0, OLD), node(1, OLD), node(2, OLD)]);
    expect(p.steps[0]!.kind).toBe("upgradeNode");
  });
});

describe("upgrade plan: BASIC", () => {
  it("restarts the only node keeping its data (saved first, loaded back)", () => {
    const p = plan(desired({ nodeCount: 1, highAvailability: false }), [node(0, OLD)]);
    expect(p.steps).toEqual([{ kind: "upgradeNode", nodeId: "u1-0", engine: NEW, keepData: true }]);
  });
});

describe("upgrade plan: a cluster", () => {
  const ZONES = ["local1-a", "local1-b", "local1-c"];
  const idOf = (shard: number, k: number) => `c1-${shard * ORDINALS_PER_SHARD + k}`;
  const cdesired = (over: Partial<DesiredCluster> = {}): DesiredCluster => ({
    uid: "c1",
    deleting: false,
    shardCount: 2,
    replicaCount: 1,
    zonesOf: () => ZONES,
    primaryIds: new Map(),
    config,
    discoveryHost: VIP,
    maxLagBytes: 30 * 1024 * 1024,
    engine: NEW,
    ...over,
  });
  /** A healthy 2-shard cluster; `engineOf(shard, k)` says which engine each node runs. */
  function nodes(replicas: number, engineOf: (shard: number, k: number) => string): ObservedNode[] {
    const all: { id: string; shard: number; k: number; ordinal: number }[] = [];
    for (let s = 0; s < 2; s++) for (let k = 0; k <= replicas; k++) all.push({ id: idOf(s, k), shard: s, k, ordinal: s * ORDINALS_PER_SHARD + k });
    const slots: [number, number][][] = [[[0, 8191]], [[8192, 16383]]];
    return all.map((n) => ({
      id: n.id,
      ordinal: n.ordinal,
      shard: n.shard,
      zone: ZONES[n.k]!,
      host: nodeAddress(n.ordinal),
      port: 7000,
      state: "READY",
      liveness: "running",
      loading: false,
      engine: engineOf(n.shard, n.k),
      config: { ...config },
      bind: n.shard === 0 && n.k === 0 ? [nodeAddress(0), VIP] : [nodeAddress(n.ordinal)],
      replication:
        n.k === 0
          ? { role: "primary", offset: 500 }
          : { role: "replica", primaryHost: nodeAddress(n.shard * ORDINALS_PER_SHARD), primaryPort: 7000, linkUp: true, offset: 500 },
      cluster: {
        state: "ok",
        peers: all.map((p) => ({
          id: clusterNodeId(p.id),
          host: nodeAddress(p.ordinal),
          port: 7000,
          flags: [...(p.id === n.id ? ["myself"] : []), p.k === 0 ? "master" : "slave"],
          primaryId: p.k === 0 ? undefined : clusterNodeId(idOf(p.shard, 0)),
          slots: p.k === 0 ? slots[p.shard]! : [],
        })),
        migrating: [],
        importing: [],
      },
    }));
  }

  it("rolls shard 0 completely (replica, switchover) before touching shard 1", () => {
    expect(
      planCluster(
        cdesired(),
        nodes(1, () => OLD),
      ).steps,
    ).toEqual([{ kind: "upgradeNode", nodeId: "c1-1", engine: NEW, keepData: false, shard: 0 }]);
    expect(
      planCluster(
        cdesired(),
        nodes(1, (s, k) => (s === 0 && k === 1 ? NEW : OLD)),
      ).steps,
    ).toEqual([{ kind: "switchover", from: "c1-0", to: "c1-1", mode: "LIMITED_DATA_LOSS", purpose: "upgrade", shard: 0 }]);
    expect(
      planCluster(
        cdesired(),
        nodes(1, (s) => (s === 0 ? NEW : OLD)),
      ).steps,
    ).toEqual([{ kind: "upgradeNode", nodeId: "c1-9", engine: NEW, keepData: false, shard: 1 }]);
  });

  it("a shard without replicas restarts its primary keeping its data", () => {
    expect(
      planCluster(
        cdesired({ replicaCount: 0 }),
        nodes(0, () => OLD),
      ).steps,
    ).toEqual([{ kind: "upgradeNode", nodeId: "c1-0", engine: NEW, keepData: true, shard: 0 }]);
  });

  it("is converged once every node of every shard runs the engine", () => {
    expect(
      planCluster(
        cdesired(),
        nodes(1, () => NEW),
      ).converged,
    ).toBe(true);
  });
});
