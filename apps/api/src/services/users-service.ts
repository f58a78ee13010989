// Redis ACL users (our addition, after MemoryDB's User). Answered synchronously (200 with the
// User, as MemoryDB's CreateUser is): a user alone touches no node; the deployments whose ACL
// holds it get a new generation in the same transaction and are reconciled after the commit
// (see acls-service.ts), so a change is on their nodes within a second.
//
// Passwords: checked (16-128 printable characters), hashed (SHA-256, which Redis accepts as
// `#<hex>`) and forgotten. Neither they nor their hashes appear in a response, an event, a log
// line or an error message: a GET shows passwordCount only.
import { createHash, randomUUID } from "node:crypto";
import { checkAccessString, DEFAULT_USER, userResourceName } from "@cacheplane/core";
import type { PrismaClient, RedisUser as UserRow } from "@cacheplane/db";
import { USER_UPDATABLE_FIELDS, type User, type UserRequest } from "@cacheplane/contracts";
import type { ServiceContext } from "../context.js";
import { alreadyExists, ApiError, invalidArgument, notFound } from "../errors.js";
import { decodePageToken, pageOf, pageSizeOf } from "../paging.js";
import { touchDeployments } from "./acls-service.js";
import { isUniqueViolation } from "./mutations.js";
import { updateMaskParser } from "./update-mask.js";

export interface UserKey {
  project: string;
  location: string;
  user: string;
}

const parseMask = updateMaskParser(USER_UPDATABLE_FIELDS);
const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

/** The stored form of an access string, or INVALID_ARGUMENT naming the rule that is not one. */
function accessStringOf(value: string | undefined): string {
  if (value === undefined) throw invalidArgument("accessString", "is required, e.g. 'on ~* &* +@all'");
  const check = checkAccessString(value);
  if (!check.ok) throw invalidArgument("accessString", check.rule ? `rule '${check.rule}': ${check.reason}` : check.reason);
  return check.rules.join(" ");
}

/** The stored authentication: the type and the SHA-256 of each password (never the password). */
function authOf(mode: UserRequest["authenticationMode"]): { authType: "PASSWORD" | "NO_PASSWORD"; passwordHashes: string[] } {
  if (!mode) throw invalidArgument("authenticationMode", "is required: {type: PASSWORD, passwords: [...]} or {type: NO_PASSWORD}");
  const authType = mode.type ?? "PASSWORD";
  const passwords = mode.passwords ?? [];
  if (authType === "NO_PASSWORD") {
    if (passwords.length > 0) throw invalidArgument("authenticationMode.passwords", "must be empty with NO_PASSWORD");
    return { authType, passwordHashes: [] };
  }
  if (passwords.length === 0) throw invalidArgument("authenticationMode.passwords", "1 or 2 passwords are required with PASSWORD");
  if (passwords.length === 2 && passwords[0] === passwords[1]) throw invalidArgument("authenticationMode.passwords", "the two passwords are the same");
  return { authType, passwordHashes: passwords.map(sha256) };
}

function view(row: UserRow, aclNames: string[]): User {
  return {
    name: userResourceName(row.projectId, row.locationId, row.userId),
    accessString: row.accessString,
    authenticationMode: { type: row.authType as "PASSWORD" | "NO_PASSWORD", passwordCount: row.passwordHashes.length },
    status: "ACTIVE",
    aclNames,
    createTime: row.createTime.toISOString(),
    updateTime: row.updateTime.toISOString(),
  };
}

export function createUserService(ctx: ServiceContext) {
  const { prisma } = ctx;

  function checkLocation(location: string) {
    if (location !== ctx.locations.location) throw notFound(`location ${location}`);
  }

  async function findRow(db: PrismaClient, key: UserKey) {
    checkLocation(key.location);
    const row = await db.redisUser.findUnique({
      where: { projectId_locationId_userId: { projectId: key.project, locationId: key.location, userId: key.user } },
    });
    if (!row) throw notFound(`user ${userResourceName(key.project, key.location, key.user)}`);
    return row;
  }

  /** The ACLs holding each user. */
  async function aclsOf(project: string, location: string, userIds: readonly string[]) {
    const acls = await prisma.redisAcl.findMany({
      where: { projectId: project, locationId: location, userIds: { hasSome: [...userIds] } },
      select: { aclId: true, userIds: true },
      orderBy: { aclId: "asc" },
    });
    return (userId: string) => acls.filter((a) => a.userIds.includes(userId)).map((a) => a.aclId);
  }

  const reconcileAll = async (uids: readonly string[]) => {
    for (const uid of uids) await ctx.enqueueReconcile(uid);
  };

  return {
    async create(key: UserKey, body: UserRequest) {
      checkLocation(key.location);
      if (key.user === DEFAULT_USER) {
        throw invalidArgument("userId", "'default' is reserved: it is each node's own user (the AUTH string's, and the control plane's)");
      }
      const accessString = accessStringOf(body.accessString);
      const auth = authOf(body.authenticationMode);
      try {
        const row = await prisma.$transaction(async (tx) => {
          await tx.project.upsert({ where: { id: key.project }, create: { id: key.project }, update: {} });
          return tx.redisUser.create({
            data: { uid: randomUUID(), projectId: key.project, locationId: key.location, userId: key.user, accessString, ...auth },
          });
        });
        return view(row, []);
      } catch (error) {
        if (isUniqueViolation(error)) throw alreadyExists(`user ${userResourceName(key.project, key.location, key.user)}`);
        throw error;
      }
    },

    async get(key: UserKey) {
      const row = await findRow(prisma, key);
      return view(row, (await aclsOf(key.project, key.location, [row.userId]))(row.userId));
    },

    async list(project: string, location: string, pageSize?: number, pageToken?: string) {
      checkLocation(location);
      const size = pageSizeOf(pageSize);
      const after = decodePageToken(pageToken, ["after"] as const);
      const rows = await prisma.redisUser.findMany({
        where: { projectId: project, locationId: location, ...(after ? { userId: { gt: after.after } } : {}) },
        orderBy: { userId: "asc" },
        take: size + 1,
      });
      const { page, nextPageToken } = pageOf(rows, size, (last) => ({ after: last.userId }));
      const acls = await aclsOf(
        project,
        location,
        page.map((r) => r.userId),
      );
      return { users: page.map((row) => view(row, acls(row.userId))), ...(nextPageToken ? { nextPageToken } : {}) };
    },

    /** accessString and/or authenticationMode (replace the passwords: [old, new] starts a rotation,
     *  [new] ends it). Every deployment whose ACL holds the user gets the change. */
    async update(key: UserKey, body: UserRequest, updateMask: string) {
      const fields = parseMask(updateMask);
      const current = await findRow(prisma, key);
      // AIP-134: a field named in the mask but absent from the body is cleared, and these are required.
      const accessString = fields.includes("accessString") ? accessStringOf(body.accessString) : current.accessString;
      const auth = fields.includes("authenticationMode") ? authOf(body.authenticationMode) : undefined;
      const { row, uids } = await prisma.$transaction(async (tx) => {
        const updated = await tx.redisUser.updateMany({
          where: { uid: current.uid, generation: current.generation },
          data: { accessString, ...(auth ?? {}), generation: { increment: 1 } },
        });
        if (updated.count === 0) throw new ApiError("ABORTED", "the user changed meanwhile; read it again and retry");
        const row = await tx.redisUser.findUniqueOrThrow({ where: { uid: current.uid } });
        const acls = await tx.redisAcl.findMany({
          where: { projectId: key.project, locationId: key.location, userIds: { has: key.user } },
          select: { aclId: true },
        });
        return {
          row,
          uids: await touchDeployments(
            tx,
            key.project,
            key.location,
            acls.map((a) => a.aclId),
          ),
        };
      });
      await reconcileAll(uids);
      return view(row, (await aclsOf(key.project, key.location, [row.userId]))(row.userId));
    },

    /** As MemoryDB's DeleteUser: the user leaves every ACL it is in, and so every node. */
    async remove(key: UserKey) {
      const current = await findRow(prisma, key);
      const uids = await prisma.$transaction(async (tx) => {
        const acls = await tx.redisAcl.findMany({ where: { projectId: key.project, locationId: key.location, userIds: { has: key.user } } });
        for (const acl of acls) {
          await tx.redisAcl.update({ where: { uid: acl.uid }, data: { userIds: acl.userIds.filter((u) => u !== key.user), generation: { increment: 1 } } });
        }
        await tx.redisUser.deleteMany({ where: { uid: current.uid } });
        return touchDeployments(
          tx,
          key.project,
          key.location,
          acls.map((a) => a.aclId),
        );
      });
      await reconcileAll(uids);
      return {};
    },
  };
}
export type UserService = ReturnType<typeof createUserService>;
