// Hash slots: how 16,384 slots are spread over shards, as ranges and as moves. Pure, so the
// rebalancing a reshard performs is decided (and unit-tested) without a node.

export const SLOT_COUNT = 16_384;
/** Slots one moveSlots step migrates: large enough that a reshard is a handful of steps (each
 *  step costs a reconcile pass, ~0.2 s of observing every node), small enough that progress on
 *  the Operation moves every second or so. 256 took 11 s for 3 -> 5 shards nearly empty. */
export const MOVE_BATCH_SLOTS = 1024;

export type SlotRange = [start: number, end: number];

/** How many slots each of `shardCount` shards owns when balanced: the first
 *  `SLOT_COUNT % shardCount` shards get one more, as redis-cli --cluster create does. */
export function evenSlotCounts(shardCount: number): number[] {
  const base = Math.floor(SLOT_COUNT / shardCount);
  const extra = SLOT_COUNT % shardCount;
  return Array.from({ length: shardCount }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Sorted slot numbers as inclusive ranges: [0,1,2,5] -> [[0,2],[5,5]]. */
export function toRanges(slots: readonly number[]): SlotRange[] {
  const sorted = [...slots].sort((a, b) => a - b);
  const ranges: SlotRange[] = [];
  for (const slot of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && slot === last[1] + 1) last[1] = slot;
    else if (!last || slot > last[1]) ranges.push([slot, slot]);
  }
  return ranges;
}

export const formatRanges = (ranges: readonly SlotRange[]) => ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));

export function fromRanges(ranges: readonly SlotRange[]): number[] {
  const slots: number[] = [];
  for (const [a, b] of ranges) for (let s = a; s <= b; s++) slots.push(s);
  return slots;
}

/** Owner shard of every slot (-1: nobody), from each shard's ranges. */
export function ownerTable(owned: ReadonlyMap<number, readonly SlotRange[]>): Int32Array {
  const owners = new Int32Array(SLOT_COUNT).fill(-1);
  for (const [shard, ranges] of owned) for (const [a, b] of ranges) owners.fill(shard, a, b + 1);
  return owners;
}

/**
 * Unowned slots handed to the shards that are short of their balanced count, in slot order,
 * so a new cluster gets one contiguous range per shard (0-5461, 5462-10922, 10923-16383).
 */
export function assignUnowned(owners: Int32Array, shardCount: number): { shard: number; ranges: SlotRange[] }[] {
  const want = evenSlotCounts(shardCount);
  const have = new Array<number>(shardCount).fill(0);
  for (const owner of owners) if (owner >= 0 && owner < shardCount) have[owner]!++;
  const given = new Map<number, number[]>();
  let shard = 0;
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    if (owners[slot] !== -1) continue;
    while (shard < shardCount && have[shard]! >= want[shard]!) shard++;
    // Every shard full (shards beyond shardCount still own slots): the rest go to the last one.
    const to = shard < shardCount ? shard : shardCount - 1;
    have[to]!++;
    (given.get(to) ?? given.set(to, []).get(to)!).push(slot);
  }
  return [...given].sort((a, b) => a[0] - b[0]).map(([s, slots]) => ({ shard: s, ranges: toRanges(slots) }));
}

export interface SlotMove {
  from: number;
  to: number;
  slots: number[];
  /** Slots that still have to move to balance the cluster, this batch included. */
  remaining: number;
}

/**
 * The next batch toward balance over shards 0..shardCount-1 (shards beyond it give away
 * everything): from the shard with the largest surplus to the one with the largest deficit,
 * its highest slots first, so ranges stay contiguous. Undefined when balanced.
 */
export function nextMove(owners: Int32Array, shardCount: number, batch = MOVE_BATCH_SLOTS): SlotMove | undefined {
  const want = evenSlotCounts(shardCount);
  const ownedBy = new Map<number, number[]>();
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const owner = owners[slot]!;
    if (owner >= 0) (ownedBy.get(owner) ?? ownedBy.set(owner, []).get(owner)!).push(slot);
  }
  const target = (shard: number) => (shard < shardCount ? want[shard]! : 0);
  const surplus = (shard: number) => (ownedBy.get(shard)?.length ?? 0) - target(shard);
  const shards = new Set([...ownedBy.keys(), ...want.keys()]);
  const donors = [...shards].filter((s) => surplus(s) > 0).sort((a, b) => surplus(b) - surplus(a) || b - a);
  const takers = [...shards].filter((s) => surplus(s) < 0).sort((a, b) => surplus(a) - surplus(b) || a - b);
  const from = donors[0];
  const to = takers[0];
  if (from === undefined || to === undefined) return undefined;
  const count = Math.min(surplus(from), -surplus(to), batch);
  const slots = ownedBy.get(from)!.slice(-count);
  const remaining = [...shards].reduce((sum, s) => sum + Math.max(0, surplus(s)), 0);
  return { from, to, slots, remaining };
}
