// The node's aclfile (users.acl in its data dir), written before every start.
//
// Why before every start: a node with an aclfile takes its default user from the file, not from
// requirepass (checked on 7.0.15: an empty aclfile beside `requirepass x` starts the node with
// `default on nopass`, open to anyone). So the file always holds the default user the spec asks
// for, and a node never starts more open than its spec. The other users are the ones the node's
// own ACL SAVE left there (rules Redis itself accepted, so the file never stops a start), minus
// any the spec no longer names: a user deleted while the node was down does not come back with
// it. Users changed while it was down start with their old rules and are set again by the next
// reconcile pass, which follows the start.
import { createHash } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { InvalidNodeSpecError } from "../config.js";
import type { NodeSpec } from "../node-runtime.js";

const SHA256_HEX = /^[0-9a-f]{64}$/;
const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** The default user's passwords for a spec: spec.acl's, else requirepass's (as Redis would). */
export function defaultPasswordHashes(spec: Pick<NodeSpec, "id" | "config" | "acl">): string[] {
  const hashes = spec.acl ? spec.acl.defaultPasswordHashes : spec.config.requirepass ? [sha256(spec.config.requirepass)] : [];
  for (const hash of hashes) {
    if (!SHA256_HEX.test(hash)) throw new InvalidNodeSpecError(`node ${spec.id}: a default user password hash is not SHA-256 hex`);
  }
  return hashes;
}

/** The aclfile a node starts with, from its spec and the file it has (`saved`). */
export function renderAclFile(spec: Pick<NodeSpec, "id" | "config" | "acl">, saved: string | undefined): string {
  const hashes = defaultPasswordHashes(spec);
  const lines = [`user default on ${hashes.length > 0 ? hashes.map((h) => `#${h}`).join(" ") : "nopass"} ~* &* +@all`];
  const wanted = spec.acl ? new Set(spec.acl.users) : undefined;
  for (const line of (saved ?? "").split("\n")) {
    const [keyword, name] = line.trim().split(/\s+/);
    if (keyword !== "user" || !name || name === "default") continue;
    if (wanted && !wanted.has(name)) continue;
    lines.push(line.trim());
  }
  return `${lines.join("\n")}\n`;
}

/** Writes the node's aclfile (0600: it holds password hashes) from its spec and what it has. */
export async function writeAclFile(file: string, spec: Pick<NodeSpec, "id" | "config" | "acl">): Promise<void> {
  const saved = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, renderAclFile(spec, saved), { mode: 0o600 });
  await rename(tmp, file);
}
