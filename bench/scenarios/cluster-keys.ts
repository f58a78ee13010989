// The keys a reshard moves: written pipelined straight to the primary serving each one (the
// slot computed here, as Redis does), and read back afterwards to count the ones gone.
import { Cluster, Redis } from "ioredis";
import { withNode } from "./cluster-lib.js";

export const keyOf = (i: number) => `key:${i}`;
export const valueFor = (i: number) => `value-${i}-`.padEnd(32, "x");
const BATCH = 10_000;

/** CRC16/XMODEM, as Redis Cluster hashes keys. */
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();
export function keySlot(key: string): number {
  const open = key.indexOf("{");
  if (open >= 0) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const b of Buffer.from(key)) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ b) & 0xff]!;
  return crc & 16383;
}

/** Which primary serves each slot (CLUSTER SLOTS, asked of `seed`), as "host:port". */
async function slotOwners(seed: { host: string; port: number }): Promise<string[]> {
  const owners = new Array<string>(16384);
  const ranges = await withNode(seed, async (r) => (await r.call("CLUSTER", "SLOTS")) as [number, number, [string, number]][]);
  for (const [a, b, [host, port]] of ranges) for (let s = a; s <= b; s++) owners[s] = `${host}:${port}`;
  return owners;
}

/** Runs `command` for keys 0..count-1, each pipelined to the primary that serves its slot (one
 *  plain connection per primary, batches in parallel), with the replies in key order. */
async function perPrimary(seed: { host: string; port: number }, count: number, command: (i: number) => string[]): Promise<(string | null | Error)[]> {
  const owners = await slotOwners(seed);
  const replies = new Array<string | null | Error>(count);
  const clients = new Map<string, Redis>();
  const clientFor = (addr: string) => {
    let c = clients.get(addr);
    if (!c) {
      const colon = addr.lastIndexOf(":");
      c = new Redis({
        host: addr.slice(0, colon),
        port: Number(addr.slice(colon + 1)),
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      c.on("error", () => undefined);
      clients.set(addr, c);
    }
    return c;
  };
  try {
    for (let from = 0; from < count; from += BATCH) {
      const groups = new Map<string, number[]>();
      for (let i = from; i < Math.min(count, from + BATCH); i++) {
        const addr = owners[keySlot(keyOf(i))] ?? "";
        (groups.get(addr) ?? groups.set(addr, []).get(addr)!).push(i);
      }
      await Promise.all(
        [...groups].map(async ([addr, ids]) => {
          if (!addr) {
            for (const i of ids) replies[i] = new Error("no primary serves this slot");
            return;
          }
          const results = (await clientFor(addr).pipeline(ids.map(command)).exec()) ?? [];
          ids.forEach((i, j) => {
            replies[i] = results[j]?.[0] ?? (results[j]?.[1] as string | null);
          });
        }),
      );
    }
  } finally {
    for (const c of clients.values()) c.disconnect();
  }
  return replies;
}

export async function loadKeys(seed: { host: string; port: number }, count: number) {
  const replies = await perPrimary(seed, count, (i) => ["set", keyOf(i), valueFor(i)]);
  const failed = replies.filter((r) => r instanceof Error);
  if (failed.length) throw new Error(`loading keys: ${failed.length} SETs failed, e.g. ${(failed[0] as Error).message}`);
}

/** Keys 0..count-1 that no longer read back their value (missing or wrong), with examples. A
 *  GET answered with a redirect (the seed's view not yet current) is asked again through a
 *  cluster client. */
export async function missingKeys(seed: { host: string; port: number }, count: number): Promise<{ missing: number; examples: string[] }> {
  const replies = await perPrimary(seed, count, (i) => ["get", keyOf(i)]);
  const retry = replies.flatMap((r, i) => (r instanceof Error ? [i] : []));
  if (retry.length) {
    const c = new Cluster([{ host: seed.host, port: seed.port }], { redisOptions: { connectTimeout: 2_000 } });
    c.on("error", () => undefined);
    try {
      for (const i of retry) replies[i] = await c.get(keyOf(i)).catch((e: Error) => e);
    } finally {
      c.disconnect();
    }
  }
  let missing = 0;
  const examples: string[] = [];
  replies.forEach((v, i) => {
    if (v === valueFor(i)) return;
    missing++;
    if (examples.length < 10)
      examples.push(`${keyOf(i)}=${v === null ? "nil" : v instanceof Error ? `ERR ${v.message.slice(0, 60)}` : String(v).slice(0, 60)}`);
  });
  return { missing, examples };
}
