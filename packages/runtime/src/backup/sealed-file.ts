// Encryption at rest for backup files. RDB files can be GBs, so both directions stream in frames
// and hold at most two frames in memory. The layout follows the shape of Tink's streaming AEAD
// (AES-GCM per segment, the segment number and a last-segment flag authenticated with each one):
//
//   header  "CPBK1" | frame size (u32 BE) | nonce (12 bytes, random per file)
//   frames  ciphertext | tag (16)   — every frame holds `frame size` plaintext bytes except the
//                                     last, which holds 0..frame size (an empty file is one frame)
//
// Frame i uses IV = nonce XOR i (in its last 4 bytes) and authenticates header | i | last as AAD:
// the header cannot be edited, frames cannot be reordered or dropped, and a file cut exactly at a
// frame boundary fails because its new final frame was not sealed as the last one.
// Output goes to `${dest}.tmp-<random>` (0600), is fsynced and renamed into place, so dest is either
// absent or complete; a decrypted frame is written only after its tag verified.

import { syncDir } from "./sync-dir.js";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { BackupTamperedError } from "./errors.js";

const MAGIC = Buffer.from("CPBK1", "ascii");
const FRAME_SIZE = 1024 * 1024;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const HEADER_BYTES = MAGIC.length + 4 + NONCE_BYTES;
/** A reader accepts frame sizes up to this, so a forged header cannot make it allocate GBs. */
const MAX_FRAME_SIZE = 16 * 1024 * 1024;
/** The frame index is 32 bits in the IV and AAD: 4 PiB per file at 1 MiB frames. */
const MAX_FRAMES = 2 ** 32;

/** Encrypts src into dest. Returns the sealed and plain sizes and the plaintext's sha256 (hex). */
export async function sealFile(src: string, dest: string, dataKey: Buffer): Promise<{ sealedBytes: number; plainBytes: number; sha256: string }> {
  assertKey(dataKey);
  const nonce = randomBytes(NONCE_BYTES);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(FRAME_SIZE, MAGIC.length);
  nonce.copy(header, MAGIC.length + 4);

  const hash = createHash("sha256");
  let plainBytes = 0;
  let sealedBytes = 0;
  const input = await open(src, "r");
  try {
    await writeAtomically(dest, async (out) => {
      await writeAll(out, header);
      sealedBytes += header.length;
      for await (const { index, data, last } of frames(input, FRAME_SIZE)) {
        if (index >= MAX_FRAMES) throw new Error(`${src} is too large to seal (more than ${MAX_FRAMES} frames)`);
        const cipher = createCipheriv("aes-256-gcm", dataKey, frameIv(nonce, index), { authTagLength: TAG_BYTES });
        cipher.setAAD(frameAad(header, index, last));
        const sealed = Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
        hash.update(data);
        plainBytes += data.length;
        await writeAll(out, sealed);
        sealedBytes += sealed.length;
      }
    });
  } finally {
    await input.close();
  }
  return { sealedBytes, plainBytes, sha256: hash.digest("hex") };
}

/** Decrypts src into dest. Any authentication or format failure (wrong key, a flipped byte,
 *  truncation, extra bytes, bad magic) is BackupTamperedError, and leaves neither dest nor a tmp
 *  file. I/O failures (src missing, disk full) propagate as they are: they are not tampering. */
export async function openSealedFile(src: string, dest: string, dataKey: Buffer): Promise<{ plainBytes: number; sha256: string }> {
  assertKey(dataKey);
  const tampered = (why: string) => new BackupTamperedError(`${src} is not an intact sealed backup: ${why}`);
  const input = await open(src, "r");
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    if ((await readFull(input, header)) < HEADER_BYTES) throw tampered("it is shorter than the header");
    if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw tampered(`it does not start with ${MAGIC.toString()}`);
    const frameSize = header.readUInt32BE(MAGIC.length);
    if (frameSize < 1 || frameSize > MAX_FRAME_SIZE) throw tampered(`its header has an impossible frame size (${frameSize})`);
    const nonce = header.subarray(MAGIC.length + 4);

    const hash = createHash("sha256");
    let plainBytes = 0;
    await writeAtomically(dest, async (out) => {
      for await (const { index, data, last } of frames(input, frameSize + TAG_BYTES)) {
        if (index >= MAX_FRAMES) throw tampered("it has more frames than a sealed file can");
        if (data.length < TAG_BYTES) throw tampered(`frame ${index} is truncated`);
        const decipher = createDecipheriv("aes-256-gcm", dataKey, frameIv(nonce, index), { authTagLength: TAG_BYTES });
        decipher.setAAD(frameAad(header, index, last));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        let plain: Buffer;
        try {
          plain = Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]);
        } catch {
          throw tampered(`frame ${index} failed authentication (altered, truncated, reordered, or sealed with another key)`);
        }
        hash.update(plain);
        plainBytes += plain.length;
        await writeAll(out, plain);
      }
    });
    return { plainBytes, sha256: hash.digest("hex") };
  } finally {
    await input.close();
  }
}

interface Frame {
  index: number;
  data: Buffer;
  last: boolean;
}

/** Splits the rest of `input` into frames of `size` bytes (the last one shorter, possibly empty;
 *  always at least one). A frame is last when nothing follows it, which needs one frame of
 *  look-ahead: a full frame at the very end is still marked last. `data` is valid until the next
 *  iteration (the two buffers are reused). */
async function* frames(input: FileHandle, size: number): AsyncGenerator<Frame> {
  let cur = Buffer.alloc(size);
  let next = Buffer.alloc(size);
  let curLen = await readFull(input, cur);
  for (let index = 0; ; index++) {
    const nextLen = curLen < size ? 0 : await readFull(input, next);
    const last = nextLen === 0;
    yield { index, data: cur.subarray(0, curLen), last };
    if (last) return;
    [cur, next] = [next, cur];
    curLen = nextLen;
  }
}

/** Reads until `buf` is full or the file ends; returns the bytes read. */
async function readFull(input: FileHandle, buf: Buffer): Promise<number> {
  let filled = 0;
  while (filled < buf.length) {
    const { bytesRead } = await input.read(buf, filled, buf.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

async function writeAll(out: FileHandle, buf: Buffer): Promise<void> {
  let written = 0;
  while (written < buf.length) {
    const { bytesWritten } = await out.write(buf, written, buf.length - written, null);
    written += bytesWritten;
  }
}

/** Runs `fill` on a fresh 0600 tmp file beside dest, then fsyncs and renames it onto dest (and
 *  fsyncs the directory, so the rename survives a power cut). On any failure the tmp file goes. */
async function writeAtomically(dest: string, fill: (out: FileHandle) => Promise<void>): Promise<void> {
  const tmp = `${dest}.tmp-${randomBytes(6).toString("hex")}`;
  const out = await open(tmp, "wx", 0o600);
  let closed = false;
  try {
    // The umask can only narrow the mode open() asked for; chmod makes it exactly 0600.
    await out.chmod(0o600);
    await fill(out);
    await out.sync();
    closed = true;
    await out.close();
    await rename(tmp, dest);
  } catch (err) {
    if (!closed) await out.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(path.dirname(dest));
}

function frameIv(nonce: Buffer, index: number): Buffer {
  const iv = Buffer.from(nonce);
  iv.writeUInt32BE((iv.readUInt32BE(NONCE_BYTES - 4) ^ index) >>> 0, NONCE_BYTES - 4);
  return iv;
}

function frameAad(header: Buffer, index: number, last: boolean): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt32BE(index, 0);
  tail[4] = last ? 1 : 0;
  return Buffer.concat([header, tail]);
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new TypeError(`data key must be a ${KEY_BYTES}-byte Buffer`);
}
