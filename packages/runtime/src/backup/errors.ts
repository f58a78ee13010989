// The failures of the backup storage primitives, one class per thing a caller handles differently:
// a tampered backup is never retried, a bad URI is the user's input (400), a missing object a 404.

/** A sealed file or wrapped key failed authentication: altered, truncated, extended, frames
 *  reordered, a bad header, or sealed under another key. AES-GCM cannot tell these apart. */
export class BackupTamperedError extends Error {
  override name = "BackupTamperedError";
}
/** A gs:// URI is malformed or would reach outside the bucket root (lexically or through a
 *  symlink). The message names the problem. */
export class InvalidBucketUriError extends Error {
  override name = "InvalidBucketUriError";
}
/** The object a gs:// URI names does not exist (or is a directory, which is not an object). */
export class BucketObjectNotFoundError extends Error {
  override name = "BucketObjectNotFoundError";
}
/** A file offered as a backup or an import does not start with Redis's RDB magic. */
export class NotAnRdbFileError extends Error {
  override name = "NotAnRdbFileError";
}
