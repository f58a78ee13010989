import { describe, expect, it } from "vitest";
import { assignUnowned, evenSlotCounts, formatRanges, fromRanges, nextMove, ownerTable, SLOT_COUNT, toRanges } from "../src/slots.js";

const table = (entries: [number, [number, number][]][]) => ownerTable(new Map(entries));

/** Applies moves until balanced, as reconcile would, and returns how many slots moved. */
function rebalance(owners: Int32Array, shardCount: number) {
  let moved = 0;
  for (let guard = 0; guard < 1000; guard++) {
    const move = nextMove(owners, shardCount);
    if (!move) return moved;
    for (const slot of move.slots) owners[slot] = move.to;
    moved += move.slots.length;
  }
  throw new Error("did not converge");
}

describe("slots", () => {
  it("splits 16384 slots evenly, the remainder on the first shards", () => {
    expect(evenSlotCounts(1)).toEqual([16384]);
    expect(evenSlotCounts(3)).toEqual([5462, 5461, 5461]);
    expect(evenSlotCounts(64).every((c) => c === 256)).toBe(true);
    for (const n of [1, 2, 3, 5, 7, 64]) expect(evenSlotCounts(n).reduce((a, b) => a + b)).toBe(SLOT_COUNT);
  });

  it("turns slots into ranges and back", () => {
    expect(toRanges([5, 0, 1, 2, 9, 10])).toEqual([
      [0, 2],
      [5, 5],
      [9, 10],
    ]);
    expect(formatRanges(toRanges([0, 1, 2, 7]))).toEqual(["0-2", "7"]);
    expect(
      fromRanges([
        [3, 5],
        [8, 8],
      ]),
    ).toEqual([3, 4, 5, 8]);
    expect(toRanges([])).toEqual([]);
  });

  it("gives a new cluster one contiguous range per shard", () => {
    const owners = new Int32Array(SLOT_COUNT).fill(-1);
    expect(assignUnowned(owners, 3)).toEqual([
      { shard: 0, ranges: [[0, 5461]] },
      { shard: 1, ranges: [[5462, 10922]] },
      { shard: 2, ranges: [[10923, 16383]] },
    ]);
  });

  it("hands slots left unowned (a crash mid-assignment) only to the shards short of them", () => {
    const owners = table([[0, [[0, 5461]]]]);
    expect(assignUnowned(owners, 3)).toEqual([
      { shard: 1, ranges: [[5462, 10922]] },
      { shard: 2, ranges: [[10923, 16383]] },
    ]);
  });

  it("is balanced when every shard has its count", () => {
    expect(
      nextMove(
        table([
          [0, [[0, 5461]]],
          [1, [[5462, 10922]]],
          [2, [[10923, 16383]]],
        ]),
        3,
      ),
    ).toBeUndefined();
  });

  it("moves only what it must when a shard is added: 3 -> 4 moves a quarter of the slots", () => {
    const owners = table([
      [0, [[0, 5461]]],
      [1, [[5462, 10922]]],
      [2, [[10923, 16383]]],
    ]);
    const first = nextMove(owners, 4)!;
    expect(first.to).toBe(3);
    expect(first.remaining).toBe(4096);
    expect(first.slots.length).toBeLessThanOrEqual(1024);
    expect(rebalance(owners, 4)).toBe(4096);
    const counts = [0, 1, 2, 3].map((s) => owners.filter((o) => o === s).length);
    expect(counts).toEqual(evenSlotCounts(4));
  });

  it("drains the shards being removed: 5 -> 2 leaves nothing on shards 2-4", () => {
    const owners = new Int32Array(SLOT_COUNT);
    const counts = evenSlotCounts(5);
    let slot = 0;
    counts.forEach((c, shard) => {
      owners.fill(shard, slot, slot + c);
      slot += c;
    });
    const moved = rebalance(owners, 2);
    expect([0, 1].map((s) => owners.filter((o) => o === s).length)).toEqual([8192, 8192]);
    expect(owners.every((o) => o < 2)).toBe(true);
    // Only the slots of the removed shards moved: shards 0 and 1 kept all of theirs.
    expect(moved).toBe(SLOT_COUNT - counts[0]! - counts[1]!);
  });

  it("takes a donor's highest slots, so its range stays contiguous", () => {
    const move = nextMove(table([[0, [[0, 16383]]]]), 2)!;
    expect(move.from).toBe(0);
    expect(move.to).toBe(1);
    expect(move.slots[move.slots.length - 1]).toBe(16383);
    expect(toRanges(move.slots)).toHaveLength(1);
  });

  it("respects the batch size", () => {
    expect(nextMove(table([[0, [[0, 16383]]]]), 2, 10)!.slots).toHaveLength(10);
  });
});
