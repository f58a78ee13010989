import { describe, expect, it } from "vitest";
import { bestReplica, plan, topologyDrift, type DesiredInstance, type ObservedNode } from "../src/plan.js";

const config = { maxmemory: "1073741824", requirepass: "", save: "" };
const VIP = "127.0.0.1";
const desired = (over: Partial<DesiredInstance> = {}): DesiredInstance => ({
  uid: "u1",
  deleting: false,
  nodeCount: 1,
  zones: ["local1-a", "local1-b", "local1-c", "local1-b", "local1-c", "local1-b"],
  config,
  primaryId: "u1-0",
  endpointHost: VIP,
  highAvailability: false,
  maxLagBytes: 30 * 1024 * 1024,
  ...over,
});
const host = (ordinal: number) => `127.0.2.${ordinal + 1}`;
const primaryNode = (over: Partial<ObservedNode> = {}): ObservedNode => ({
  id: "u1-0",
  ordinal: 0,
  zone: "local1-a",
  host: host(0),
  port: 7000,
  state: "READY",
  liveness: "running",
  loading: false,
  config: { ...config },
  bind: [host(0), VIP],
  replication: { role: "primary", offset: 1000 },
  ...over,
});
const replica = (ordinal: number, over: Partial<ObservedNode> = {}): ObservedNode => ({
  id: `u1-${ordinal}`,
  ordinal,
  zone: "local1-b",
  host: host(ordinal),
  port: 7000,
  state: "READY",
  liveness: "running",
  loading: false,
  config: { ...config },
  bind: [host(ordinal)],
  replication: { role: "replica", primaryHost: host(0), primaryPort: 7000, linkUp: true, offset: 1000 },
  ...over,
});
const ha = (over: Partial<DesiredInstance> = {}) => desired({ nodeCount: 3, highAvailability: true, ...over });

describe("plan: one node (BASIC)", () => {
  it("creates the missing node first, recording it before anything runs", () => {
    const p = plan(desired(), []);
    expect(p.steps).toEqual([{ kind: "createNode", ordinal: 0, zone: "local1-a" }]);
    expect(p.converged).toBe(false);
    expect(p.detail).toBe("Creating node 0 in zone local1-a");
  });

  it("starts a recorded node that has no process, or whose container exited", () => {
    expect(plan(desired(), [primaryNode({ liveness: "absent", config: {} })]).steps).toEqual([{ kind: "startNode", nodeId: "u1-0" }]);
    expect(plan(desired(), [primaryNode({ liveness: "stopped", config: {} })]).steps).toEqual([{ kind: "startNode", nodeId: "u1-0" }]);
  });

  it("waits, without steps, while a node starts or loads", () => {
    const starting = plan(desired(), [primaryNode({ liveness: "unresponsive", state: "CREATING", config: {} })]);
    expect(starting.steps).toEqual([]);
    expect(starting.converged).toBe(false);
    expect(starting.waiting).toEqual(["node u1-0 is starting"]);
    const loading = plan(desired(), [primaryNode({ loading: true })]);
    expect(loading.converged).toBe(false);
    expect(loading.detail).toBe("node u1-0 is loading its data");
  });

  it("is converged when the node runs with the desired config and holds the endpoint", () => {
    expect(plan(desired(), [primaryNode()])).toEqual({ steps: [], waiting: [], converged: true, detail: "Ready" });
  });

  it("configures only the keys that drifted, including a missing endpoint address", () => {
    const p = plan(desired({ config: { ...config, maxmemory: "2147483648" } }), [primaryNode({ bind: [host(0)] })]);
    expect(p.steps).toEqual([{ kind: "configureNode", nodeId: "u1-0", keys: ["maxmemory", "bind"] }]);
  });

  it("treats a missing live value as drift", () => {
    expect(plan(desired({ config: { ...config, timeout: "30" } }), [primaryNode()]).steps).toEqual([
      { kind: "configureNode", nodeId: "u1-0", keys: ["timeout"] },
    ]);
  });

  it("compares keyspace event flags as sets, as Redis reorders and folds them", () => {
    const want = { ...config, "notify-keyspace-events": "KEA" };
    expect(plan(desired({ config: want }), [primaryNode({ config: { ...want, "notify-keyspace-events": "AKE" } })]).converged).toBe(true);
    expect(plan(desired({ config: want }), [primaryNode({ config: { ...want, "notify-keyspace-events": "KE" } })]).converged).toBe(false);
  });

  it("restarts a dead BASIC primary (there is nothing to fail over to)", () => {
    expect(plan(desired(), [primaryNode({ liveness: "absent" })]).steps).toEqual([{ kind: "startNode", nodeId: "u1-0" }]);
  });

  it("destroys every node, then the instance, when deleting", () => {
    const nodes = [primaryNode(), replica(1, { liveness: "absent" })];
    expect(plan(desired({ deleting: true }), nodes).steps).toEqual([
      { kind: "destroyNode", nodeId: "u1-0" },
      { kind: "destroyNode", nodeId: "u1-1" },
    ]);
    expect(plan(desired({ deleting: true }), []).steps).toEqual([{ kind: "deleteInstance" }]);
  });

  it("is idempotent: the same inputs give the same plan", () => {
    const observed = [primaryNode({ liveness: "absent" })];
    expect(plan(desired(), observed)).toEqual(plan(desired(), observed));
  });
});

describe("plan: replicas (STANDARD_HA)", () => {
  it("creates every node, primary's zone first", () => {
    expect(plan(ha(), []).steps).toEqual([
      { kind: "createNode", ordinal: 0, zone: "local1-a" },
      { kind: "createNode", ordinal: 1, zone: "local1-b" },
      { kind: "createNode", ordinal: 2, zone: "local1-c" },
    ]);
  });

  it("points replicas at the primary and keeps the endpoint on the primary only", () => {
    const fresh = replica(1, { replication: { role: "primary", offset: 0 }, bind: [host(1)] });
    const p = plan(ha({ nodeCount: 2 }), [primaryNode(), fresh]);
    expect(p.steps).toEqual([{ kind: "configureNode", nodeId: "u1-1", keys: ["replicaof"] }]);
    const stray = replica(1, { bind: [host(1), VIP] });
    expect(plan(ha({ nodeCount: 2 }), [primaryNode(), stray]).steps).toEqual([{ kind: "configureNode", nodeId: "u1-1", keys: ["bind"] }]);
  });

  it("is not ready while a replica is still syncing", () => {
    const syncing = replica(1, { replication: { role: "replica", primaryHost: host(0), primaryPort: 7000, linkUp: false, offset: 0 } });
    const p = plan(ha({ nodeCount: 2 }), [primaryNode(), syncing]);
    expect(p.converged).toBe(false);
    expect(p.waiting).toEqual(["replica u1-1 is syncing"]);
  });

  it("is converged with a primary and linked replicas", () => {
    expect(plan(ha(), [primaryNode(), replica(1), replica(2)]).converged).toBe(true);
  });

  it("is converged right after the first sync of an idle primary (offsets still 0)", () => {
    const idle = (ordinal: number) => replica(ordinal, { replication: { role: "replica", primaryHost: host(0), primaryPort: 7000, linkUp: true, offset: 0 } });
    expect(plan(ha(), [primaryNode({ replication: { role: "primary", offset: 0 } }), idle(1), idle(2)]).converged).toBe(true);
  });

  it("fails over a dead primary to the replica with the most data, never restarting it first", () => {
    // The replicas' links are down: their primary is dead. They still hold its data.
    const down = (offset: number) => ({ role: "replica" as const, primaryHost: host(0), primaryPort: 7000, linkUp: false, offset });
    const nodes = [primaryNode({ liveness: "absent" }), replica(1, { replication: down(900) }), replica(2, { replication: down(1000) })];
    expect(plan(ha(), nodes).steps).toEqual([{ kind: "failover", from: "u1-0", to: "u1-2" }]);
  });

  it("fails over a dead primary to a replica that synced from it even at offset 0, never to one that never synced", () => {
    // Killed a moment after the first sync: the replicas hold its snapshot and nothing newer.
    const synced = { role: "replica" as const, primaryHost: host(0), primaryPort: 7000, linkUp: false, synced: true, offset: 0 };
    expect(plan(ha({ nodeCount: 2 }), [primaryNode({ liveness: "absent" }), replica(1, { replication: synced })]).steps).toEqual([
      { kind: "failover", from: "u1-0", to: "u1-1" },
    ]);
    // Offset 1 and no sync: Redis has no primary state for it at all (an empty dataset).
    const never = { ...synced, synced: false, offset: 1 };
    expect(plan(ha({ nodeCount: 2 }), [primaryNode({ liveness: "absent" }), replica(1, { replication: never })]).steps).toEqual([
      { kind: "startNode", nodeId: "u1-0" },
    ]);
  });

  it("fails over a primary that hangs (was READY, no answer for a second), not one that is slow", () => {
    const hung = [primaryNode({ liveness: "unresponsive", unresponsiveForMs: 1500 }), replica(1)];
    expect(plan(ha({ nodeCount: 2 }), hung).steps).toEqual([{ kind: "failover", from: "u1-0", to: "u1-1" }]);
    const slow = [primaryNode({ liveness: "unresponsive", unresponsiveForMs: 300 }), replica(1)];
    const waiting = plan(ha({ nodeCount: 2 }), slow);
    expect(waiting.steps).toEqual([]);
    expect(waiting.waiting).toEqual(["node u1-0 does not answer"]);
  });

  it("fences and restarts a BASIC node that hangs", () => {
    expect(plan(desired(), [primaryNode({ liveness: "unresponsive", unresponsiveForMs: 5000 })]).steps).toEqual([{ kind: "stopNode", nodeId: "u1-0" }]);
  });

  it("never promotes a replica still in its first full sync (it holds no data yet)", () => {
    const fresh = replica(1, { replication: { role: "replica", primaryHost: host(0), primaryPort: 7000, linkUp: false, syncing: true, offset: 0 } });
    expect(plan(ha({ nodeCount: 2 }), [primaryNode({ liveness: "absent" }), fresh]).steps).toEqual([{ kind: "startNode", nodeId: "u1-0" }]);
  });

  it("restarts the primary only when no replica is healthy", () => {
    const nodes = [primaryNode({ liveness: "absent" }), replica(1, { liveness: "absent" })];
    expect(plan(ha({ nodeCount: 2 }), nodes).steps[0]).toEqual({ kind: "startNode", nodeId: "u1-0" });
  });

  it("after a failover, restarts the old primary as a replica and converges roles", () => {
    // u1-2 is now the recorded primary; u1-0 is dead and must come back following u1-2.
    const newPrimary = replica(2, { replication: { role: "primary", offset: 1000 }, bind: [host(2), VIP] });
    const oldPrimary = primaryNode({ liveness: "absent", replication: undefined, bind: undefined });
    const other = replica(1);
    const p = plan(ha({ primaryId: "u1-2" }), [oldPrimary, other, newPrimary]);
    expect(p.steps).toEqual([
      { kind: "startNode", nodeId: "u1-0" },
      { kind: "configureNode", nodeId: "u1-1", keys: ["replicaof"] },
    ]);
  });

  it("takes the endpoint from the old primary before giving it to the new one", () => {
    // The new primary is recorded but the old one still serves the endpoint (a crash between
    // the record and the switch): the old one gives it up first.
    const old = primaryNode();
    const next = replica(1);
    const p = plan(ha({ nodeCount: 2, primaryId: "u1-1" }), [old, next]);
    expect(p.steps[0]).toEqual({ kind: "configureNode", nodeId: "u1-0", keys: ["bind", "replicaof"] });
  });

  it("scales replicas in without ever removing the primary", () => {
    const nodes = [replica(0), replica(1), primaryNode({ id: "u1-2", ordinal: 2, host: host(2), bind: [host(2), VIP] })];
    const p = plan(ha({ nodeCount: 2, primaryId: "u1-2" }), nodes);
    expect(p.steps[0]).toEqual({ kind: "destroyNode", nodeId: "u1-1" });
    expect(p.steps.some((s) => s.kind === "destroyNode" && s.nodeId === "u1-2")).toBe(false);
  });

  it("scales replicas out", () => {
    const p = plan(ha({ nodeCount: 4 }), [primaryNode(), replica(1), replica(2)]);
    expect(p.steps).toEqual([{ kind: "createNode", ordinal: 3, zone: "local1-b" }]);
  });

  it("switches over on request once converged, or refuses when the best replica lags too far", () => {
    const want = ha({ nodeCount: 2, failover: { mode: "LIMITED_DATA_LOSS" } });
    expect(plan(want, [primaryNode(), replica(1)]).steps).toEqual([{ kind: "switchover", from: "u1-0", to: "u1-1", mode: "LIMITED_DATA_LOSS" }]);
    const busy = primaryNode({ replication: { role: "primary", offset: 50 * 1024 * 1024 } });
    const lagging = replica(1, { replication: { role: "replica", primaryHost: host(0), primaryPort: 7000, linkUp: true, offset: 10 * 1024 * 1024 } });
    const refused = plan(want, [busy, lagging]);
    expect(refused.steps[0]).toMatchObject({ kind: "refuseFailover" });
    expect(plan(ha({ nodeCount: 2, failover: { mode: "FORCE_DATA_LOSS" } }), [busy, lagging]).steps[0]).toMatchObject({
      kind: "switchover",
      mode: "FORCE_DATA_LOSS",
    });
  });

  it("refuses a manual failover with no replica", () => {
    expect(plan(desired({ failover: { mode: "FORCE_DATA_LOSS" } }), [primaryNode()]).steps).toEqual([
      { kind: "refuseFailover", reason: "no healthy replica to fail over to" },
    ]);
  });

  it("fails over away from a zone that is down, then stops the node there", () => {
    const want = ha({ nodeCount: 2, downZones: ["local1-a"] });
    expect(plan(want, [primaryNode(), replica(1)]).steps).toEqual([{ kind: "failover", from: "u1-0", to: "u1-1" }]);
    // After the failover: the old primary (zone a) must stay stopped; nothing else to do.
    const after = plan({ ...want, primaryId: "u1-1" }, [
      primaryNode({ replication: { role: "primary", offset: 1 }, bind: [host(0)] }),
      replica(1, { replication: { role: "primary", offset: 1 }, bind: [host(1), VIP] }),
    ]);
    expect(after.steps).toEqual([{ kind: "stopNode", nodeId: "u1-0" }]);
    const stopped = plan({ ...want, primaryId: "u1-1" }, [
      primaryNode({ liveness: "absent" }),
      replica(1, { replication: { role: "primary", offset: 1 }, bind: [host(1), VIP] }),
    ]);
    expect(stopped.steps).toEqual([]);
    expect(stopped.waiting).toEqual(["node u1-0 is in zone local1-a, which is down"]);
  });

  it("brings a BASIC node in a down zone down too, and back when the zone recovers", () => {
    expect(plan(desired({ downZones: ["local1-a"] }), [primaryNode()]).steps).toEqual([{ kind: "stopNode", nodeId: "u1-0" }]);
    expect(plan(desired(), [primaryNode({ liveness: "absent" })]).steps).toEqual([{ kind: "startNode", nodeId: "u1-0" }]);
  });

  it("picks the best replica by offset, then ordinal", () => {
    const a = replica(1, { replication: { role: "replica", offset: 5 } });
    const b = replica(2, { replication: { role: "replica", offset: 5 } });
    expect(bestReplica([b, a])?.id).toBe("u1-1");
  });

  it("reports role and address drift", () => {
    expect(topologyDrift({ endpointHosts: [VIP] }, replica(1))).toEqual(["bind", "replicaof"]);
    expect(topologyDrift({ endpointHosts: [], replicaOf: { host: host(0), port: 7000 } }, replica(1))).toEqual([]);
  });
});

describe("plan: read endpoint", () => {
  const reads = (over: Partial<DesiredInstance> = {}) => ha({ readEndpoint: true, ...over });
  const all = [primaryNode(), replica(1), replica(2)];

  it("routes reads to every healthy replica", () => {
    expect(plan(reads(), all).steps).toEqual([{ kind: "routeReads", targets: [`${host(1)}:7000`, `${host(2)}:7000`] }]);
    expect(plan(reads(), all, { readTargets: [`${host(1)}:7000`, `${host(2)}:7000`] }).converged).toBe(true);
  });

  it("drops a replica that is not in sync, and falls back to the primary when none is", () => {
    const syncing = replica(2, { replication: { role: "replica", primaryHost: host(0), primaryPort: 7000, linkUp: false, offset: 0 } });
    expect(plan(reads(), [primaryNode(), replica(1), syncing], { readTargets: [`${host(1)}:7000`, `${host(2)}:7000`] }).steps[0]).toEqual({
      kind: "routeReads",
      targets: [`${host(1)}:7000`],
    });
    expect(plan(reads({ nodeCount: 1 }), [primaryNode()]).steps).toEqual([{ kind: "routeReads", targets: [`${host(0)}:7000`] }]);
  });

  it("leaves the routes alone while the primary is down, and removes them when disabled or deleting", () => {
    const down = [primaryNode({ liveness: "absent" }), replica(1, { liveness: "absent" })];
    expect(plan(reads({ nodeCount: 2 }), down, { readTargets: [`${host(1)}:7000`] }).steps.some((s) => s.kind === "routeReads")).toBe(false);
    expect(plan(ha(), all, { readTargets: [`${host(1)}:7000`] }).steps).toEqual([{ kind: "routeReads", targets: [] }]);
    expect(plan(reads({ deleting: true }), all, { readTargets: [`${host(1)}:7000`] }).steps[0]).toEqual({ kind: "routeReads", targets: [] });
  });
});
