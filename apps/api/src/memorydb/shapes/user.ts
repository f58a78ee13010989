// The MemoryDB User and ACL shapes of the native users and ACLs (the same RedisUser and RedisAcl
// rows). Nothing secret is in them by construction: the native views carry a password count,
// never a password or its hash.
//
// MemoryDB's `default` user and `open-access` ACL have no rows here, as natively: the default
// user is each node's own (the AUTH string's, and the control plane's), and open-access is
// virtual. The facade shows them as MemoryDB does, and refuses to change them.
import { DEFAULT_USER, OPEN_ACCESS } from "@cacheplane/core";
import type { PrismaClient } from "@cacheplane/db";
import type { Acl, User } from "@cacheplane/contracts";
import { aclNameOf } from "../../services/acls-service.js";
import { arn } from "../names.js";

/** The engine version users and ACLs have needed since MemoryDB began (Redis 6.2's ACLs). */
const MINIMUM_ENGINE_VERSION = "6.2";
/** MemoryDB's default user: every key, channel and command, no password. */
export const DEFAULT_USER_ACCESS_STRING = "on ~* &* +@all";

/** projects/p/locations/l/users/u → u (the id in a native resource name). */
export const idOf = (resourceName: string) => resourceName.slice(resourceName.lastIndexOf("/") + 1);

export interface Where {
  region: string;
  project: string;
}

export function userShape(where: Where, user: User, status: string) {
  const name = idOf(user.name ?? "");
  return {
    Name: name,
    Status: status,
    AccessString: user.accessString,
    ACLNames: user.aclNames ?? [],
    MinimumEngineVersion: MINIMUM_ENGINE_VERSION,
    Authentication: {
      Type: user.authenticationMode?.type === "NO_PASSWORD" ? "no-password" : "password",
      PasswordCount: user.authenticationMode?.passwordCount ?? 0,
    },
    ARN: arn(where.region, where.project, "user", name),
  };
}

export const defaultUserShape = (where: Where) => ({
  Name: DEFAULT_USER,
  Status: "active",
  AccessString: DEFAULT_USER_ACCESS_STRING,
  ACLNames: [OPEN_ACCESS],
  MinimumEngineVersion: MINIMUM_ENGINE_VERSION,
  Authentication: { Type: "no-password", PasswordCount: 0 },
  ARN: arn(where.region, where.project, "user", DEFAULT_USER),
});

export function aclShape(where: Where, acl: Acl, status: string) {
  const name = idOf(acl.name ?? "");
  return {
    Name: name,
    Status: status,
    // open-access holds MemoryDB's default user, the one every node has.
    UserNames: name === OPEN_ACCESS ? [DEFAULT_USER] : (acl.userNames ?? []),
    MinimumEngineVersion: MINIMUM_ENGINE_VERSION,
    // Changes are applied as they are made (within a second), never held for later.
    PendingChanges: {},
    // Only clusters: MemoryDB has no instances, though a native instance may use the ACL too.
    Clusters: (acl.clusters ?? []).map(idOf),
    ARN: arn(where.region, where.project, "acl", name),
  };
}

/**
 * The ACLs whose latest change has not reached every deployment using it yet: a deployment that
 * names it and has not converged on its latest generation (each ACL or user change gives them
 * one). Those ACLs, and their users, are `modifying` as in MemoryDB; the rest `active`.
 */
export async function convergingAcls(prisma: PrismaClient, where: Where): Promise<Set<string>> {
  const rows = await prisma.instance.findMany({
    where: { projectId: where.project, locationId: where.region, deleteRequested: false },
    select: { spec: true, generation: true, observedGeneration: true },
  });
  return new Set(
    rows
      .filter((row) => row.observedGeneration < row.generation)
      .map((row) => aclNameOf(row.spec))
      .filter((name) => name !== OPEN_ACCESS),
  );
}

export const aclStatus = (converging: Set<string>, name: string) => (converging.has(name) ? "modifying" : "active");
export const userStatus = (converging: Set<string>, aclNames: readonly string[]) => (aclNames.some((n) => converging.has(n)) ? "modifying" : "active");
