import { describe, expect, it } from "vitest";
import { backupSource, backupSteps, dataSteps } from "../src/backup-plan.js";
import type { ObservedNode } from "../src/plan.js";

const node = (id: string, ordinal: number, extra: Partial<ObservedNode> = {}): ObservedNode => ({
  id,
  ordinal,
  zone: "a",
  host: `127.0.2.${ordinal + 1}`,
  port: 7000,
  state: "READY",
  liveness: "running",
  loading: false,
  config: {},
  ...extra,
});
const primary = node("p", 0, { replication: { role: "primary", offset: 500 } });
const replica = (id: string, ordinal: number, offset: number, extra: Partial<NonNullable<ObservedNode["replication"]>> = {}) =>
  node(id, ordinal, { replication: { role: "replica", primaryHost: primary.host, primaryPort: primary.port, linkUp: true, offset, ...extra } });

describe("backupSource", () => {
  it("takes the in-sync replica with the most data, never the primary while one exists", () => {
    expect(backupSource(primary, [primary, replica("r1", 1, 400), replica("r2", 2, 480)]).id).toBe("r2");
  });
  it("skips replicas that are syncing, linked down, loading or follow another primary", () => {
    const nodes = [
      primary,
      replica("syncing", 1, 999, { syncing: true }),
      replica("down", 2, 999, { linkUp: false }),
      { ...replica("loading", 3, 999), loading: true },
      replica("other", 4, 999, { primaryHost: "127.0.9.9" }),
    ];
    expect(backupSource(primary, nodes).id).toBe("p");
  });
});

describe("backupSteps", () => {
  const shards = [
    { index: 0, primaryId: "p" },
    { index: 1, primaryId: "q" },
  ];
  const q = node("q", 8, { shard: 1, replication: { role: "primary", offset: 1 } });
  it("saves each shard not yet saved, then finishes", () => {
    expect(backupSteps({ uid: "b", doneShards: [] }, shards, [primary, q]).steps).toEqual([
      { kind: "backupShard", backupUid: "b", shard: 0, nodeId: "p", primaryId: "p" },
      { kind: "backupShard", backupUid: "b", shard: 1, nodeId: "q", primaryId: "q" },
    ]);
    expect(backupSteps({ uid: "b", doneShards: [0] }, shards, [primary, q]).steps.map((s) => s.kind)).toEqual(["backupShard"]);
    expect(backupSteps({ uid: "b", doneShards: [0, 1] }, shards, [primary, q]).steps).toEqual([{ kind: "finishBackup", backupUid: "b" }]);
  });
  it("waits for a shard whose primary does not serve", () => {
    const plan = backupSteps({ uid: "b", doneShards: [0] }, shards, [primary, { ...q, liveness: "absent" }]);
    expect(plan.steps).toEqual([]);
    expect(plan.waiting[0]).toMatch(/shard 1/);
  });
});

describe("dataSteps", () => {
  it("does an import or export before a pending backup", () => {
    const shards = [{ index: 0, primaryId: "p" }];
    expect(dataSteps({ dataJob: "import", backup: { uid: "b", doneShards: [] } }, shards, [primary]).steps).toEqual([{ kind: "importData" }]);
    expect(dataSteps({ dataJob: "export" }, shards, [primary]).steps).toEqual([{ kind: "exportData" }]);
    expect(dataSteps({ backup: { uid: "b", doneShards: [] } }, shards, [primary]).steps[0]?.kind).toBe("backupShard");
    expect(dataSteps({}, shards, [primary])).toEqual({ steps: [], waiting: [] });
  });
});
