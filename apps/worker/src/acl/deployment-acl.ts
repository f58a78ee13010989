// A deployment's users as a reconcile pass needs them: loaded with the row, each pass (a change to
// a user or an ACL is a new generation of every deployment using it, see the api's
// acls-service.ts). What plan() compares (core's acl-plan.ts), the SETUSER arguments applyAcl
// sends, and what a node's start needs (NodeSpec.acl: its aclfile).
//
// The default user is the control plane's own: its passwords are the deployment's requirepass
// (the AUTH string, or with an ACL other than open-access the deployment's secret even when auth
// is off: core's controlPassword) and, during an AUTH string rotation, the other string.
import { createHash } from "node:crypto";
import { aclUserRules, defaultUserRules, OPEN_ACCESS, type AuthRotation, type DesiredAcl } from "@cacheplane/core";
import type { NodeAcl } from "@cacheplane/runtime";
import type { WorkerContext } from "../context.js";
import type { Row } from "../reconcile/step-input.js";
import { isCluster } from "../reconcile/desired-cluster.js";
import { rotationState } from "./auth-rotation.js";

export interface DeploymentAcl {
  desired: DesiredAcl;
  /** ACL SETUSER arguments of each user (never the default user), by name. */
  rules: Map<string, string[]>;
  /** Fingerprint of each user's arguments, by name (what desired.users carries). */
  fingerprints: Map<string, string>;
  /** ACL SETUSER arguments of the default user. */
  defaultRules: string[];
  /** What a start of one of its nodes needs. */
  node: NodeAcl;
}

/** A row as a reconcile pass reads it, with its users. */
export type WithAcl = { acl?: DeploymentAcl | undefined };

const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

/** The ACL a deployment names (none stored: open-access). */
export const aclNameOf = (row: Pick<Row, "spec">) => (row.spec as { aclName?: string }).aclName ?? OPEN_ACCESS;

/** The users of the deployment's ACL, as SETUSER arguments. An ACL that is gone (deleted while a
 *  PATCH named it) has none: its nodes fail closed, with the default user still closed to clients. */
async function aclUsers(ctx: WorkerContext, row: Row): Promise<Map<string, string[]>> {
  const rules = new Map<string, string[]>();
  const aclId = aclNameOf(row);
  if (aclId === OPEN_ACCESS) return rules;
  const acl = await ctx.prisma.redisAcl.findUnique({ where: { projectId_locationId_aclId: { projectId: row.projectId, locationId: row.locationId, aclId } } });
  if (!acl) {
    ctx.log.warn({ instanceUid: row.uid, acl: aclId }, "the deployment's ACL does not exist: its nodes get no ACL users");
    return rules;
  }
  const users = await ctx.prisma.redisUser.findMany({ where: { projectId: row.projectId, locationId: row.locationId, userId: { in: acl.userIds } } });
  for (const user of users.sort((a, b) => (a.userId < b.userId ? -1 : 1))) {
    try {
      rules.set(user.userId, aclUserRules(user.accessString, { type: user.authType as "PASSWORD" | "NO_PASSWORD", passwordHashes: user.passwordHashes }));
    } catch (error) {
      // Stored before a rule was refused by the api: the user is left out (it cannot log in), never half applied.
      ctx.log.warn({ instanceUid: row.uid, user: user.userId, err: (error as Error).message }, "user left out: its access string is not valid");
    }
  }
  return rules;
}

/**
 * The desired spec of a reconcile pass with its users: loads them (and an AUTH string rotation),
 * sets `row.acl` for the node specs of this pass, and returns the desired spec with the ACL plan()
 * compares and the directives the rotation asks for. A deployment being deleted needs none.
 */
export async function withAccess<T extends { config: Record<string, string> }>(
  ctx: WorkerContext,
  row: Row & WithAcl,
  desired: T,
): Promise<T & { acl?: DesiredAcl; authRotation?: AuthRotation }> {
  row.acl = undefined;
  if (row.deleteRequested) return desired;
  const rules = await aclUsers(ctx, row);
  const rotation = isCluster(row) ? undefined : await rotationState(ctx, row);
  const config = rotation?.requirepass ? { ...desired.config, requirepass: rotation.requirepass } : desired.config;
  const passwords = [...new Set([config.requirepass, ...(rotation?.extraPasswords ?? [])].filter((p): p is string => !!p))];
  const defaultPasswordHashes = passwords.map(sha256);
  const fingerprints = new Map([...rules].map(([name, args]) => [name, sha256(`${name}\n${args.join("\n")}`)]));
  row.acl = {
    desired: { defaultPasswordHashes, users: [...fingerprints].map(([name, fingerprint]) => ({ name, fingerprint })) },
    rules,
    fingerprints,
    defaultRules: defaultUserRules(defaultPasswordHashes),
    node: { defaultPasswordHashes, users: [...rules.keys()] },
  };
  return { ...desired, config, acl: row.acl.desired, ...(rotation?.plan ? { authRotation: rotation.plan } : {}) };
}
