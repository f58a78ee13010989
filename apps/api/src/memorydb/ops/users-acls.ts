// MemoryDB's users and ACLs on the native user and ACL services: the same rows, so a user made
// here is in the native API's list and reaches the nodes of every cluster whose ACL holds it.
// What MemoryDB has and the native services lack is done here: Tags, UpdateACL's add/remove
// lists, the implicit `default` user and its faults' names.
import { DEFAULT_USER, OPEN_ACCESS } from "@cacheplane/core";
import { AclId, Password, UserId, type Acl, type User, type UserRequest } from "@cacheplane/contracts";
import { z } from "zod";
import { fault, invalidParameterCombination, invalidParameterValue, translating } from "../faults.js";
import { locationKey } from "../names.js";
import { page } from "../paging.js";
import { MaxResults, NextToken, operation, Tags, type MemoryDbCall, type MemoryDbServices, type OperationTable } from "../registry.js";
import { aclShape, aclStatus, convergingAcls, defaultUserShape, userShape, userStatus } from "../shapes/user.js";
import { checkTags, deleteTags, writeTags } from "../tag-store.js";

const USER_FAULTS = { notFound: "UserNotFoundFault", alreadyExists: "UserAlreadyExistsFault", invalidState: "InvalidUserStateFault" };
const ACL_FAULTS = { notFound: "ACLNotFoundFault", alreadyExists: "ACLAlreadyExistsFault", invalidState: "InvalidACLStateFault" };

const AuthenticationMode = z.object({
  // MemoryDB's input types are password and iam; no-password-required (ElastiCache's word) is
  // accepted too, for the native NO_PASSWORD users a MemoryDB client may want to make.
  Type: z.string().max(64).optional(),
  Passwords: z.array(Password).min(1).max(2).optional(),
});
type AuthenticationModeInput = z.infer<typeof AuthenticationMode>;

const UserNames = z.array(UserId).max(100).optional();

/** MemoryDB's AuthenticationMode as the native one. */
function authenticationOf(mode: AuthenticationModeInput): NonNullable<UserRequest["authenticationMode"]> {
  const type = mode.Type ?? "password";
  if (type === "iam") throw invalidParameterValue("AuthenticationMode.Type iam is not available here: there is no IAM; use password");
  if (type === "password") {
    if (!mode.Passwords?.length) throw invalidParameterValue("AuthenticationMode.Passwords: 1 or 2 passwords are required with Type password");
    return { type: "PASSWORD", passwords: mode.Passwords };
  }
  if (type === "no-password-required") {
    if (mode.Passwords?.length) throw invalidParameterCombination("AuthenticationMode.Passwords must be empty with Type no-password-required");
    return { type: "NO_PASSWORD" };
  }
  throw invalidParameterValue(`AuthenticationMode.Type ${type} is not one of password, iam`);
}

function refuseDefaultUser(name: string, verb: string) {
  if (name === DEFAULT_USER) throw invalidParameterValue(`The default user cannot be ${verb}: it is each node's own user`);
}

/** Repeated names are MemoryDB's DuplicateUserNameFault; the default user belongs to open-access only. */
function checkUserNames(names: readonly string[]) {
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw fault("DuplicateUserNameFault", `User ${repeated} is named twice`);
  if (names.includes(DEFAULT_USER))
    throw invalidParameterValue("The default user is in open-access only: here it is the nodes' own user; name users of your own");
}

/** Every item of a native list, following its page tokens. */
async function listAll<T>(fetch: (pageToken: string | undefined) => Promise<{ items: T[]; nextPageToken?: string | undefined }>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const { items, nextPageToken } = await fetch(token);
    all.push(...items);
    token = nextPageToken;
  } while (token);
  return all;
}

const NATIVE_PAGE = 1000;

export function usersAclsOperations(services: MemoryDbServices): OperationTable {
  const { prisma } = services.ctx;
  const where = (call: MemoryDbCall) => ({ region: call.region, project: call.project });
  const userKey = (call: MemoryDbCall, user: string) => ({ ...locationKey(call), user });
  const aclKey = (call: MemoryDbCall, acl: string) => ({ ...locationKey(call), acl });

  const userUid = async (call: MemoryDbCall, user: string) =>
    (
      await prisma.redisUser.findUnique({
        where: { projectId_locationId_userId: { projectId: call.project, locationId: call.region, userId: user } },
        select: { uid: true },
      })
    )?.uid;
  const aclUid = async (call: MemoryDbCall, acl: string) =>
    (
      await prisma.redisAcl.findUnique({
        where: { projectId_locationId_aclId: { projectId: call.project, locationId: call.region, aclId: acl } },
        select: { uid: true },
      })
    )?.uid;

  async function showUser(call: MemoryDbCall, user: User) {
    return userShape(where(call), user, userStatus(await convergingAcls(prisma, where(call)), user.aclNames ?? []));
  }
  async function showAcl(call: MemoryDbCall, acl: Acl) {
    const name = acl.name?.slice(acl.name.lastIndexOf("/") + 1) ?? "";
    return aclShape(where(call), acl, aclStatus(await convergingAcls(prisma, where(call)), name));
  }

  return {
    CreateUser: operation("write", z.object({ UserName: UserId, AuthenticationMode, AccessString: z.string().min(1).max(4096), Tags }), async (input, call) => {
      if (input.UserName === DEFAULT_USER) throw fault("UserAlreadyExistsFault", "User default already exists: it is every cluster's own user");
      checkTags(input.Tags);
      const body = { accessString: input.AccessString, authenticationMode: authenticationOf(input.AuthenticationMode) };
      const user = await translating(USER_FAULTS, () => services.users.create(userKey(call, input.UserName), body));
      const uid = await userUid(call, input.UserName);
      if (uid) await writeTags(prisma, call.project, uid, input.Tags);
      return { User: await showUser(call, user) };
    }),

    DescribeUsers: operation(
      "read",
      z.object({
        UserName: UserId.optional(),
        Filters: z
          .array(z.object({ Name: z.string().min(1).max(64), Values: z.array(z.string().max(255)).min(1).max(20) }))
          .max(10)
          .optional(),
        MaxResults,
        NextToken,
      }),
      async (input, call) => {
        const key = locationKey(call);
        let users: Awaited<ReturnType<typeof showUser>>[];
        if (input.UserName === DEFAULT_USER) users = [defaultUserShape(where(call))];
        else if (input.UserName !== undefined)
          users = [await showUser(call, await translating(USER_FAULTS, () => services.users.get(userKey(call, input.UserName!))))];
        else {
          const native = await listAll(async (token) => {
            const listed = await services.users.list(key.project, key.location, NATIVE_PAGE, token);
            return { items: listed.users, nextPageToken: listed.nextPageToken };
          });
          const converging = await convergingAcls(prisma, where(call));
          users = [defaultUserShape(where(call)), ...native.map((u) => userShape(where(call), u, userStatus(converging, u.aclNames ?? [])))];
        }
        for (const filter of input.Filters ?? []) {
          // MemoryDB documents no filter names; status is the one its users have to filter on.
          if (filter.Name !== "status") throw invalidParameterValue(`Filter ${filter.Name} is not supported; filter on: status`);
          users = users.filter((u) => filter.Values.includes(u.Status));
        }
        const { items, NextToken } = page(users, (u) => u.Name, input.MaxResults, input.NextToken);
        return { Users: items, ...(NextToken ? { NextToken } : {}) };
      },
    ),

    UpdateUser: operation(
      "write",
      z.object({ UserName: UserId, AuthenticationMode: AuthenticationMode.optional(), AccessString: z.string().min(1).max(4096).optional() }),
      async (input, call) => {
        refuseDefaultUser(input.UserName, "changed");
        const fields = [...(input.AccessString !== undefined ? ["accessString"] : []), ...(input.AuthenticationMode ? ["authenticationMode"] : [])];
        if (fields.length === 0) throw invalidParameterCombination("Nothing to update: give AccessString and/or AuthenticationMode");
        const body = {
          ...(input.AccessString !== undefined ? { accessString: input.AccessString } : {}),
          ...(input.AuthenticationMode ? { authenticationMode: authenticationOf(input.AuthenticationMode) } : {}),
        };
        const user = await translating(USER_FAULTS, () => services.users.update(userKey(call, input.UserName), body, fields.join(",")));
        return { User: await showUser(call, user) };
      },
    ),

    DeleteUser: operation("write", z.object({ UserName: UserId }), async (input, call) => {
      refuseDefaultUser(input.UserName, "deleted");
      const key = userKey(call, input.UserName);
      const user = await translating(USER_FAULTS, () => services.users.get(key));
      const uid = await userUid(call, input.UserName);
      await translating(USER_FAULTS, () => services.users.remove(key));
      if (uid) await deleteTags(prisma, uid);
      // MemoryDB answers the user as it was, on its way out.
      return { User: { ...userShape(where(call), user, "deleting"), ACLNames: [] } };
    }),

    CreateACL: operation("write", z.object({ ACLName: AclId, UserNames, Tags }), async (input, call) => {
      const userNames = input.UserNames ?? [];
      checkUserNames(userNames);
      checkTags(input.Tags);
      const acl = await translating({ ...ACL_FAULTS, notFound: "UserNotFoundFault" }, () => services.acls.create(aclKey(call, input.ACLName), { userNames }));
      const uid = await aclUid(call, input.ACLName);
      if (uid) await writeTags(prisma, call.project, uid, input.Tags);
      return { ACL: await showAcl(call, acl) };
    }),

    DescribeACLs: operation("read", z.object({ ACLName: AclId.optional(), MaxResults, NextToken }), async (input, call) => {
      const key = locationKey(call);
      const acls =
        input.ACLName !== undefined
          ? [await translating(ACL_FAULTS, () => services.acls.get(aclKey(call, input.ACLName!)))]
          : await listAll(async (token) => {
              const listed = await services.acls.list(key.project, key.location, NATIVE_PAGE, token);
              return { items: listed.acls, nextPageToken: listed.nextPageToken };
            });
      const converging = await convergingAcls(prisma, where(call));
      const shapes = acls.map((acl) => aclShape(where(call), acl, "active")).map((s) => ({ ...s, Status: aclStatus(converging, s.Name) }));
      const { items, NextToken } = page(shapes, (a) => a.Name, input.MaxResults, input.NextToken);
      return { ACLs: items, ...(NextToken ? { NextToken } : {}) };
    }),

    UpdateACL: operation("write", z.object({ ACLName: AclId, UserNamesToAdd: UserNames, UserNamesToRemove: UserNames }), async (input, call) => {
      const add = input.UserNamesToAdd ?? [];
      const remove = input.UserNamesToRemove ?? [];
      if (add.length === 0 && remove.length === 0) throw invalidParameterCombination("Nothing to update: give UserNamesToAdd and/or UserNamesToRemove");
      checkUserNames(add);
      const both = add.find((n) => remove.includes(n));
      if (both) throw invalidParameterCombination(`User ${both} is both added and removed`);
      if (input.ACLName === OPEN_ACCESS)
        throw fault("InvalidACLStateFault", "open-access cannot be changed: it holds the default user only; create an ACL of your own");
      const key = aclKey(call, input.ACLName);
      const current = await translating(ACL_FAULTS, () => services.acls.get(key));
      const members = current.userNames ?? [];
      const present = add.find((n) => members.includes(n));
      if (present) throw fault("DuplicateUserNameFault", `User ${present} is in ACL ${input.ACLName} already`);
      const absent = remove.find((n) => !members.includes(n));
      if (absent) throw fault("UserNotFoundFault", `User ${absent} is not in ACL ${input.ACLName}`);
      // Read, then written whole (the native ACL has one list): two UpdateACLs of the same ACL
      // at the same instant can lose one's change, as two native PATCHes of userNames can.
      const userNames = [...members.filter((n) => !remove.includes(n)), ...add];
      const acl = await translating({ ...ACL_FAULTS, notFound: "UserNotFoundFault" }, () => services.acls.update(key, { userNames }, "userNames"));
      return { ACL: await showAcl(call, acl) };
    }),

    DeleteACL: operation("write", z.object({ ACLName: AclId }), async (input, call) => {
      if (input.ACLName === OPEN_ACCESS) throw invalidParameterValue("open-access cannot be deleted");
      const key = aclKey(call, input.ACLName);
      const acl = await translating(ACL_FAULTS, () => services.acls.get(key));
      const uid = await aclUid(call, input.ACLName);
      await translating(ACL_FAULTS, () => services.acls.remove(key));
      if (uid) await deleteTags(prisma, uid);
      return { ACL: aclShape(where(call), acl, "deleting") };
    }),
  };
}
