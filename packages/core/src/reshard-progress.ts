// How far an online reshard has come, as MemoryDB reports it (PendingUpdates.Resharding.SlotMigration
// .ProgressPercentage). Pure: the caller brings what was observed (the slot ranges each shard's
// primary serves, Instance.slotRanges) and what was done (the slots moved since the reshard was
// asked for, from the SLOTS_MOVED events).
//
// The target is the balanced layout nextMove() drives toward (evenSlotCounts over the new shard
// count, nothing on a shard beyond it), so the slots still to move are the surpluses over it. The
// start layout is not kept anywhere, so the total is what moved plus what is left: exact once the
// observed ranges catch up with the last move (the next reconcile pass, well under a second), and
// until then a batch low, never high.
import { evenSlotCounts, SLOT_COUNT, type SlotRange } from "./slots.js";

/** "0-5460" or "5461" (the stored and wire form of a slot range) as [start, end]; undefined when malformed. */
export function parseSlotRange(text: string): SlotRange | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  return start <= end && end < SLOT_COUNT ? [start, end] : undefined;
}

/** Slots each shard serves, by shard index, from the stored form ({"0": ["0-5460"], ...}). */
export function servedSlotCounts(slotRanges: unknown): Map<number, number> {
  const counts = new Map<number, number>();
  if (!slotRanges || typeof slotRanges !== "object") return counts;
  for (const [shard, ranges] of Object.entries(slotRanges as Record<string, unknown>)) {
    if (!Array.isArray(ranges)) continue;
    let count = 0;
    for (const text of ranges) {
      const range = typeof text === "string" ? parseSlotRange(text) : undefined;
      if (range) count += range[1] - range[0] + 1;
    }
    counts.set(Number(shard), count);
  }
  return counts;
}

/** Slots that still have to leave their shard for the layout to be balanced over shardCount shards. */
export function slotsLeftToMove(served: ReadonlyMap<number, number>, shardCount: number): number {
  const want = evenSlotCounts(shardCount);
  let left = 0;
  for (const [shard, count] of served) left += Math.max(0, count - (shard < shardCount ? want[shard]! : 0));
  return left;
}

/** Whether every slot is served and the layout is the balanced one: nothing left to migrate. */
export const slotsBalanced = (served: ReadonlyMap<number, number>, shardCount: number) =>
  [...served.values()].reduce((sum, c) => sum + c, 0) === SLOT_COUNT && slotsLeftToMove(served, shardCount) === 0;

/**
 * Percent of the slot migration done (0-100, one decimal): moved / (moved + left). 0 until the
 * first batch has moved (new shards still being made), 100 once every slot is where it belongs
 * (a shrink's retired shards may still be going away then).
 */
export function reshardProgress(input: { slotRanges: unknown; shardCount: number; movedSlots: number }): number {
  const left = slotsLeftToMove(servedSlotCounts(input.slotRanges), input.shardCount);
  const moved = Math.max(0, input.movedSlots);
  if (left === 0) return 100;
  return Math.round((moved / (moved + left)) * 1000) / 10;
}
