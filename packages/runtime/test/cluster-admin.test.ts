import { describe, expect, it } from "vitest";
import { parseClusterNodes, seedNodesConf } from "../src/cluster-admin.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);

describe("parseClusterNodes", () => {
  it("reads peers, flags, primaries, slot ranges and this node's half-done moves", () => {
    const text = [
      `${A} 127.0.2.1:7000@17000 myself,master - 0 0 3 connected 0-100 200 [300->-${B}] [400-<-${C}]`,
      `${B} 127.0.2.9:7000@17000 master - 0 1700000000000 4 connected 101-199`,
      `${C} 127.0.2.2:7000@17000 slave,fail? ${A} 0 1700000000000 3 disconnected`,
      "",
    ].join("\n");
    const view = parseClusterNodes(text, "ok");
    expect(view.state).toBe("ok");
    expect(view.peers).toEqual([
      {
        id: A,
        host: "127.0.2.1",
        port: 7000,
        flags: ["myself", "master"],
        slots: [
          [0, 100],
          [200, 200],
        ],
      },
      { id: B, host: "127.0.2.9", port: 7000, flags: ["master"], slots: [[101, 199]] },
      { id: C, host: "127.0.2.2", port: 7000, flags: ["slave", "fail?"], primaryId: A, slots: [] },
    ]);
    expect(view.migrating).toEqual([{ slot: 300, to: B }]);
    expect(view.importing).toEqual([{ slot: 400, from: C }]);
  });

  it("reads a node in handshake with no address yet, and IPv6 addresses", () => {
    const view = parseClusterNodes(`${A} :0@0 myself,master - 0 0 0 connected\n${B} [::1]:7000@17000 handshake - 0 0 0 connected`);
    expect(view.peers[0]).toMatchObject({ host: "", port: 0 });
    expect(view.peers[1]).toMatchObject({ host: "[::1]", port: 7000, flags: ["handshake"] });
  });

  it("seeds nodes.conf with the node's own identity only", () => {
    expect(seedNodesConf(A, "127.0.2.1", 7000)).toBe(`${A} 127.0.2.1:7000@17000 myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n`);
  });
});
