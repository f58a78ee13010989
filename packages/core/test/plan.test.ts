import { describe, expect, it } from "vitest";
import { plan, type DesiredInstance, type ObservedNode } from "../src/plan.js";

const config = { maxmemory: "1073741824", requirepass: "", save: "" };
const desired = (over: Partial<DesiredInstance> = {}): DesiredInstance => ({
  uid: "u1",
  deleting: false,
  zones: ["local1-a"],
  config,
  ...over,
});
const node = (over: Partial<ObservedNode> = {}): ObservedNode => ({
  id: "u1-0",
  ordinal: 0,
  zone: "local1-a",
  liveness: "running",
  loading: false,
  config: { ...config },
  ...over,
});

describe("plan", () => {
  it("creates the missing node first, recording it before anything runs", () => {
    const p = plan(desired(), []);
    expect(p.steps).toEqual([{ kind: "createNode", ordinal: 0, zone: "local1-a" }]);
    expect(p.converged).toBe(false);
    expect(p.detail).toBe("Creating node 0 in zone local1-a");
  });

  it("starts a recorded node that has no process (fresh, crashed or killed)", () => {
    const p = plan(desired(), [node({ liveness: "absent", config: {} })]);
    expect(p.steps).toEqual([{ kind: "startNode", nodeId: "u1-0" }]);
  });

  it("starts a node whose container exited", () => {
    expect(plan(desired(), [node({ liveness: "stopped", config: {} })]).steps).toEqual([{ kind: "startNode", nodeId: "u1-0" }]);
  });

  it("waits, without steps, while a node starts or loads", () => {
    const starting = plan(desired(), [node({ liveness: "unresponsive", config: {} })]);
    expect(starting.steps).toEqual([]);
    expect(starting.converged).toBe(false);
    expect(starting.waiting).toEqual(["node u1-0 is starting"]);
    const loading = plan(desired(), [node({ loading: true })]);
    expect(loading.converged).toBe(false);
    expect(loading.detail).toBe("node u1-0 is loading its data");
  });

  it("is converged when every node runs with the desired config", () => {
    const p = plan(desired(), [node()]);
    expect(p).toEqual({ steps: [], waiting: [], converged: true, detail: "Ready" });
  });

  it("configures only the keys that drifted", () => {
    const p = plan(desired({ config: { ...config, maxmemory: "2147483648", "maxmemory-policy": "allkeys-lru" } }), [
      node({ config: { ...config, "maxmemory-policy": "allkeys-lru" } }),
    ]);
    expect(p.steps).toEqual([{ kind: "configureNode", nodeId: "u1-0", keys: ["maxmemory"] }]);
  });

  it("treats a missing live value as drift", () => {
    const p = plan(desired({ config: { ...config, timeout: "30" } }), [node()]);
    expect(p.steps).toEqual([{ kind: "configureNode", nodeId: "u1-0", keys: ["timeout"] }]);
  });

  it("compares keyspace event flags as sets, as Redis reorders and folds them", () => {
    const want = { ...config, "notify-keyspace-events": "KEA" };
    expect(plan(desired({ config: want }), [node({ config: { ...want, "notify-keyspace-events": "AKE" } })]).converged).toBe(true);
    expect(plan(desired({ config: want }), [node({ config: { ...want, "notify-keyspace-events": "KE" } })]).converged).toBe(false);
  });

  it("destroys every node, then the instance, when deleting", () => {
    const nodes = [node(), node({ id: "u1-1", ordinal: 1, liveness: "absent" })];
    expect(plan(desired({ deleting: true }), nodes).steps).toEqual([
      { kind: "destroyNode", nodeId: "u1-0" },
      { kind: "destroyNode", nodeId: "u1-1" },
    ]);
    expect(plan(desired({ deleting: true }), []).steps).toEqual([{ kind: "deleteInstance" }]);
  });

  it("removes nodes beyond the desired count and nodes in the wrong zone", () => {
    const p = plan(desired({ zones: ["local1-b"] }), [node(), node({ id: "u1-1", ordinal: 1 })]);
    expect(p.steps).toEqual([
      { kind: "destroyNode", nodeId: "u1-0" },
      { kind: "destroyNode", nodeId: "u1-1" },
    ]);
    // Once the misplaced node is gone, the replacement is created in the right zone.
    expect(plan(desired({ zones: ["local1-b"] }), []).steps).toEqual([{ kind: "createNode", ordinal: 0, zone: "local1-b" }]);
  });

  it("is idempotent: the same inputs give the same plan", () => {
    const observed = [node({ liveness: "absent" })];
    expect(plan(desired(), observed)).toEqual(plan(desired(), observed));
  });
});
