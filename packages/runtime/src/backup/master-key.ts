// Envelope encryption: every project's backups are sealed with its own data key, and only that
// key's wrapped form (wrapDataKey) is stored beside the project. The master key that wraps them
// comes from CACHEPLANE_MASTER_KEY or from `{dataDir}/master.key`, which is created on first use.
// Losing the master key loses every backup, so its file is fsynced (with its directory) before use.

import { syncDir } from "./sync-dir.js";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { type FileHandle, link, mkdir, open, rm } from "node:fs/promises";
import path from "node:path";
import { BackupTamperedError } from "./errors.js";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENV_NAME = "CACHEPLANE_MASTER_KEY";
const KEY_FILE = "master.key";
/** Bound into every wrapped key, so a ciphertext made under the master key for any other purpose
 *  can never be unwrapped as a data key. */
const WRAP_AAD = Buffer.from("cacheplane data key v1");
const B64URL = /^[A-Za-z0-9_-]+$/;

/** CACHEPLANE_MASTER_KEY (passed in as `fromEnv`: 32 bytes as base64 or 64 hex chars) wins;
 *  otherwise `{dataDir}/master.key` is read, or created (32 random bytes, mode 0600). A key file
 *  whose mode is wider than 0600 is refused. A malformed env value throws an Error naming the
 *  variable, never showing the value. An empty `fromEnv` is malformed, not "unset": falling back to
 *  the file would silently seal new backups under a different key. */
export async function loadMasterKey(opts: { dataDir: string; fromEnv?: string | undefined }): Promise<Buffer> {
  if (opts.fromEnv !== undefined) return parseEnvKey(opts.fromEnv);
  const file = path.join(opts.dataDir, KEY_FILE);
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  return (await readKeyFile(file)) ?? (await createKeyFile(file));
}

/** A fresh data key: 32 random bytes. */
export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** AES-256-GCM with a random 12-byte IV; returns "v1.<iv b64url>.<tag b64url>.<ciphertext b64url>". */
export function wrapDataKey(master: Buffer, dataKey: Buffer): string {
  assertKey(dataKey, "data key");
  return sealBytes(master, dataKey, WRAP_AAD);
}

/** Throws BackupTamperedError for a wrong master key or altered text. */
export function unwrapDataKey(master: Buffer, wrapped: string): Buffer {
  return openBytes(master, wrapped, WRAP_AAD, "wrapped data key", KEY_BYTES);
}

/**
 * Seals `plaintext` under `key` (AES-256-GCM, random 12-byte IV) as
 * "v1.<iv b64url>.<tag b64url>.<ciphertext b64url>". `aad` names the purpose and is bound into the
 * tag, so a text sealed for one purpose never opens as another's.
 */
export function sealBytes(key: Buffer, plaintext: Buffer, aad: Buffer): string {
  assertKey(key, "master key");
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ["v1", ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64url"))].join(".");
}

/** Opens what sealBytes made with the same key and aad; throws BackupTamperedError (naming `what`)
 *  for a wrong key, another purpose or altered text. `length`, when given, is the plaintext's. */
export function openBytes(key: Buffer, sealed: string, aad: Buffer, what: string, length?: number): Buffer {
  assertKey(key, "master key");
  const parts = typeof sealed === "string" ? sealed.split(".") : [];
  const [version, ivText, tagText, ctText] = parts;
  if (parts.length !== 4 || version !== "v1") throw new BackupTamperedError(`${what} is malformed (expected v1.<iv>.<tag>.<ciphertext>)`);
  const iv = decodeB64url(ivText, IV_BYTES);
  const tag = decodeB64url(tagText, TAG_BYTES);
  const ciphertext = decodeB64url(ctText, length);
  if (!iv || !tag || !ciphertext) throw new BackupTamperedError(`${what} is malformed (a part has the wrong length or encoding)`);
  // authTagLength pins the tag to 16 bytes: without it Node accepts a truncated tag, which is easier to forge.
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new BackupTamperedError(`${what} failed authentication: it was altered or sealed under another key`);
  }
}

function parseEnvKey(value: string): Buffer {
  // Trimmed because values read from files (docker secrets, .env) often end in a newline.
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  // Standard and URL-safe base64 alike; the round trip rejects non-canonical spellings.
  const url = text.replace(/=$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  if (/^[A-Za-z0-9_-]{43}$/.test(url)) {
    const key = Buffer.from(url, "base64url");
    if (key.length === KEY_BYTES && key.toString("base64url") === url) return key;
  }
  throw new Error(`${ENV_NAME} is malformed: it must be 32 bytes written as base64 (44 characters) or as 64 hex characters`);
}

/** The key in `file`, or undefined when there is no such file. */
async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, "r");
  } catch (err) {
    if (isCode(err, "ENOENT")) return undefined;
    throw err;
  }
  try {
    // fstat on the open handle, so the mode checked is the mode of the bytes read.
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error(`${file} is not a regular file`);
    if ((stat.mode & 0o777 & ~0o600) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
      throw new Error(`${file} has mode ${mode}, wider than 0600: refusing to use a master key others can read (chmod 600 ${file})`);
    }
    if (stat.size !== KEY_BYTES) throw new Error(`${file} is corrupt: it holds ${stat.size} bytes, not ${KEY_BYTES}`);
    const key = Buffer.alloc(KEY_BYTES);
    const { bytesRead } = await handle.read(key, 0, KEY_BYTES, 0);
    if (bytesRead !== KEY_BYTES) throw new Error(`${file} is corrupt: it holds fewer than ${KEY_BYTES} bytes`);
    return key;
  } finally {
    await handle.close();
  }
}

/** Creates `file` with a new key, unless another process got there first: then theirs is used.
 *  The key is written to a tmp file (O_EXCL, 0600) and hard-linked into place; link() fails when
 *  the name exists, like O_EXCL, but the file appears complete, so a process starting at the same
 *  moment never reads a half-written key and a crash never leaves an empty master.key. */
async function createKeyFile(file: string): Promise<Buffer> {
  const key = newDataKey();
  const tmp = `${file}.tmp-${randomBytes(6).toString("hex")}`;
  try {
    const handle = await open(tmp, "wx", 0o600);
    try {
      await handle.write(key, 0, KEY_BYTES, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(tmp, file);
    } catch (err) {
      if (!isCode(err, "EEXIST")) throw err;
      const theirs = await readKeyFile(file);
      if (!theirs) throw new Error(`${file} appeared and vanished while it was being created`);
      return theirs;
    }
    await syncDir(path.dirname(file));
    return key;
  } finally {
    await rm(tmp, { force: true });
  }
}

function decodeB64url(text: string | undefined, bytes?: number): Buffer | undefined {
  if (text === undefined || !B64URL.test(text)) return undefined;
  const buf = Buffer.from(text, "base64url");
  return (bytes === undefined || buf.length === bytes) && buf.toString("base64url") === text ? buf : undefined;
}

function assertKey(key: Buffer, what: string): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new TypeError(`${what} must be a ${KEY_BYTES}-byte Buffer`);
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as NodeJS.ErrnoException).code === code;
}
