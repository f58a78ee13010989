// Cloud Storage names as the API takes them. A "bucket" here is a directory under the control
// plane's buckets root: gs://bucket/object is the file {root}/bucket/object.
import { z } from "zod";

/** A bucket name as Cloud Storage allows it. */
export const GcsBucket = z
  .string()
  .min(3)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, "must be a bucket name such as 'my-bucket'");
const GCS_URI = /^gs:\/\/[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]\/[^\\\0]+$/;
/** gs://bucket/object: a file under the control plane's buckets root. Paths that could leave it
 *  are refused here; the worker checks again with the file system (symlinks). */
export const GcsUri = z
  .string()
  .max(1100)
  .regex(GCS_URI, "must be gs://bucket/object")
  .refine(
    (uri) =>
      uri
        .slice(5)
        .split("/")
        .slice(1)
        .every((seg) => seg !== "" && seg !== "." && seg !== ".."),
    "must not contain empty, '.' or '..' path segments",
  );

export const ManagedBackupSource = z
  .strictObject({ backup: z.string().max(400).meta({ description: "The backup's full name: projects/…/backupCollections/…/backups/…" }) })
  .meta({ id: "ManagedBackupSource" });
export const GcsSource = z
  .strictObject({ uris: z.array(GcsUri).min(1).max(64) })
  .meta({ id: "GcsBackupSource", description: "RDB files to load (one per shard or not: keys go to the shard owning their slot)." });
