// ACL users and the default user's passwords as plan steps: what each node's users should be,
// what they are, and the one step that converges them on every node at once. No I/O.
//
// The control plane's own access is the `default` user: every admin connection, probe, failover
// and replica (masterauth) authenticates as it, with the deployment's requirepass. It is never
// removed and never narrowed: with open-access it is what it always was (the AUTH string, or no
// password when auth is off); with another ACL it keeps a password only the control plane knows
// (the deployment's AUTH string, shown to nobody while authEnabled is off), so clients must
// AUTH as their ACL user and the control plane loses nothing. Every other user is the ACL's.
//
// Comparing users: Redis prints a user's command rules from its permission bitmap, best-fit by
// category, in its command table's hash order, which is seeded per process: the same rules read
// back differently on two nodes, or on one node after a restart (checked on 7.0.15). So a node's
// user is never compared with the desired rules as text. The worker remembers, per node, the line
// a node showed right after it set a user to some rules (their `fingerprint`); a node that still
// shows that line has those rules. A line the worker has not seen (a restart, another worker) is
// simply set again: ACL SETUSER is idempotent and cuts no connection.
import { defaultUserMatches, DEFAULT_USER, type AclLine } from "./acl.js";
import type { ObservedNode, Step } from "./plan.js";

export interface DesiredAclUser {
  name: string;
  /** Identifies the exact ACL SETUSER arguments the user is set with (passwords included). */
  fingerprint: string;
}

export interface DesiredAcl {
  /** SHA-256 hex of each password the default user accepts: the deployment's requirepass, and
   *  during an AUTH string rotation the other one. Empty: no password (auth off, open-access). */
  defaultPasswordHashes: readonly string[];
  /** The ACL's users (none for open-access). */
  users: readonly DesiredAclUser[];
}

/** A node's users as the worker sees them (observe.ts): ACL LIST, read through what it applied. */
export interface ObservedAcl {
  /** The default user's line. */
  defaultUser?: AclLine | undefined;
  /** Every other user on the node; `fingerprint` when the node shows exactly the line it showed
   *  right after the worker set it to those rules. */
  users: { name: string; fingerprint?: string | undefined }[];
}

/** What one node needs: the default user set again, users set, users removed. */
export interface NodeAclChange {
  nodeId: string;
  default: boolean;
  set: string[];
  remove: string[];
}

/** An AUTH string rotation of an instance, as far as it has come (the worker's auth-rotation.ts):
 *  "adding" while the new string goes onto every node beside the old one; "grace" once it is
 *  published, while the old one still works for clients that read it a moment ago. */
export type AuthRotation = { stage: "adding"; newPasswordHash: string } | { stage: "grace"; remainingMs: number };

/** How a node's users differ from the desired ones. A node not observed (no ACL LIST) gets everything. */
export function aclDrift(desired: DesiredAcl, observed: ObservedAcl | undefined): Omit<NodeAclChange, "nodeId"> {
  const seen = new Map((observed?.users ?? []).map((u) => [u.name, u.fingerprint]));
  const wanted = new Set(desired.users.map((u) => u.name));
  return {
    default: !defaultUserMatches(observed?.defaultUser, desired.defaultPasswordHashes),
    set: desired.users.filter((u) => seen.get(u.name) !== u.fingerprint).map((u) => u.name),
    // Users nobody asked for go (a user dropped from the ACL, or made by hand): never `default`.
    remove: [...seen.keys()].filter((name) => name !== DEFAULT_USER && !wanted.has(name)).sort(),
  };
}

const canApply = (n: ObservedNode, downZones: readonly string[] | undefined) =>
  n.liveness === "running" && !n.loading && !(downZones?.includes(n.zone) ?? false);

/**
 * The deployment's ACL step: one applyAcl for every node that answers and differs (all at once:
 * a user change reaches every node within one step), then, during an AUTH string rotation, the
 * publication of the new string once every node accepts it, and the grace before the old one
 * goes. Nodes that are down get their users when they are back (their aclfile keeps them).
 */
export function aclSteps(
  desired: DesiredAcl | undefined,
  observed: readonly ObservedNode[],
  downZones?: readonly string[],
  rotation?: AuthRotation,
): { steps: Step[]; waiting: string[] } {
  const steps: Step[] = [];
  const waiting: string[] = [];
  if (!desired) return { steps, waiting };
  const nodes: NodeAclChange[] = [];
  for (const node of observed) {
    if (!canApply(node, downZones)) continue;
    const drift = aclDrift(desired, node.acl);
    if (drift.default || drift.set.length > 0 || drift.remove.length > 0) nodes.push({ nodeId: node.id, ...drift });
  }
  if (nodes.length > 0) steps.push({ kind: "applyAcl", nodes });
  if (rotation?.stage === "adding") {
    // "Every node": a node that is down would come back without the new string in its users.
    const lacking = observed.filter((n) => !canApply(n, downZones) || !n.acl?.defaultUser?.passwordHashes.includes(rotation.newPasswordHash));
    if (nodes.length === 0 && lacking.length === 0) steps.push({ kind: "publishAuthString" });
    else waiting.push(`the new AUTH string is not on every node yet${lacking[0] ? ` (${lacking[0].id})` : ""}`);
  } else if (rotation?.stage === "grace") {
    waiting.push(`the previous AUTH string stays valid for ${Math.ceil(rotation.remainingMs)} ms more`);
  }
  return { steps, waiting };
}

/** The step's one-line description. */
export function describeAclStep(step: Extract<Step, { kind: "applyAcl" | "publishAuthString" }>): string {
  if (step.kind === "publishAuthString") return "Publishing the new AUTH string";
  const set = new Set(step.nodes.flatMap((n) => n.set));
  const removed = new Set(step.nodes.flatMap((n) => n.remove));
  const parts = [
    ...(set.size > 0 ? [`setting user(s) ${[...set].sort().join(", ")}`] : []),
    ...(removed.size > 0 ? [`removing user(s) ${[...removed].sort().join(", ")}`] : []),
    ...(step.nodes.some((n) => n.default) ? ["setting the default user's passwords"] : []),
  ];
  return `ACL: ${parts.join("; ")} on ${step.nodes.length} node(s)`;
}
