// A counter of the writes this process sends through one pg pool, for caches that must never
// serve what a write has changed. Every statement that may change data (anything but a SELECT:
// INSERT, UPDATE, DELETE, COMMIT, …) moves it twice: when sent, and when answered (for COMMIT and
// an autocommit statement, once the change is visible to every later statement). A reader notes
// the epoch before it queries; its result is still current while the epoch has not moved.
import type pg from "pg";

export interface WriteEpoch {
  readonly current: number;
}

/** A SELECT changes no row (our schema has no functions or triggers that write). */
const READ_ONLY = /^\s*SELECT\s/i;

type Query = (...args: unknown[]) => unknown;

export function trackWrites(pool: pg.Pool): WriteEpoch {
  let epoch = 0;
  const moved = () => void epoch++;
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as Query;
    (client as unknown as { query: Query }).query = (...args: unknown[]) => {
      const config = args[0];
      const text = typeof config === "string" ? config : (config as { text?: unknown } | undefined)?.text;
      if (typeof text === "string" && READ_ONLY.test(text)) return query(...args);
      moved();
      // pg-pool's pool.query passes a callback; Prisma's adapter awaits the promise.
      const last = args.length - 1;
      if (typeof args[last] === "function") {
        const callback = args[last] as (...result: unknown[]) => void;
        args[last] = (...result: unknown[]) => {
          moved();
          callback(...result);
        };
        return query(...args);
      }
      const result = query(...args);
      if (result instanceof Promise) result.then(moved, moved);
      return result;
    };
  });
  return {
    get current() {
      return epoch;
    },
  };
}
