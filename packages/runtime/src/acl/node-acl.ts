// ACL users on a live node: ACL SETUSER / DELUSER, then ACL SAVE into its aclfile.
//
// Each SETUSER is atomic in Redis (it is applied to a copy, then swapped in): a client sees a
// user before or after, never half set, and no connection is cut (only DELUSER disconnects the
// user's clients, which is what removing a user means). A user the node refuses (a command
// this engine does not have) is left disabled with `reset`, never with a part of its rules, and
// reported; the default user is never touched that way, since the control plane logs in as it.
import type { Redis } from "ioredis";
import type { AclApplied, AclChange } from "../node-runtime.js";

/** Redis's refusal, without anything that could be a secret (a password hash it echoed). */
const reasonOf = (err: unknown) => ((err as Error).message ?? String(err)).replace(/[#!<>][0-9a-f]{64}/gi, "<password>").slice(0, 300);
const isReplyError = (err: unknown) => (err as Error)?.name === "ReplyError";
const NO_ACLFILE = /not configured to use an ACL file/i;

export async function applyAclChange(redis: Redis, change: AclChange): Promise<AclApplied> {
  const rejected: AclApplied["rejected"] = [];
  for (const user of change.set) {
    try {
      await redis.call("ACL", "SETUSER", user.name, ...user.rules);
    } catch (err) {
      if (!isReplyError(err) || user.name === "default") throw err;
      rejected.push({ name: user.name, reason: reasonOf(err) });
      await redis.call("ACL", "SETUSER", user.name, "reset");
    }
  }
  for (const name of change.remove) {
    if (name !== "default") await redis.call("ACL", "DELUSER", name);
  }
  let saved = true;
  try {
    await redis.call("ACL", "SAVE");
  } catch (err) {
    if (!NO_ACLFILE.test((err as Error).message)) throw err;
    saved = false;
  }
  return { lines: (await redis.call("ACL", "LIST")) as string[], rejected, saved };
}
