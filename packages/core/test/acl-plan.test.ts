import { describe, expect, it } from "vitest";
import { aclDrift, aclSteps, type DesiredAcl, type ObservedAcl } from "../src/acl-plan.js";
import { parseAclLine } from "../src/acl.js";
import { plan, type DesiredInstance, type ObservedNode } from "../src/plan.js";
import { ORDINALS_PER_SHARD, planCluster, type DesiredCluster } from "../src/cluster-plan.js";
import { clusterNodeId } from "../src/names.js";

const H1 = "1".repeat(64);
const H2 = "2".repeat(64);
const VIP = "127.0.0.1";
const host = (ordinal: number) => `127.0.2.${ordinal + 1}`;
const defaultLine = (...hashes: string[]) => parseAclLine(`user default on ${hashes.length ? hashes.map((h) => `#${h}`).join(" ") : "nopass"} ~* &* +@all`);

const acl = (over: Partial<DesiredAcl> = {}): DesiredAcl => ({
  defaultPasswordHashes: [H1],
  users: [
    { name: "alice", fingerprint: "fa" },
    { name: "bob", fingerprint: "fb" },
  ],
  ...over,
});
const seen = (over: Partial<ObservedAcl> = {}): ObservedAcl => ({
  defaultUser: defaultLine(H1),
  users: [
    { name: "alice", fingerprint: "fa" },
    { name: "bob", fingerprint: "fb" },
  ],
  ...over,
});

describe("ACL drift of one node", () => {
  it("nothing when the node has exactly the desired users and default passwords", () => {
    expect(aclDrift(acl(), seen())).toEqual({ default: false, set: [], remove: [] });
  });

  it("sets users that are missing, changed, or shown by a line the worker never saw", () => {
    expect(aclDrift(acl(), seen({ users: [{ name: "bob", fingerprint: "fb" }] })).set).toEqual(["alice"]);
    expect(
      aclDrift(
        acl(),
        seen({
          users: [
            { name: "alice", fingerprint: "old" },
            { name: "bob", fingerprint: "fb" },
          ],
        }),
      ).set,
    ).toEqual(["alice"]);
    expect(aclDrift(acl(), seen({ users: [{ name: "alice" }, { name: "bob", fingerprint: "fb" }] })).set).toEqual(["alice"]);
  });

  it("removes users nobody asked for, never the default user", () => {
    const drift = aclDrift(acl({ users: [] }), seen({ users: [{ name: "zed" }, { name: "alice", fingerprint: "fa" }, { name: "default" }] }));
    expect(drift).toEqual({ default: false, set: [], remove: ["alice", "zed"] });
  });

  it("sets the default user again when its passwords or its access differ", () => {
    expect(aclDrift(acl({ defaultPasswordHashes: [H1, H2] }), seen()).default).toBe(true);
    expect(aclDrift(acl({ defaultPasswordHashes: [] }), seen()).default).toBe(true);
    expect(aclDrift(acl(), seen({ defaultUser: defaultLine() })).default).toBe(true);
    expect(aclDrift(acl(), seen({ defaultUser: parseAclLine(`user default on #${H1} ~* &* +@all -acl`) })).default).toBe(true);
    expect(aclDrift(acl({ defaultPasswordHashes: [H2, H1] }), seen({ defaultUser: defaultLine(H1, H2) })).default).toBe(false);
  });

  it("a node never observed gets everything", () => {
    expect(aclDrift(acl(), undefined)).toEqual({ default: true, set: ["alice", "bob"], remove: [] });
  });
});

const config = { maxmemory: "1073741824", requirepass: "s", masterauth: "s", save: "" };
const desired = (over: Partial<DesiredInstance> = {}): DesiredInstance => ({
  uid: "u1",
  deleting: false,
  nodeCount: 2,
  zones: ["local1-a", "local1-b", "local1-c"],
  config,
  primaryId: "u1-0",
  endpointHost: VIP,
  highAvailability: true,
  maxLagBytes: 30 * 1024 * 1024,
  acl: acl(),
  ...over,
});
const node = (ordinal: number, over: Partial<ObservedNode> = {}): ObservedNode => ({
  id: `u1-${ordinal}`,
  ordinal,
  zone: ordinal === 0 ? "local1-a" : "local1-b",
  host: host(ordinal),
  port: 7000,
  state: "READY",
  liveness: "running",
  loading: false,
  config: { ...config },
  bind: ordinal === 0 ? [host(0), VIP] : [host(ordinal)],
  replication: ordinal === 0 ? { role: "primary", offset: 100 } : { role: "replica", primaryHost: host(0), primaryPort: 7000, linkUp: true, offset: 100 },
  acl: seen(),
  ...over,
});

describe("ACL steps in plan()", () => {
  it("converged when every node has its users", () => {
    expect(plan(desired(), [node(0), node(1)]).converged).toBe(true);
  });

  it("one applyAcl step for every node that differs, all at once", () => {
    const p = plan(desired({ acl: acl({ users: [{ name: "alice", fingerprint: "fa2" }] }) }), [node(0), node(1)]);
    expect(p.steps).toEqual([
      {
        kind: "applyAcl",
        nodes: [
          { nodeId: "u1-0", default: false, set: ["alice"], remove: ["bob"] },
          { nodeId: "u1-1", default: false, set: ["alice"], remove: ["bob"] },
        ],
      },
    ]);
    expect(p.detail).toBe("ACL: setting user(s) alice; removing user(s) bob on 2 node(s)");
  });

  it("skips nodes that do not answer, are loading or are in a zone that is down", () => {
    const changed = desired({ acl: acl({ users: [] }) });
    const steps = (nodes: ObservedNode[], downZones?: string[]) => aclSteps(changed.acl, nodes, downZones).steps;
    expect(steps([node(0, { liveness: "unresponsive" }), node(1, { loading: true })])).toEqual([]);
    expect(steps([node(0), node(1)], ["local1-b"])).toEqual([
      { kind: "applyAcl", nodes: [{ nodeId: "u1-0", default: false, set: [], remove: ["alice", "bob"] }] },
    ]);
  });

  it("comes after the node's own steps, and does not wait for a replica that is syncing", () => {
    const changed = desired({ acl: acl({ users: [] }) });
    const drifted = node(1, { config: { ...config, maxmemory: "1" } });
    expect(plan(changed, [node(0), drifted]).steps.map((s) => s.kind)).toEqual(["configureNode", "applyAcl"]);
    const syncing = node(1, { replication: { role: "replica", primaryHost: host(0), primaryPort: 7000, linkUp: false, syncing: true, offset: 0 } });
    expect(plan(changed, [node(0), syncing]).steps.map((s) => s.kind)).toEqual(["applyAcl"]);
  });

  it("a failover still comes first", () => {
    const p = plan(desired({ acl: acl({ users: [] }) }), [node(0, { liveness: "absent" }), node(1)]);
    expect(p.steps).toEqual([{ kind: "failover", from: "u1-0", to: "u1-1" }]);
  });

  it("nothing when no ACL is desired (a deployment being deleted, older tests)", () => {
    expect(plan(desired({ acl: undefined }), [node(0, { acl: undefined }), node(1, { acl: undefined })]).converged).toBe(true);
  });
});

describe("AUTH string rotation in plan()", () => {
  const adding = { stage: "adding" as const, newPasswordHash: H2 };

  it("first puts the new string beside the old one on every node", () => {
    const p = plan(desired({ acl: acl({ defaultPasswordHashes: [H1, H2] }), authRotation: adding }), [node(0), node(1)]);
    expect(p.steps).toEqual([
      {
        kind: "applyAcl",
        nodes: [
          { nodeId: "u1-0", default: true, set: [], remove: [] },
          { nodeId: "u1-1", default: true, set: [], remove: [] },
        ],
      },
    ]);
    expect(p.converged).toBe(false);
  });

  it("publishes it once every node accepts both", () => {
    const both = { ...seen(), defaultUser: defaultLine(H1, H2) };
    const p = plan(desired({ acl: acl({ defaultPasswordHashes: [H1, H2] }), authRotation: adding }), [node(0, { acl: both }), node(1, { acl: both })]);
    expect(p.steps).toEqual([{ kind: "publishAuthString" }]);
    expect(p.detail).toBe("Publishing the new AUTH string");
  });

  it("never publishes while a node is down: it would come back without the new string", () => {
    const both = { ...seen(), defaultUser: defaultLine(H1, H2) };
    const p = plan(desired({ acl: acl({ defaultPasswordHashes: [H1, H2] }), authRotation: adding }), [
      node(0, { acl: both }),
      node(1, { liveness: "absent", acl: undefined }),
    ]);
    expect(p.steps.map((s) => s.kind)).toEqual(["startNode"]);
    expect(p.waiting.join()).toMatch(/not on every node yet \(u1-1\)/);
  });

  it("then waits out the grace before the old string goes", () => {
    const both = { ...seen(), defaultUser: defaultLine(H1, H2) };
    const p = plan(desired({ acl: acl({ defaultPasswordHashes: [H1, H2] }), authRotation: { stage: "grace", remainingMs: 1500 } }), [
      node(0, { acl: both }),
      node(1, { acl: both }),
    ]);
    expect(p.steps).toEqual([]);
    expect(p.converged).toBe(false);
    expect(p.detail).toBe("the previous AUTH string stays valid for 1500 ms more");
  });
});

describe("ACL steps in planCluster()", () => {
  const ids = [0, 1, ORDINALS_PER_SHARD, ORDINALS_PER_SHARD + 1];
  const cnode = (ordinal: number, over: Partial<ObservedNode> = {}): ObservedNode => {
    const shard = Math.floor(ordinal / ORDINALS_PER_SHARD);
    const primary = ordinal % ORDINALS_PER_SHARD === 0;
    const primaryOrdinal = shard * ORDINALS_PER_SHARD;
    return {
      ...node(ordinal, over),
      id: `c1-${ordinal}`,
      shard,
      bind: primary && shard === 0 ? [host(ordinal), VIP] : [host(ordinal)],
      replication: primary
        ? { role: "primary", offset: 100 }
        : { role: "replica", primaryHost: host(primaryOrdinal), primaryPort: 7000, linkUp: true, offset: 100 },
      cluster: {
        state: "ok",
        migrating: [],
        importing: [],
        peers: ids.map((o) => ({
          id: clusterNodeId(`c1-${o}`),
          host: host(o),
          port: 7000,
          flags: [...(o === ordinal ? ["myself"] : []), o % ORDINALS_PER_SHARD === 0 ? "master" : "slave"],
          ...(o % ORDINALS_PER_SHARD === 0 ? {} : { primaryId: clusterNodeId(`c1-${Math.floor(o / ORDINALS_PER_SHARD) * ORDINALS_PER_SHARD}`) }),
          slots: (o % ORDINALS_PER_SHARD === 0 ? [Math.floor(o / ORDINALS_PER_SHARD) === 0 ? [0, 8191] : [8192, 16383]] : []) as [number, number][],
        })),
      },
      ...over,
    };
  };
  const cluster = (over: Partial<DesiredCluster> = {}): DesiredCluster => ({
    uid: "c1",
    deleting: false,
    shardCount: 2,
    replicaCount: 1,
    zonesOf: () => ["local1-a", "local1-b", "local1-c", "local1-a", "local1-b", "local1-c", "local1-a", "local1-b"],
    primaryIds: new Map([
      [0, "c1-0"],
      [1, `c1-${ORDINALS_PER_SHARD}`],
    ]),
    config,
    discoveryHost: VIP,
    maxLagBytes: 1,
    acl: acl(),
    ...over,
  });

  it("converged with every node's users in place; one step for all four nodes otherwise", () => {
    const nodes = ids.map((o) => cnode(o));
    expect(planCluster(cluster(), nodes).converged).toBe(true);
    const p = planCluster(
      cluster({
        acl: acl({
          users: [
            { name: "alice", fingerprint: "new" },
            { name: "bob", fingerprint: "fb" },
          ],
        }),
      }),
      nodes,
    );
    expect(p.steps).toHaveLength(1);
    expect(p.steps[0]).toMatchObject({ kind: "applyAcl" });
    expect((p.steps[0] as { nodes: unknown[] }).nodes).toHaveLength(4);
  });
});
