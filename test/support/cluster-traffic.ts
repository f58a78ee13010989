// A cluster-mode client that keeps writing and reading through a cluster while a test reshards
// or breaks it, following MOVED and ASK as any cluster client does. It records every write Redis
// acknowledged and every command that failed, so a test can say "no failed command, no key lost".
import { Cluster } from "ioredis";

export interface ClusterTraffic {
  acked: string[];
  /** Commands that failed, with their error messages (first few). */
  errors: number;
  errorMessages: string[];
  /** Reads that returned something other than what was written. */
  wrongReads: number;
  okSince(since: number): number;
  stop(): Promise<void>;
}

export function clusterClient(host: string, port: number) {
  const cluster = new Cluster([{ host, port }], {
    // Fail fast on a dead node rather than queueing forever; MOVED/ASK are followed as usual.
    redisOptions: { connectTimeout: 500, maxRetriesPerRequest: 1 },
    maxRedirections: 32,
    retryDelayOnMoved: 0,
    retryDelayOnFailover: 50,
    retryDelayOnClusterDown: 50,
    slotsRefreshTimeout: 1000,
  });
  cluster.on("error", () => undefined);
  return cluster;
}

/** `writers` loops, each SETting its own keys and reading back an earlier one. */
export function startClusterTraffic(host: string, port: number, prefix = "t", writers = 2): ClusterTraffic {
  const cluster = clusterClient(host, port);
  const acked: string[] = [];
  const okTimes: number[] = [];
  const errorMessages: string[] = [];
  let errors = 0;
  let wrongReads = 0;
  let running = true;
  const fail = (err: unknown) => {
    errors++;
    if (errorMessages.length < 5) errorMessages.push((err as Error).message);
  };
  const loops = Array.from({ length: writers }, (_, w) =>
    (async () => {
      for (let n = 0; running; n++) {
        const key = `${prefix}:${w}:${n}`;
        try {
          await cluster.set(key, key);
          acked.push(key);
          okTimes.push(Date.now());
        } catch (err) {
          fail(err);
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        const earlier = acked[Math.floor(Math.random() * acked.length)]!;
        try {
          if ((await cluster.get(earlier)) !== earlier) wrongReads++;
        } catch (err) {
          fail(err);
        }
      }
    })(),
  );
  return {
    acked,
    get errors() {
      return errors;
    },
    errorMessages,
    get wrongReads() {
      return wrongReads;
    },
    okSince: (since) => okTimes.filter((t) => t >= since).length,
    async stop() {
      running = false;
      await Promise.all(loops);
      cluster.disconnect();
    },
  };
}

/** Keys of `keys` that the cluster no longer has (read with a fresh client). */
export async function missingKeys(host: string, port: number, keys: readonly string[]): Promise<string[]> {
  const cluster = clusterClient(host, port);
  try {
    const missing: string[] = [];
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const values = await Promise.all(batch.map((k) => cluster.get(k)));
      values.forEach((v, j) => {
        if (v !== batch[j]) missing.push(batch[j]!);
      });
    }
    return missing;
  } finally {
    cluster.disconnect();
  }
}
