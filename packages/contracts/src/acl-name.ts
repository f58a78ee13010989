// The id of an ACL and the `aclName` field instances and clusters carry. A file of its own so
// that instance.ts and cluster.ts can import it without importing acl.ts (which imports them).
import { z } from "zod";

export const ACL_ID = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const AclId = z.string().max(40).regex(ACL_ID, "must be 1-40 lowercase letters, digits or hyphens, start with a letter and end with a letter or digit");

/** What an instance or cluster names: an ACL of its own location (MemoryDB's ACLName). */
export const AclName = AclId.meta({
  description:
    "cacheplane addition (MemoryDB's ACLName): the ACL of this location whose users every node has; default open-access (no ACL users, " +
    "the default user as authEnabled says). With another ACL, clients AUTH as its users (AUTH user password); the AUTH string, when " +
    "authEnabled, keeps working as the default user's. Settable at create and by PATCH; an ACL that does not exist is NOT_FOUND.",
});
