// ACLs (our addition on the native API, after Amazon MemoryDB's ACL): a named set of users that
// instances and clusters name in `aclName`. `open-access` exists in every location from the
// start: no ACL users, the default user as the deployment's AUTH settings say.
import { z } from "zod";
import { outputOnly } from "./instance.js";
import { LocationParams } from "./requests.js";
import { UserId } from "./redis-user.js";
import { AclId } from "./acl-name.js";

export { ACL_ID, AclId, AclName } from "./acl-name.js";

export const Acl = z
  .strictObject({
    name: outputOnly(z.string().max(300), "projects/{project}/locations/{location}/acls/{acl}"),
    userNames: z.array(UserId).max(100).optional().meta({ description: "The users (ids) in the ACL; each must exist." }),
    status: outputOnly(z.enum(["ACTIVE"]), "Output only."),
    instances: outputOnly(z.array(z.string()), "Output only. The instances that use the ACL."),
    clusters: outputOnly(z.array(z.string()), "Output only. The clusters that use the ACL."),
    createTime: outputOnly(z.iso.datetime(), "Output only. Absent for open-access."),
    updateTime: outputOnly(z.iso.datetime(), "Output only. Absent for open-access."),
  })
  .meta({ id: "Acl", description: "cacheplane addition, after MemoryDB's ACL: a named set of users." });
export type Acl = z.infer<typeof Acl>;

export const ACL_UPDATABLE_FIELDS = { userNames: "user_names" } as const;

export const AclParams = LocationParams.extend({ acl: AclId });
export const CreateAclQuery = z.strictObject({ aclId: AclId });
export const UpdateAclQuery = z.strictObject({ updateMask: z.string().min(1, "updateMask is required").max(512) });

export const ListAclsResponse = z.object({ acls: z.array(Acl), nextPageToken: z.string().optional() }).meta({ id: "ListAclsResponse" });
