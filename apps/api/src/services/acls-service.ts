// ACLs (our addition, after MemoryDB's ACL): named sets of users of one project and location.
// Answered synchronously (200 with the ACL, as MemoryDB's CreateACL returns it): an ACL by itself
// touches no node. What does touch nodes is the deployments that use it: every change commits
// together with a new generation of each of them (the ACL's users are part of their desired
// state), and they are reconciled after the commit, so the change is on every node within a
// second, with an ACL_APPLIED event, without an Operation and without leaving READY. The new
// generation also makes the periodic resync pick them up if the enqueue is lost.
//
// `open-access` is virtual: it exists in every location, has no users, and cannot be changed.
import { aclResourceName, clusterName, instanceName, OPEN_ACCESS, userResourceName } from "@cacheplane/core";
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@cacheplane/db";
import { ACL_UPDATABLE_FIELDS, type Acl } from "@cacheplane/contracts";
import type { ServiceContext } from "../context.js";
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from "../errors.js";
import { decodePageToken, encodePageToken, pageSizeOf } from "../paging.js";
import { isUniqueViolation, type Tx } from "./mutations.js";
import { updateMaskParser } from "./update-mask.js";

export interface AclKey {
  project: string;
  location: string;
  acl: string;
}

const parseMask = updateMaskParser(ACL_UPDATABLE_FIELDS);

/** The ACL a deployment names (none stored: open-access). */
export const aclNameOf = (spec: unknown) => (spec as { aclName?: string } | null)?.aclName ?? OPEN_ACCESS;

/** Refuses (NOT_FOUND) an aclName that names no ACL of the deployment's project and location. */
export async function resolveAclName(db: PrismaClient | Tx, project: string, location: string, aclName: string | undefined) {
  if (!aclName || aclName === OPEN_ACCESS) return;
  const found = await db.redisAcl.count({ where: { projectId: project, locationId: location, aclId: aclName } });
  if (found === 0) throw notFound(`acl ${aclResourceName(project, location, aclName)}`);
}

/** The deployments (not being deleted) that use any of these ACLs. */
async function deploymentsUsing(db: PrismaClient | Tx, project: string, location: string, aclIds: readonly string[]) {
  if (aclIds.length === 0) return [];
  return db.instance.findMany({
    where: { projectId: project, locationId: location, deleteRequested: false, OR: aclIds.map((id) => ({ spec: { path: ["aclName"], equals: id } })) },
    select: { uid: true, kind: true, instanceId: true },
  });
}

/**
 * In the transaction that changes these ACLs (or their users): every deployment using them gets
 * a new generation. Returns their uids, to reconcile once the transaction has committed.
 */
export async function touchDeployments(tx: Tx, project: string, location: string, aclIds: readonly string[]): Promise<string[]> {
  const uids = (await deploymentsUsing(tx, project, location, aclIds)).map((d) => d.uid);
  if (uids.length > 0) await tx.instance.updateMany({ where: { uid: { in: uids } }, data: { generation: { increment: 1 } } });
  return uids;
}

/** Refuses userNames that are repeated or name no user of the location (NOT_FOUND). */
async function checkUsers(db: PrismaClient | Tx, project: string, location: string, userNames: readonly string[]) {
  const repeated = userNames.find((u, i) => userNames.indexOf(u) !== i);
  if (repeated) throw invalidArgument("userNames", `user ${repeated} is named twice`);
  const found = new Set(
    (await db.redisUser.findMany({ where: { projectId: project, locationId: location, userId: { in: [...userNames] } }, select: { userId: true } })).map(
      (u) => u.userId,
    ),
  );
  const missing = userNames.find((u) => !found.has(u));
  if (missing) throw notFound(`user ${userResourceName(project, location, missing)}`);
}

type AclRow = { aclId: string; userIds: string[]; createTime: Date; updateTime: Date };
type Usage = Map<string, { instances: string[]; clusters: string[] }>;

function view(project: string, location: string, row: AclRow, usage: Usage): Acl {
  const used = usage.get(row.aclId) ?? { instances: [], clusters: [] };
  return {
    name: aclResourceName(project, location, row.aclId),
    userNames: row.userIds,
    status: "ACTIVE",
    instances: used.instances,
    clusters: used.clusters,
    ...(row.aclId === OPEN_ACCESS ? {} : { createTime: row.createTime.toISOString(), updateTime: row.updateTime.toISOString() }),
  };
}

const openAccessRow = (): AclRow => ({ aclId: OPEN_ACCESS, userIds: [], createTime: new Date(0), updateTime: new Date(0) });

export function createAclService(ctx: ServiceContext) {
  const { prisma } = ctx;

  function checkLocation(location: string) {
    if (location !== ctx.locations.location) throw notFound(`location ${location}`);
  }

  /** Which deployments of the location use which ACL (open-access for those that name none). */
  async function usage(project: string, location: string): Promise<Usage> {
    const rows = await prisma.instance.findMany({
      where: { projectId: project, locationId: location, deleteRequested: false },
      select: { kind: true, instanceId: true, spec: true },
      orderBy: { instanceId: "asc" },
    });
    const byAcl: Usage = new Map();
    for (const row of rows) {
      const entry = byAcl.get(aclNameOf(row.spec)) ?? byAcl.set(aclNameOf(row.spec), { instances: [], clusters: [] }).get(aclNameOf(row.spec))!;
      if (row.kind === "CLUSTER") entry.clusters.push(clusterName(project, location, row.instanceId));
      else entry.instances.push(instanceName(project, location, row.instanceId));
    }
    return byAcl;
  }

  async function findRow(key: AclKey) {
    checkLocation(key.location);
    if (key.acl === OPEN_ACCESS) return openAccessRow();
    const row = await prisma.redisAcl.findUnique({
      where: { projectId_locationId_aclId: { projectId: key.project, locationId: key.location, aclId: key.acl } },
    });
    if (!row) throw notFound(`acl ${aclResourceName(key.project, key.location, key.acl)}`);
    return row;
  }

  const reconcileAll = async (uids: readonly string[]) => {
    for (const uid of uids) await ctx.enqueueReconcile(uid);
  };

  return {
    async create(key: AclKey, body: Acl) {
      checkLocation(key.location);
      if (key.acl === OPEN_ACCESS) throw alreadyExists(`acl ${aclResourceName(key.project, key.location, key.acl)}`);
      const userNames = body.userNames ?? [];
      await checkUsers(prisma, key.project, key.location, userNames);
      try {
        const row = await prisma.$transaction(async (tx) => {
          await tx.project.upsert({ where: { id: key.project }, create: { id: key.project }, update: {} });
          return tx.redisAcl.create({
            data: { uid: randomUUID(), projectId: key.project, locationId: key.location, aclId: key.acl, userIds: userNames },
          });
        });
        return view(key.project, key.location, row, new Map());
      } catch (error) {
        if (isUniqueViolation(error)) throw alreadyExists(`acl ${aclResourceName(key.project, key.location, key.acl)}`);
        throw error;
      }
    },

    async get(key: AclKey) {
      const row = await findRow(key);
      return view(key.project, key.location, row, await usage(key.project, key.location));
    },

    /** Ordered by id, open-access among them, with AIP-158 page tokens. */
    async list(project: string, location: string, pageSize?: number, pageToken?: string) {
      checkLocation(location);
      const size = pageSizeOf(pageSize);
      const after = decodePageToken(pageToken, ["after"] as const)?.after;
      const rows: AclRow[] = await prisma.redisAcl.findMany({
        where: { projectId: project, locationId: location, ...(after ? { aclId: { gt: after } } : {}) },
        orderBy: { aclId: "asc" },
        take: size + 1,
      });
      if (!after || OPEN_ACCESS > after) rows.push(openAccessRow());
      rows.sort((a, b) => (a.aclId < b.aclId ? -1 : 1));
      const page = rows.slice(0, size);
      const used = await usage(project, location);
      const last = page.at(-1);
      return {
        acls: page.map((row) => view(project, location, row, used)),
        ...(rows.length > size && last ? { nextPageToken: encodePageToken({ after: last.aclId }) } : {}),
      };
    },

    async update(key: AclKey, body: Acl, updateMask: string) {
      const fields = parseMask(updateMask);
      if (key.acl === OPEN_ACCESS) throw failedPrecondition("open-access cannot be changed: it has no users; make an ACL of your own");
      await findRow(key);
      const userNames = fields.includes("userNames") ? (body.userNames ?? []) : undefined;
      if (userNames) await checkUsers(prisma, key.project, key.location, userNames);
      const { row, uids } = await prisma.$transaction(async (tx) => {
        const row = await tx.redisAcl.update({
          where: { projectId_locationId_aclId: { projectId: key.project, locationId: key.location, aclId: key.acl } },
          data: { ...(userNames ? { userIds: userNames } : {}), generation: { increment: 1 } },
        });
        return { row, uids: await touchDeployments(tx, key.project, key.location, [key.acl]) };
      });
      await reconcileAll(uids);
      return view(key.project, key.location, row, await usage(key.project, key.location));
    },

    /** Refused while an instance or cluster uses it (MemoryDB: an ACL must be disassociated first). */
    async remove(key: AclKey) {
      if (key.acl === OPEN_ACCESS) throw failedPrecondition("open-access cannot be deleted");
      await findRow(key);
      await prisma.$transaction(async (tx) => {
        const users = await deploymentsUsing(tx, key.project, key.location, [key.acl]);
        if (users.length > 0) {
          const names = users.map((d) => (d.kind === "CLUSTER" ? clusterName : instanceName)(key.project, key.location, d.instanceId));
          throw failedPrecondition(`acl ${key.acl} is in use by ${names.join(", ")}; set their aclName to another ACL first`);
        }
        await tx.redisAcl.deleteMany({ where: { projectId: key.project, locationId: key.location, aclId: key.acl } });
      });
      return {};
    },
  };
}
export type AclService = ReturnType<typeof createAclService>;
