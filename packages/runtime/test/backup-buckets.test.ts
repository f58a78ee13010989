import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BucketObjectNotFoundError, InvalidBucketUriError, parseBucketUri, resolveDirForWrite, resolveForRead, resolveForWrite } from "../src/backup/index.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "cacheplane-buckets-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
/** A fresh bucket root, and beside it (outside it) a directory with a secret file. */
const fresh = () => {
  const base = path.join(tmp, `d${++dirs}`);
  const root = path.join(base, "root");
  const outside = path.join(base, "outside");
  mkdirSync(root, { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(outside, "secret"), "not yours");
  return { root: realpathSync(root), outside: realpathSync(outside) };
};

describe("parseBucketUri", () => {
  const root = "/srv/buckets";

  it("maps gs://bucket/path/to/object under the root", () => {
    expect(parseBucketUri(root, "gs://my-bucket/path/to/dump.rdb")).toEqual({
      uri: "gs://my-bucket/path/to/dump.rdb",
      bucket: "my-bucket",
      object: "path/to/dump.rdb",
      path: "/srv/buckets/my-bucket/path/to/dump.rdb",
    });
    expect(parseBucketUri(root, "gs://a.b_c-9/x").path).toBe("/srv/buckets/a.b_c-9/x");
    expect(parseBucketUri("/srv/buckets/", "gs://abc/..x/.y/x..").path).toBe("/srv/buckets/abc/..x/.y/x..");
    expect(parseBucketUri(root, `gs://${"a".repeat(63)}/${"o".repeat(255)}`).bucket).toHaveLength(63);
    expect(parseBucketUri(root, "gs://abc/émoji ✓ and spaces").object).toBe("émoji ✓ and spaces");
    expect(parseBucketUri("relative/root", "gs://abc/o").path).toBe(path.resolve("relative/root/abc/o"));
  });

  const invalid: Array<[string, string, RegExp]> = [
    ["another scheme", "s3://bucket/object", /must start with gs:\/\//],
    ["an upper-case scheme", "GS://bucket/object", /must start with gs:\/\//],
    ["no scheme", "bucket/object", /must start with gs:\/\//],
    ["a file path", "/etc/passwd", /must start with gs:\/\//],
    ["an empty bucket", "gs:///object", /bucket name is empty/],
    ["an absolute path after the scheme", "gs:///etc/passwd", /bucket name is empty/],
    ["a too short bucket", "gs://ab/object", /bucket name must be/],
    ["a too long bucket", `gs://${"a".repeat(64)}/object`, /bucket name must be/],
    ["an upper-case bucket", "gs://Bucket/object", /bucket name must be/],
    ["a bucket starting with a dot", "gs://.bucket/object", /bucket name must be/],
    ["a bucket ending with a dash", "gs://bucket-/object", /bucket name must be/],
    ["a bucket of dots", "gs://.../object", /bucket name must be/],
    ["a bucket of two dots", "gs://../object", /bucket name must be/],
    ["a bucket with a colon", "gs://buc:ket/object", /bucket name must be/],
    ["no object", "gs://bucket", /object name is empty/],
    ["an empty object", "gs://bucket/", /object name is empty/],
    ["a folder", "gs://bucket/dir/", /ends in '\/'/],
    ["a '..' segment", "gs://bucket/../other/object", /'\.\.' path segment/],
    ["a '..' segment at the end", "gs://bucket/dir/..", /'\.\.' path segment/],
    ["a '.' segment", "gs://bucket/./object", /'\.' path segment/],
    ["an empty segment", "gs://bucket/dir//object", /empty path segment/],
    ["a leading empty segment", "gs://bucket//etc/passwd", /empty path segment/],
    ["a backslash", "gs://bucket/dir\\..\\object", /backslash/],
    ["a NUL", "gs://bucket/object\0.rdb", /NUL byte/],
    ["a newline", "gs://bucket/object\n.rdb", /control character/],
    ["an object over 1024 bytes", `gs://bucket/${"a/".repeat(512)}b`, /longer than 1024 bytes/],
    ["an object over 1024 bytes in UTF-8", `gs://bucket/${"é/".repeat(400)}`.slice(0, -1), /longer than 1024 bytes/],
    ["a segment over 255 bytes", `gs://bucket/${"o".repeat(256)}`, /segment is longer than 255/],
    ["a very long uri", `gs://bucket/${"o".repeat(5000)}`, /longer than/],
  ];
  for (const [label, uri, message] of invalid) {
    it(`rejects ${label}`, () => {
      expect(() => parseBucketUri(root, uri)).toThrow(InvalidBucketUriError);
      expect(() => parseBucketUri(root, uri)).toThrow(message);
    });
  }

  it("quotes the uri in its messages with control characters escaped", () => {
    expect(() => parseBucketUri(root, "gs://bucket/a\nb")).toThrow('invalid bucket URI "gs://bucket/a\\nb": it contains a control character');
  });
});

describe("resolveForRead", () => {
  it("returns the real path of an existing object", async () => {
    const { root } = fresh();
    mkdirSync(path.join(root, "bkt", "daily"), { recursive: true });
    writeFileSync(path.join(root, "bkt", "daily", "dump.rdb"), "REDIS0010");
    expect(await resolveForRead(root, "gs://bkt/daily/dump.rdb")).toBe(path.join(root, "bkt", "daily", "dump.rdb"));
  });

  it("follows symlinks that stay inside the root", async () => {
    const { root } = fresh();
    mkdirSync(path.join(root, "bkt", "real"), { recursive: true });
    writeFileSync(path.join(root, "bkt", "real", "dump.rdb"), "x");
    symlinkSync(path.join(root, "bkt", "real"), path.join(root, "bkt", "alias"));
    symlinkSync("dump.rdb", path.join(root, "bkt", "real", "latest.rdb"));
    expect(await resolveForRead(root, "gs://bkt/alias/dump.rdb")).toBe(path.join(root, "bkt", "real", "dump.rdb"));
    expect(await resolveForRead(root, "gs://bkt/real/latest.rdb")).toBe(path.join(root, "bkt", "real", "dump.rdb"));
  });

  it("throws BucketObjectNotFoundError for a missing object, bucket, or root, and for a directory", async () => {
    const { root } = fresh();
    mkdirSync(path.join(root, "bkt", "dir"), { recursive: true });
    writeFileSync(path.join(root, "bkt", "file"), "x");
    for (const uri of ["gs://bkt/missing.rdb", "gs://nobucket/x", "gs://bkt/dir", "gs://bkt/file/below"]) {
      await expect(resolveForRead(root, uri)).rejects.toThrow(BucketObjectNotFoundError);
    }
    await expect(resolveForRead(path.join(root, "no-root"), "gs://bkt/file")).rejects.toThrow(BucketObjectNotFoundError);
  });

  it("refuses a symlinked directory or file that points outside the root", async () => {
    const { root, outside } = fresh();
    mkdirSync(path.join(root, "bkt"));
    symlinkSync(outside, path.join(root, "bkt", "escape"));
    symlinkSync(path.join(outside, "secret"), path.join(root, "bkt", "secret"));
    symlinkSync(outside, path.join(root, "evil-bucket"));
    for (const uri of ["gs://bkt/escape/secret", "gs://bkt/secret", "gs://evil-bucket/secret"]) {
      await expect(resolveForRead(root, uri)).rejects.toThrow(InvalidBucketUriError);
      await expect(resolveForRead(root, uri)).rejects.toThrow(/outside the bucket root/);
    }
  });

  it("refuses an invalid uri before touching the file system", async () => {
    const { root } = fresh();
    await expect(resolveForRead(root, "gs://bkt/../../outside/secret")).rejects.toThrow(InvalidBucketUriError);
  });
});

describe("resolveForWrite", () => {
  it("creates the parent directories (0700) and returns the path to write", async () => {
    const { root } = fresh();
    const file = await resolveForWrite(root, "gs://bkt/exports/2024/dump.rdb");
    expect(file).toBe(path.join(root, "bkt", "exports", "2024", "dump.rdb"));
    for (const dir of ["bkt", "bkt/exports", "bkt/exports/2024"]) expect(statSync(path.join(root, dir)).mode & 0o777).toBe(0o700);
    expect(existsSync(file)).toBe(false);
    writeFileSync(file, "x");
    expect(await resolveForWrite(root, "gs://bkt/exports/2024/dump.rdb")).toBe(file);
  });

  it("creates a missing root", async () => {
    const { root } = fresh();
    expect(await resolveForWrite(path.join(root, "new-root"), "gs://bkt/o")).toBe(path.join(root, "new-root", "bkt", "o"));
  });

  it("refuses a symlinked directory pointing outside the root, creating nothing out there", async () => {
    const { root, outside } = fresh();
    mkdirSync(path.join(root, "bkt"));
    symlinkSync(outside, path.join(root, "bkt", "escape"));
    symlinkSync(outside, path.join(root, "evil-bucket"));
    for (const uri of ["gs://bkt/escape/dump.rdb", "gs://bkt/escape/deeper/dump.rdb", "gs://evil-bucket/dump.rdb"]) {
      await expect(resolveForWrite(root, uri)).rejects.toThrow(InvalidBucketUriError);
    }
    expect(readdirSync(outside)).toEqual(["secret"]);
  });

  it("refuses a symlink at the object's own name, even one pointing inside the root", async () => {
    const { root, outside } = fresh();
    mkdirSync(path.join(root, "bkt"));
    writeFileSync(path.join(root, "bkt", "target"), "x");
    symlinkSync(path.join(outside, "secret"), path.join(root, "bkt", "out"));
    symlinkSync(path.join(root, "bkt", "target"), path.join(root, "bkt", "in"));
    symlinkSync(path.join(outside, "missing"), path.join(root, "bkt", "dangling"));
    for (const uri of ["gs://bkt/out", "gs://bkt/in", "gs://bkt/dangling"]) {
      await expect(resolveForWrite(root, uri)).rejects.toThrow(/is a symlink/);
    }
  });

  it("refuses a directory at the object's name and a file where a directory must be", async () => {
    const { root } = fresh();
    mkdirSync(path.join(root, "bkt", "dir"), { recursive: true });
    writeFileSync(path.join(root, "bkt", "file"), "x");
    await expect(resolveForWrite(root, "gs://bkt/dir")).rejects.toThrow(/is a directory/);
    await expect(resolveForWrite(root, "gs://bkt/file/below")).rejects.toThrow(/"file" is an object, not a directory/);
  });

  it("refuses a dangling symlink on the way", async () => {
    const { root, outside } = fresh();
    mkdirSync(path.join(root, "bkt"));
    symlinkSync(path.join(outside, "nowhere"), path.join(root, "bkt", "gone"));
    await expect(resolveForWrite(root, "gs://bkt/gone/x")).rejects.toThrow(/broken symlink/);
    expect(readdirSync(outside)).toEqual(["secret"]);
  });

  it("refuses invalid uris", async () => {
    const { root } = fresh();
    for (const uri of ["gs://bkt/../x", "gs://bkt/", "gs://bkt/a//b", "file:///etc/passwd"]) {
      await expect(resolveForWrite(root, uri)).rejects.toThrow(InvalidBucketUriError);
    }
    expect(readdirSync(root)).toEqual([]);
  });
});

describe("resolveDirForWrite", () => {
  it("creates and returns the prefix directory, with or without the trailing slash", async () => {
    const { root } = fresh();
    expect(await resolveDirForWrite(root, "gs://bkt/exports/2024/")).toBe(path.join(root, "bkt", "exports", "2024"));
    expect(statSync(path.join(root, "bkt", "exports", "2024")).isDirectory()).toBe(true);
    expect(await resolveDirForWrite(root, "gs://bkt/exports")).toBe(path.join(root, "bkt", "exports"));
    expect(await resolveDirForWrite(root, "gs://bkt/")).toBe(path.join(root, "bkt"));
  });

  it("refuses a symlinked directory pointing outside the root", async () => {
    const { root, outside } = fresh();
    mkdirSync(path.join(root, "bkt"));
    symlinkSync(outside, path.join(root, "bkt", "escape"));
    await expect(resolveDirForWrite(root, "gs://bkt/escape/")).rejects.toThrow(InvalidBucketUriError);
    await expect(resolveDirForWrite(root, "gs://bkt/escape/sub/")).rejects.toThrow(InvalidBucketUriError);
    expect(readdirSync(outside)).toEqual(["secret"]);
  });

  it("refuses invalid uris", async () => {
    const { root } = fresh();
    for (const uri of ["gs://bkt/../", "gs://bkt//", "gs://bkt/a//b/", "gs://bkt/./", "gs:///", "gs://bkt/a\0/"]) {
      await expect(resolveDirForWrite(root, uri)).rejects.toThrow(InvalidBucketUriError);
    }
    expect(readdirSync(root)).toEqual([]);
  });
});
