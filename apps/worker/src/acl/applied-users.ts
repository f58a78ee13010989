// What this worker set each node's users to, and the ACL LIST line the node showed right after.
// Redis prints a user's command rules from its permission bitmap in a per-process hash order (see
// core's acl-plan.ts), so the line is the only reliable sign that a node still has the rules the
// worker set. Kept in memory: a worker that restarts (or another worker) sets each user once more,
// which is harmless (ACL SETUSER is idempotent and cuts no connection).
import { DEFAULT_USER, parseAclLine, type ObservedAcl } from "@cacheplane/core";

const applied = new Map<string, Map<string, { fingerprint: string; line: string }>>();

const lineOf = (lines: readonly string[], name: string) => lines.find((l) => parseAclLine(l)?.name === name);

/** Records, after applyAcl, the line each user set on the node shows now. */
export function rememberApplied(nodeId: string, users: readonly { name: string; fingerprint: string }[], lines: readonly string[]) {
  const byUser = applied.get(nodeId) ?? applied.set(nodeId, new Map()).get(nodeId)!;
  for (const { name, fingerprint } of users) {
    const line = lineOf(lines, name);
    if (line) byUser.set(name, { fingerprint, line });
    else byUser.delete(name);
  }
}

/** A node's ACL LIST read through what was applied: each user with the fingerprint of the rules
 *  it was set to, when it still shows the very line it showed then. */
export function observedAcl(nodeId: string, lines: readonly string[] | undefined): ObservedAcl | undefined {
  if (!lines) return undefined;
  const byUser = applied.get(nodeId);
  const users: ObservedAcl["users"] = [];
  let defaultUser: ObservedAcl["defaultUser"];
  for (const line of lines) {
    const parsed = parseAclLine(line);
    if (!parsed) continue;
    if (parsed.name === DEFAULT_USER) {
      defaultUser = parsed;
      continue;
    }
    const known = byUser?.get(parsed.name);
    users.push({ name: parsed.name, fingerprint: known && known.line === line ? known.fingerprint : undefined });
  }
  return { defaultUser, users };
}

/** Forgets a node that is gone. */
export const forgetNode = (nodeId: string) => applied.delete(nodeId);
