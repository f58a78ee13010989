// Fetching a node's dataset as an RDB over the replication protocol, as `redis-cli --rdb` does:
// SYNC with `REPLCONF rdb-only 1` makes the node fork and stream one RDB, then end.
// Why not BGSAVE and read dump.rdb: that file is the node's own persistence. Writing it on a
// node with persistence off would make its next restart load the backup instead of coming
// back empty, and reading it needs the node's disk (not a container's, not another host's).
// `capa eof` asks for the diskless form, so the node writes nothing to its disk at all.
import { createWriteStream } from "node:fs";
import { rename, unlink } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";

export interface RdbSource {
  host: string;
  port: number;
  password?: string | undefined;
  /** A TLS node: the CAs its certificate is verified against (and its host against the SANs). */
  tls?: { ca: string } | undefined;
}

export class RdbFetchError extends Error {}

const EOF_MARK_BYTES = 40;
const command = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;

/** Streams the node's dataset into `dest` (mode 0600, via a temporary file). Returns its size. */
export async function fetchRdb(source: RdbSource, dest: string, timeoutMs = 10 * 60_000): Promise<{ bytes: number }> {
  const tmp = `${dest}.part`;
  const out = createWriteStream(tmp, { mode: 0o600 });
  const socket = source.tls ? connectTls({ host: source.host, port: source.port, ca: source.tls.ca }) : connect({ host: source.host, port: source.port });
  try {
    const bytes = await receive(socket, source, out, timeoutMs);
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await rename(tmp, dest);
    return { bytes };
  } catch (error) {
    out.destroy();
    await unlink(tmp).catch(() => undefined);
    throw error;
  } finally {
    socket.destroy();
  }
}

function receive(socket: Socket, source: RdbSource, out: NodeJS.WritableStream, timeoutMs: number): Promise<number> {
  const where = `${source.host}:${source.port}`;
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new RdbFetchError(`fetching an RDB from ${where}: ${message}`));
    };
    const succeed = (bytes: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(bytes);
    };
    const timer = setTimeout(() => fail(`no complete RDB within ${timeoutMs} ms`), timeoutMs);

    // The simple replies to AUTH and REPLCONF come first, then the bulk header of the RDB.
    let repliesLeft = (source.password ? 1 : 0) + 2;
    let header = Buffer.alloc(0);
    let mode: "replies" | "data" = "replies";
    let remaining = 0; // "$<len>" form: bytes still to come
    let mark: Buffer | undefined; // "$EOF:<mark>" form: the stream ends with the mark
    let tail = Buffer.alloc(0); // the last bytes seen, held back until we know they are not the mark
    let written = 0;

    const write = (chunk: Buffer) => {
      if (chunk.length === 0) return;
      written += chunk.length;
      if (!out.write(chunk)) {
        socket.pause();
        out.once("drain", () => socket.resume());
      }
    };

    const onData = (chunk: Buffer) => {
      if (mode === "data") return onPayload(chunk);
      header = Buffer.concat([header, chunk]);
      for (;;) {
        // Keepalive newlines may precede the bulk header while the node forks.
        while (header[0] === 0x0a) header = header.subarray(1);
        const end = header.indexOf("\r\n");
        if (end < 0) return;
        const line = header.subarray(0, end).toString("latin1");
        header = header.subarray(end + 2);
        if (line.startsWith("-")) {
          // An engine older than 7.0 refuses rdb-only; it then streams the RDB and goes on
          // replicating, which ends when we close. Every other error is fatal.
          if (repliesLeft > 0 && /Unrecognized REPLCONF option/i.test(line)) {
            if (--repliesLeft === 0) socket.write(command("SYNC"));
            continue;
          }
          return fail(`the node answered ${line.slice(1)}`);
        }
        if (repliesLeft > 0) {
          // SYNC is refused while replies are still unsent, so it goes only after the last one.
          if (--repliesLeft === 0) socket.write(command("SYNC"));
          continue;
        }
        if (!line.startsWith("$")) return fail(`unexpected reply ${JSON.stringify(line.slice(0, 60))}`);
        if (line.startsWith("$EOF:")) {
          mark = Buffer.from(line.slice(5), "latin1");
          if (mark.length !== EOF_MARK_BYTES) return fail("malformed EOF mark");
        } else {
          remaining = Number(line.slice(1));
          if (!Number.isSafeInteger(remaining) || remaining < 0) return fail(`malformed length ${line}`);
        }
        mode = "data";
        const rest = header;
        header = Buffer.alloc(0);
        if (remaining === 0 && !mark) return succeed(0);
        return onPayload(rest);
      }
    };

    const onPayload = (chunk: Buffer) => {
      if (mark) {
        const seen = Buffer.concat([tail, chunk]);
        if (seen.length >= EOF_MARK_BYTES && seen.subarray(seen.length - EOF_MARK_BYTES).equals(mark)) {
          write(seen.subarray(0, seen.length - EOF_MARK_BYTES));
          return succeed(written);
        }
        const keep = Math.min(EOF_MARK_BYTES, seen.length);
        write(seen.subarray(0, seen.length - keep));
        tail = Buffer.from(seen.subarray(seen.length - keep));
        return;
      }
      const take = chunk.subarray(0, remaining);
      remaining -= take.length;
      write(take);
      if (remaining === 0) succeed(written);
    };

    socket.on("data", onData);
    socket.on("error", (err) => fail(err.message));
    socket.on("close", () => fail("the connection closed before the RDB was complete"));
    // A TLS socket may be written once its handshake is done (verified), not at its TCP connect.
    socket.on(source.tls ? "secureConnect" : "connect", () => {
      socket.write((source.password ? command("AUTH", source.password) : "") + command("REPLCONF", "capa", "eof") + command("REPLCONF", "rdb-only", "1"));
    });
  });
}
