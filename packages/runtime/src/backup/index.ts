// Storage primitives for backups: the master key and wrapped data keys, sealed (encrypted) files,
// gs:// buckets under a local root, and the RDB magic check.
export { BackupTamperedError, BucketObjectNotFoundError, InvalidBucketUriError, NotAnRdbFileError } from "./errors.js";
export { loadMasterKey, newDataKey, unwrapDataKey, wrapDataKey } from "./master-key.js";
export { createSecretBox, type SecretBox } from "./secret-box.js";
export { openSealedFile, sealFile } from "./sealed-file.js";
export { parseBucketUri, resolveDirForWrite, resolveForRead, resolveForWrite, type BucketObject } from "./buckets.js";
export { assertRdbFile, isRdbFile } from "./rdb-file.js";
