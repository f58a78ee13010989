import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackupTamperedError, newDataKey, openSealedFile, sealFile } from "../src/backup/index.js";

const MiB = 1024 * 1024;
/** "CPBK1" + frame size + nonce. */
const HEADER = 5 + 4 + 12;
const TAG = 16;
const FRAME = MiB + TAG;

const root = mkdtempSync(path.join(os.tmpdir(), "cacheplane-sealed-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => {
  const dir = path.join(root, `d${++dirs}`);
  mkdirSync(dir);
  return dir;
};
const sha256 = (buf: Buffer) => createHash("sha256").update(buf).digest("hex");

describe("sealFile / openSealedFile", () => {
  const key = newDataKey();

  for (const [label, size] of [
    ["0 bytes", 0],
    ["1 byte", 1],
    ["exactly 1 MiB", MiB],
    ["3.5 MiB", 3.5 * MiB],
  ] as const) {
    it(`round-trips ${label}`, async () => {
      const dir = freshDir();
      const plain = randomBytes(size);
      const src = path.join(dir, "dump.rdb");
      writeFileSync(src, plain);

      const sealed = await sealFile(src, path.join(dir, "sealed"), key);
      const frames = Math.max(1, Math.ceil(size / MiB));
      expect(sealed).toEqual({ plainBytes: size, sealedBytes: HEADER + size + frames * TAG, sha256: sha256(plain) });
      expect(statSync(path.join(dir, "sealed")).size).toBe(sealed.sealedBytes);
      expect(statSync(path.join(dir, "sealed")).mode & 0o777).toBe(0o600);
      const onDisk = readFileSync(path.join(dir, "sealed"));
      expect(onDisk.subarray(0, 5).toString()).toBe("CPBK1");
      if (size >= 64) expect(onDisk.includes(plain.subarray(0, 64))).toBe(false);

      const opened = await openSealedFile(path.join(dir, "sealed"), path.join(dir, "out.rdb"), key);
      expect(opened).toEqual({ plainBytes: size, sha256: sha256(plain) });
      expect(readFileSync(path.join(dir, "out.rdb")).equals(plain)).toBe(true);
      expect(statSync(path.join(dir, "out.rdb")).mode & 0o777).toBe(0o600);
      expect(readdirSync(dir).sort()).toEqual(["dump.rdb", "out.rdb", "sealed"]);
    });
  }

  it("seals the same plaintext differently each time (a fresh nonce per file)", async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, "src"), randomBytes(1000));
    await sealFile(path.join(dir, "src"), path.join(dir, "a"), key);
    await sealFile(path.join(dir, "src"), path.join(dir, "b"), key);
    expect(readFileSync(path.join(dir, "a")).equals(readFileSync(path.join(dir, "b")))).toBe(false);
  });

  it("replaces an existing dest whole", async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, "src"), randomBytes(10));
    writeFileSync(path.join(dir, "sealed"), randomBytes(5 * MiB));
    const { sealedBytes } = await sealFile(path.join(dir, "src"), path.join(dir, "sealed"), key);
    expect(statSync(path.join(dir, "sealed")).size).toBe(sealedBytes);
  });

  it("leaves nothing behind when the source is missing", async () => {
    const dir = freshDir();
    await expect(sealFile(path.join(dir, "nope"), path.join(dir, "sealed"), key)).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  describe("refuses every kind of tampering with BackupTamperedError, leaving no dest and no tmp file", () => {
    // 3.5 MiB: frames 0-2 are full, frame 3 holds the last half MiB.
    let sealed: Buffer;
    beforeAll(async () => {
      const dir = freshDir();
      writeFileSync(path.join(dir, "src"), randomBytes(3.5 * MiB));
      await sealFile(path.join(dir, "src"), path.join(dir, "sealed"), key);
      sealed = readFileSync(path.join(dir, "sealed"));
      expect(sealed.length).toBe(HEADER + 3 * FRAME + 0.5 * MiB + TAG);
    });

    const flip = (buf: Buffer, at: number) => {
      const copy = Buffer.from(buf);
      copy[at] = copy[at]! ^ 0x01;
      return copy;
    };
    const frameAt = (i: number) => HEADER + i * FRAME;
    const swapFrames = (buf: Buffer, a: number, b: number) => {
      const copy = Buffer.from(buf);
      buf.copy(copy, frameAt(a), frameAt(b), frameAt(b) + FRAME);
      buf.copy(copy, frameAt(b), frameAt(a), frameAt(a) + FRAME);
      return copy;
    };
    const expectTampered = async (bytes: Buffer, dataKey = key) => {
      const dir = freshDir();
      writeFileSync(path.join(dir, "sealed"), bytes);
      await expect(openSealedFile(path.join(dir, "sealed"), path.join(dir, "out.rdb"), dataKey)).rejects.toThrow(BackupTamperedError);
      expect(readdirSync(dir)).toEqual(["sealed"]);
    };

    it("a flipped byte anywhere in the header (magic, frame size, nonce)", async () => {
      for (let at = 0; at < HEADER; at++) await expectTampered(flip(sealed, at));
    });
    it("a flipped byte in a middle frame's ciphertext or tag", async () => {
      await expectTampered(flip(sealed, frameAt(1) + 12345));
      await expectTampered(flip(sealed, frameAt(2) - 1));
    });
    it("a flipped byte in the last frame and in the last tag", async () => {
      await expectTampered(flip(sealed, frameAt(3)));
      await expectTampered(flip(sealed, sealed.length - 1));
    });
    it("truncated by one byte", () => expectTampered(sealed.subarray(0, -1)));
    it("truncated by the whole last frame (cut exactly at a frame boundary)", () => expectTampered(sealed.subarray(0, frameAt(3))));
    it("truncated to the header, or to nothing", async () => {
      await expectTampered(sealed.subarray(0, HEADER));
      await expectTampered(sealed.subarray(0, HEADER - 1));
      await expectTampered(Buffer.alloc(0));
    });
    it("extra bytes appended (a few, a tag's worth, a whole frame's worth)", async () => {
      await expectTampered(Buffer.concat([sealed, Buffer.from("x")]));
      await expectTampered(Buffer.concat([sealed, randomBytes(TAG)]));
      await expectTampered(Buffer.concat([sealed, sealed.subarray(frameAt(1), frameAt(2))]));
    });
    it("two frames swapped", () => expectTampered(swapFrames(sealed, 0, 1)));
    it("a frame dropped from the middle", () => expectTampered(Buffer.concat([sealed.subarray(0, frameAt(1)), sealed.subarray(frameAt(2))])));
    it("the wrong key", () => expectTampered(sealed, newDataKey()));
    it("a file that is not sealed at all", () => expectTampered(Buffer.concat([Buffer.from("REDIS0010"), randomBytes(100)])));
  });

  it("leaves no dest when a one-frame file under another key is opened", async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, "src"), Buffer.alloc(0));
    await sealFile(path.join(dir, "src"), path.join(dir, "sealed"), newDataKey());
    await expect(openSealedFile(path.join(dir, "sealed"), path.join(dir, "out"), key)).rejects.toThrow(BackupTamperedError);
    expect(readdirSync(dir).sort()).toEqual(["sealed", "src"]);
  });
});
