// GET instance, remembered between writes: where every write to the database passes through this
// process (the embedded PGlite, which only this process connects to), a row read after the last
// write is what the database still holds, until the next write. Each GET there cost a query on
// PGlite's one connection, in Wasm on this process's event loop (~0.3 ms, most of a GET's time).
// A write of any kind drops every entry, so the cache never answers with a row older than a
// committed change made here; ttlMs bounds what it cannot see (a psql session on the embedded
// port writing by hand).
import type { InstanceKey, InstanceReads, InstanceWithNodes } from "./instance-reads.js";
import type { WriteEpoch } from "../write-epoch.js";

export const CACHED_READ_TTL_MS = 1_000;

export function cachedReads(inner: InstanceReads, writes: WriteEpoch, ttlMs = CACHED_READ_TTL_MS, maxEntries = 1_000): InstanceReads {
  let epoch = writes.current;
  const entries = new Map<string, { row: InstanceWithNodes | undefined; expires: number }>();
  return {
    async findInstanceWithNodes(key) {
      if (writes.current !== epoch) {
        entries.clear();
        epoch = writes.current;
      }
      const id = cacheKey(key);
      const hit = entries.get(id);
      if (hit && hit.expires > Date.now()) return hit.row;
      // The epoch before the query: a write that ends while it runs makes its answer unusable.
      const before = writes.current;
      const row = await inner.findInstanceWithNodes(key);
      if (writes.current === before && before === epoch) {
        if (entries.size >= maxEntries) entries.clear();
        entries.set(id, { row, expires: Date.now() + ttlMs });
      }
      return row;
    },
    close: () => inner.close(),
  };
}

const cacheKey = (key: InstanceKey) => JSON.stringify([key.projectId, key.locationId, key.kind ?? "INSTANCE", key.instanceId]);
