import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { assertRdbFile, isRdbFile, NotAnRdbFileError } from "../src/backup/index.js";
import { findRedisServer } from "../src/index.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "cacheplane-rdb-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, bytes: Buffer | string) => {
  const file = path.join(tmp, name);
  writeFileSync(file, bytes);
  return file;
};

/** A dump.rdb written by a real redis-server (SAVE), on a unix socket so no port is needed. */
async function realRdb(): Promise<string> {
  const dir = mkdtempSync(path.join(tmp, "redis-"));
  const socket = path.join(dir, "s");
  const server = spawn(findRedisServer({ searchPath: process.env.PATH }), ["--port", "0", "--unixsocket", socket, "--dir", dir, "--save", ""], {
    stdio: "ignore",
  });
  try {
    for (let i = 0; !existsSync(socket); i++) {
      if (i > 100) throw new Error("redis-server did not open its socket");
      await sleep(50);
    }
    const redis = new Redis({ path: socket, lazyConnect: true });
    await redis.connect();
    await redis.set("greeting", "hello");
    await redis.save();
    redis.disconnect();
    return path.join(dir, "dump.rdb");
  } finally {
    server.kill("SIGKILL");
  }
}

describe("isRdbFile / assertRdbFile", () => {
  it("accepts a file starting with REDIS and a 4-digit version", async () => {
    expect(await isRdbFile(write("minimal.rdb", Buffer.concat([Buffer.from("REDIS0010"), Buffer.from([0xfa, 0x09, 0xff])])))).toBe(true);
    expect(await isRdbFile(write("magic-only.rdb", "REDIS0012"))).toBe(true);
    await expect(assertRdbFile(path.join(tmp, "minimal.rdb"), "gs://bkt/minimal.rdb")).resolves.toBeUndefined();
  });

  it("accepts a dump.rdb written by redis-server", async () => {
    const file = await realRdb();
    expect(await isRdbFile(file)).toBe(true);
    await assertRdbFile(file, "the node's dump.rdb");
  });

  it("refuses files without the magic", async () => {
    const cases: Array<[string, Buffer | string]> = [
      ["empty", ""],
      ["short", "REDIS001"],
      ["letters-in-version", "REDIS00a0 and more"],
      ["lower-case", "redis0010"],
      ["sealed", "CPBK1\0\x10\0\0"],
      ["text", "hello world, this is not a dump"],
      ["offset", " REDIS0010"],
    ];
    for (const [name, bytes] of cases) {
      const file = write(`${name}.bin`, bytes);
      expect(await isRdbFile(file), name).toBe(false);
      await expect(assertRdbFile(file, `gs://bkt/${name}.bin`)).rejects.toThrow(NotAnRdbFileError);
    }
    await expect(assertRdbFile(path.join(tmp, "text.bin"), "gs://bkt/text.bin")).rejects.toThrow(
      "gs://bkt/text.bin is not an RDB file (it does not start with the REDIS magic)",
    );
  });

  it("throws the file system's error for a missing file rather than answering false", async () => {
    await expect(isRdbFile(path.join(tmp, "missing.rdb"))).rejects.toThrow(/ENOENT/);
  });
});
