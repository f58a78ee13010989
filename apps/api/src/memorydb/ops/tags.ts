// TagResource, UntagResource and ListTags for every resource MemoryDB tags: the ARN names the
// resource, found as its own Describe finds it (its NotFound fault when it is not there), and the
// tags are kept by its uid (tag-store.ts). An ARN of another account (project) or region names
// nothing these credentials can see: the resource's NotFound fault, as AWS answers it.
//
// The implicit resources (the default user, open-access, the default parameter and subnet groups)
// have no row to keep tags by: they list none and refuse new ones, saying why.
import { DEFAULT_USER, OPEN_ACCESS } from "@cacheplane/core";
import { z } from "zod";
import { findParameterGroup } from "../../services/parameter-group-service.js";
import { DEFAULT_SUBNET_GROUP } from "../../services/subnet-group-service.js";
import { fault, MemoryDbFault, translating } from "../faults.js";
import { parseArn, type ArnType } from "../names.js";
import { operation, Tags, type MemoryDbCall, type MemoryDbServices, type OperationTable } from "../registry.js";
import { findClusterRow } from "../shapes/cluster.js";
import { findSnapshot } from "../shapes/snapshot.js";
import { readTags, removeTags, writeTags } from "../tag-store.js";

const NOT_FOUND: Record<ArnType, [fault: string, what: string]> = {
  cluster: ["ClusterNotFoundFault", "Cluster"],
  snapshot: ["SnapshotNotFoundFault", "Snapshot"],
  user: ["UserNotFoundFault", "User"],
  acl: ["ACLNotFoundFault", "ACL"],
  parametergroup: ["ParameterGroupNotFoundFault", "Parameter group"],
  subnetgroup: ["SubnetGroupNotFoundFault", "Subnet group"],
};

const ResourceArn = z.string().min(1).max(1011);

/** A resource the ARN names: its uid, or none for an implicit one. */
type Resolved = { name: string; uid: string | undefined };

export function tagsOperations(services: MemoryDbServices): OperationTable {
  const { prisma } = services.ctx;

  async function resolve(resourceArn: string, call: MemoryDbCall): Promise<Resolved> {
    let parsed: ReturnType<typeof parseArn>;
    try {
      parsed = parseArn(resourceArn);
    } catch (error) {
      if (error instanceof MemoryDbFault)
        throw fault("InvalidARNFault", `${resourceArn} is not a MemoryDB ARN (arn:aws:memorydb:<region>:<account>:<type>/<name>)`);
      throw error;
    }
    const { type, name } = parsed;
    const [notFoundFault, what] = NOT_FOUND[type];
    const missing = () => fault(notFoundFault, `${what} ${name} not found`);
    if (parsed.region !== call.region || parsed.project !== call.project) throw missing();
    const key = { project: call.project, location: call.region };
    switch (type) {
      case "cluster":
        return { name, uid: (await findClusterRow(prisma, key, name)).uid };
      case "snapshot":
        return { name, uid: (await findSnapshot(prisma, key.project, key.location, name)).backup.uid };
      case "user": {
        if (name === DEFAULT_USER) return { name, uid: undefined };
        const row = await prisma.redisUser.findUnique({
          where: { projectId_locationId_userId: { projectId: key.project, locationId: key.location, userId: name } },
          select: { uid: true },
        });
        if (!row) throw missing();
        return { name, uid: row.uid };
      }
      case "acl": {
        if (name === OPEN_ACCESS) return { name, uid: undefined };
        const row = await prisma.redisAcl.findUnique({
          where: { projectId_locationId_aclId: { projectId: key.project, locationId: key.location, aclId: name } },
          select: { uid: true },
        });
        if (!row) throw missing();
        return { name, uid: row.uid };
      }
      case "parametergroup": {
        const group = await translating({ notFound: notFoundFault }, () => findParameterGroup(prisma, key, services.ctx.catalogue.offered, name));
        return { name, uid: group.uid };
      }
      case "subnetgroup": {
        if (name === DEFAULT_SUBNET_GROUP) return { name, uid: undefined };
        const row = await prisma.subnetGroup.findUnique({
          where: { projectId_locationId_name: { projectId: key.project, locationId: key.location, name } },
          select: { uid: true },
        });
        if (!row) throw missing();
        return { name, uid: row.uid };
      }
    }
  }

  /** The uid of a resource that can carry tags. */
  async function taggable(resourceArn: string, call: MemoryDbCall): Promise<string> {
    const { name, uid } = await resolve(resourceArn, call);
    if (!uid) throw fault("InvalidParameterValueException", `${name} is one of the implicit default resources here and carries no tags`);
    return uid;
  }

  const listOf = async (uid: string | undefined) => ({ TagList: uid ? await readTags(prisma, uid) : [] });

  return {
    TagResource: operation("write", z.object({ ResourceArn, Tags: Tags.unwrap().min(1) }), async (input, call) => {
      const uid = await taggable(input.ResourceArn, call);
      await writeTags(prisma, call.project, uid, input.Tags);
      return listOf(uid);
    }),

    UntagResource: operation("write", z.object({ ResourceArn, TagKeys: z.array(z.string().min(1).max(128)).min(1).max(50) }), async (input, call) => {
      const uid = await taggable(input.ResourceArn, call);
      await removeTags(prisma, uid, input.TagKeys);
      return listOf(uid);
    }),

    ListTags: operation("read", z.object({ ResourceArn }), async (input, call) => listOf((await resolve(input.ResourceArn, call)).uid)),
  };
}
