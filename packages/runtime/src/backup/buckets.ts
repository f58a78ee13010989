// Local "buckets": gs://bucket/path/to/object is the file <root>/bucket/path/to/object, so exports
// and imports use the URIs Memorystore users already write. A URI is user input that becomes a
// file path, so it is checked twice: lexically (parseBucketUri, no fs) and against the real file
// tree (the resolve* functions), where a symlink could otherwise lead outside the root.
// The realpath checks happen before the caller opens the file; someone who can already replace
// directories inside the root could still race them, which is outside what this guards against.

import type { Stats } from "node:fs";
import { lstat, mkdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { BucketObjectNotFoundError, InvalidBucketUriError } from "./errors.js";

export interface BucketObject {
  uri: string;
  bucket: string;
  /** The object name, e.g. "path/to/object". */
  object: string;
  /** <root>/bucket/path/to/object, lexically (no symlinks resolved). */
  path: string;
}

const SCHEME = "gs://";
/** GCS's bucket name rule: 3–63 chars, a letter or digit at both ends (GCS's longer dotted names
 *  are not needed for directories). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
/** GCS's limit on object names (UTF-8 bytes). */
const MAX_OBJECT_BYTES = 1024;
/** Each segment becomes a file name; most file systems refuse longer ones (NAME_MAX). */
const MAX_SEGMENT_BYTES = 255;
const MAX_URI_CHARS = SCHEME.length + 63 + 1 + MAX_OBJECT_BYTES + 1;
const DIR_MODE = 0o700;

/** Pure syntax + containment check (no fs): throws InvalidBucketUriError naming the problem. */
export function parseBucketUri(root: string, uri: string): BucketObject {
  const { bucket, segments } = splitUri(uri, "object");
  return toObject(root, uri, bucket, segments);
}

/** For reading: the object must exist (else BucketObjectNotFoundError) and its realpath must stay
 *  inside realpath(root) (else InvalidBucketUriError). Returns the real path. */
export async function resolveForRead(root: string, uri: string): Promise<string> {
  const object = parseBucketUri(root, uri);
  const notFound = () => new BucketObjectNotFoundError(`${show(uri)} does not exist`);
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(object.path);
  } catch (err) {
    if (isCode(err, "ENOENT") || isCode(err, "ENOTDIR")) throw notFound();
    if (isCode(err, "ELOOP")) throw new InvalidBucketUriError(`${show(uri)} runs into a symlink loop`);
    throw err;
  }
  if (!within(realRoot, real)) throw escapes(uri);
  if (!(await stat(real)).isFile()) throw notFound();
  return real;
}

/** For writing: creates the parent directories (0700), each checked to stay inside the root
 *  after resolving symlinks, and refuses a symlink or a directory at the object's own name.
 *  Returns the path to write: the parent's real path joined with the object's last segment. */
export async function resolveForWrite(root: string, uri: string): Promise<string> {
  const object = parseBucketUri(root, uri);
  const segments = object.object.split("/");
  const name = segments.pop()!;
  const dir = await makeDirsInside(root, uri, [object.bucket, ...segments]);
  const target = path.join(dir, name);
  const existing = await lstatIfExists(target);
  if (existing?.isSymbolicLink()) throw new InvalidBucketUriError(`${show(uri)} is a symlink: refusing to write through it`);
  if (existing?.isDirectory()) throw new InvalidBucketUriError(`${show(uri)} is a directory, not an object`);
  return target;
}

/** For `gs://bucket/prefix/` destinations: the same checks, creating the directory itself too.
 *  The trailing "/" may be left off, and `gs://bucket/` is the bucket's own directory. Returns the
 *  directory's real path. */
export async function resolveDirForWrite(root: string, uri: string): Promise<string> {
  const { bucket, segments } = splitUri(uri, "dir");
  toObject(root, uri, bucket, segments);
  return makeDirsInside(root, uri, [bucket, ...segments]);
}

/** Creates root/segments... one level at a time. Every level is resolved and checked before
 *  anything is created inside it, so a symlink out of the root never gets a directory made at
 *  its target. Returns the real path of the last level. */
async function makeDirsInside(root: string, uri: string, segments: string[]): Promise<string> {
  await mkdir(root, { recursive: true, mode: DIR_MODE });
  const realRoot = await realpath(root);
  let dir = realRoot;
  for (const segment of segments) {
    const next = path.join(dir, segment);
    try {
      await mkdir(next, { mode: DIR_MODE });
    } catch (err) {
      if (!isCode(err, "EEXIST")) throw err;
    }
    let real: string;
    try {
      real = await realpath(next);
    } catch (err) {
      if (isCode(err, "ENOENT") || isCode(err, "ELOOP")) throw new InvalidBucketUriError(`${show(uri)} goes through a broken symlink (${segment})`);
      throw err;
    }
    if (!within(realRoot, real)) throw escapes(uri);
    if (!(await stat(real)).isDirectory()) throw new InvalidBucketUriError(`${show(uri)}: "${segment}" is an object, not a directory`);
    dir = real;
  }
  return dir;
}

function splitUri(uri: string, kind: "object" | "dir"): { bucket: string; segments: string[] } {
  const invalid = (why: string) => new InvalidBucketUriError(`invalid bucket URI ${show(uri)}: ${why}`);
  if (typeof uri !== "string") throw new InvalidBucketUriError("invalid bucket URI: not a string");
  if (uri.length > MAX_URI_CHARS) throw invalid(`it is longer than ${MAX_URI_CHARS} characters`);
  if (uri.includes("\0")) throw invalid("it contains a NUL byte");
  // Other control characters are legal in GCS but only ever a mistake (or a log-injection attempt) here.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\x01-\x1f\x7f]/.test(uri)) throw invalid("it contains a control character");
  if (uri.includes("\\")) throw invalid("it contains a backslash");
  if (!uri.startsWith(SCHEME)) throw invalid(`it must start with ${SCHEME}`);
  const [bucket = "", ...segments] = uri.slice(SCHEME.length).split("/");
  if (bucket === "") throw invalid("the bucket name is empty");
  if (!BUCKET_NAME.test(bucket))
    throw invalid("the bucket name must be 3-63 characters of a-z, 0-9, '.', '_', '-', starting and ending with a letter or digit");
  if (kind === "dir") {
    if (segments.at(-1) === "") segments.pop();
  } else if (segments.length === 0 || (segments.length === 1 && segments[0] === "")) {
    throw invalid("the object name is empty");
  } else if (segments.at(-1) === "") {
    throw invalid("it ends in '/', which names a folder, not an object");
  }
  if (Buffer.byteLength(segments.join("/")) > MAX_OBJECT_BYTES) throw invalid(`the object name is longer than ${MAX_OBJECT_BYTES} bytes`);
  for (const segment of segments) {
    if (segment === "") throw invalid("it has an empty path segment ('//')");
    if (segment === "." || segment === "..") throw invalid(`it has a '${segment}' path segment`);
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) throw invalid(`a path segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
  return { bucket, segments };
}

function toObject(root: string, uri: string, bucket: string, segments: string[]): BucketObject {
  const base = path.resolve(root);
  const file = path.join(base, bucket, ...segments);
  // Cannot fail after splitUri's checks; kept so a future change to them cannot open a way out.
  if (!within(base, file) || file === base) throw escapes(uri);
  return { uri, bucket, object: segments.join("/"), path: file };
}

/** True when `child` is `parent` or below it. */
function within(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!path.isAbsolute(rel) && rel !== ".." && !rel.startsWith(`..${path.sep}`));
}

function escapes(uri: string): InvalidBucketUriError {
  return new InvalidBucketUriError(`${show(uri)} resolves outside the bucket root`);
}

async function lstatIfExists(file: string): Promise<Stats | undefined> {
  try {
    return await lstat(file);
  } catch (err) {
    if (isCode(err, "ENOENT")) return undefined;
    throw err;
  }
}

/** The URI quoted for a message: JSON escapes control characters, and it is cut to a sane length. */
function show(uri: string): string {
  return JSON.stringify(uri.length > 200 ? `${uri.slice(0, 200)}…` : uri);
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as NodeJS.ErrnoException).code === code;
}
