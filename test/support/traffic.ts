// A writer and a reader that keep working through an instance endpoint while the test breaks
// things, recording which writes Redis acknowledged, so a test can check none was lost.
import { Redis } from "ioredis";

export interface Traffic {
  acked: string[];
  errors: number;
  /** Successful operations after `since` (ms epoch). */
  okSince(since: number): number;
  stop(): Promise<void>;
}

export function endpointClient(host: string, port: number, password?: string) {
  const redis = new Redis({
    host,
    port,
    password,
    enableReadyCheck: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 500,
    retryStrategy: () => 20,
    // After a failover the old primary answers READONLY: reconnect, the endpoint has moved.
    reconnectOnError: (err) => (err.message.startsWith("READONLY") ? 2 : false),
  });
  redis.on("error", () => undefined);
  return redis;
}

export function startWriter(host: string, port: number, password?: string, prefix = "w"): Traffic {
  const redis = endpointClient(host, port, password);
  const acked: string[] = [];
  const okTimes: number[] = [];
  let errors = 0;
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      const key = `${prefix}:${n++}`;
      try {
        await redis.set(key, "1");
        acked.push(key);
        okTimes.push(Date.now());
      } catch {
        errors++;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  })();
  return {
    acked,
    get errors() {
      return errors;
    },
    okSince: (since) => okTimes.filter((t) => t >= since).length,
    async stop() {
      running = false;
      await loop;
      redis.disconnect();
    },
  };
}
