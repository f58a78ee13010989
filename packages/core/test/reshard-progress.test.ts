import { describe, expect, it } from "vitest";
import { parseSlotRange, reshardProgress, servedSlotCounts, slotsBalanced, slotsLeftToMove } from "../src/reshard-progress.js";
import { assignUnowned, formatRanges, nextMove, SLOT_COUNT, toRanges } from "../src/slots.js";

/** The stored slotRanges column of an owner table, as the worker writes it. */
function stored(owners: Int32Array): Record<string, string[]> {
  const byShard = new Map<number, number[]>();
  owners.forEach((owner, slot) => {
    if (owner >= 0) (byShard.get(owner) ?? byShard.set(owner, []).get(owner)!).push(slot);
  });
  return Object.fromEntries([...byShard].map(([shard, slots]) => [String(shard), formatRanges(toRanges(slots))]));
}

/** A freshly created, balanced cluster of n shards. */
function balanced(n: number): Int32Array {
  const owners = new Int32Array(SLOT_COUNT).fill(-1);
  for (const { shard, ranges } of assignUnowned(owners, n)) for (const [a, b] of ranges) owners.fill(shard, a, b + 1);
  return owners;
}

/** Runs a reshard to the end as the worker does, the progress seen after each move (observed at once). */
function reshard(from: number, to: number) {
  const owners = balanced(from);
  const seen: number[] = [reshardProgress({ slotRanges: stored(owners), shardCount: to, movedSlots: 0 })];
  let moved = 0;
  for (let move = nextMove(owners, to); move; move = nextMove(owners, to)) {
    // The event is written once the batch has moved; the next pass observes the new ranges.
    const before = stored(owners);
    moved += move.slots.length;
    const lagging = reshardProgress({ slotRanges: before, shardCount: to, movedSlots: moved });
    for (const slot of move.slots) owners[slot] = move.to;
    const observed = reshardProgress({ slotRanges: stored(owners), shardCount: to, movedSlots: moved });
    expect(lagging).toBeLessThanOrEqual(observed);
    seen.push(observed);
  }
  return { seen, moved, owners };
}

describe("reshard progress", () => {
  it("reads the stored slot ranges", () => {
    expect(parseSlotRange("0-5460")).toEqual([0, 5460]);
    expect(parseSlotRange("16383")).toEqual([16383, 16383]);
    expect(parseSlotRange("5-3")).toBeUndefined();
    expect(parseSlotRange("0-16384")).toBeUndefined();
    expect(parseSlotRange("a-b")).toBeUndefined();
    expect(servedSlotCounts({ "0": ["0-99", "200"], "1": ["100-199"] })).toEqual(
      new Map([
        [0, 101],
        [1, 100],
      ]),
    );
    expect(servedSlotCounts(null).size).toBe(0);
    expect(servedSlotCounts({ "0": "not a list" }).size).toBe(0);
  });

  it("counts the surplus over the balanced layout, every slot of a retired shard included", () => {
    expect(slotsLeftToMove(new Map([[0, SLOT_COUNT]]), 2)).toBe(8192);
    expect(
      slotsLeftToMove(
        new Map([
          [0, 5462],
          [1, 5461],
          [2, 5461],
        ]),
        2,
      ),
    ).toBe(5461);
    expect(
      slotsLeftToMove(
        new Map([
          [0, 8192],
          [1, 8192],
        ]),
        2,
      ),
    ).toBe(0);
    expect(
      slotsBalanced(
        new Map([
          [0, 8192],
          [1, 8192],
        ]),
        2,
      ),
    ).toBe(true);
    expect(slotsBalanced(new Map([[0, 8192]]), 2)).toBe(false);
  });

  it("is 0 before the first batch and 100 once balanced, growing in between (1 -> 2 shards)", () => {
    const { seen, moved } = reshard(1, 2);
    expect(moved).toBe(8192);
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(100);
    expect(seen.some((p) => p > 0 && p < 100)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
  });

  it("tracks a grow by two shards and a shrink alike", () => {
    for (const [from, to] of [
      [2, 4],
      [3, 2],
      [4, 1],
    ] as const) {
      const { seen, owners } = reshard(from, to);
      expect(seen[0]).toBe(0);
      expect(seen[seen.length - 1]).toBe(100);
      expect(slotsBalanced(servedSlotCounts(stored(owners)), to)).toBe(true);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    }
  });

  it("is exact halfway: 4096 of 8192 slots moved and observed", () => {
    const slotRanges = { "0": ["0-12287"], "1": ["12288-16383"] };
    expect(reshardProgress({ slotRanges, shardCount: 2, movedSlots: 4096 })).toBe(50);
  });
});
