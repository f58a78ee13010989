// Which zone each node goes to. BASIC has one node, in the requested zone or the first one.

export interface PlacementInput {
  zones: readonly string[];
  locationId?: string | undefined;
  alternativeLocationId?: string | undefined;
  nodeCount: number;
}

/** Zones by node ordinal: ordinal 0 is the primary's zone; replicas prefer the alternative
 *  zone, then spread over the rest, so losing one zone never loses every copy. */
export function placeNodes({ zones, locationId, alternativeLocationId, nodeCount }: PlacementInput): string[] {
  if (zones.length === 0) throw new Error("no zones configured");
  const primary = locationId ?? zones[0]!;
  const others = zones.filter((z) => z !== primary);
  const replicaOrder =
    alternativeLocationId && alternativeLocationId !== primary
      ? [alternativeLocationId, ...others.filter((z) => z !== alternativeLocationId)]
      : others.length > 0
        ? others
        : [primary];
  const placed = [primary];
  for (let i = 1; i < nodeCount; i++) placed.push(replicaOrder[(i - 1) % replicaOrder.length]!);
  return placed;
}
