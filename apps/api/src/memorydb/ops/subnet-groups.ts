// MemoryDB's subnet groups (services/subnet-group-service.ts): the zones a cluster is placed in.
// CreateCluster reads a group through resolveSubnetGroup; a group in use keeps the subnets its
// clusters' nodes are in, and cannot be deleted.
import { z } from "zod";
import { createSubnetGroupService, subnetsOf, unknownSubnets } from "../../services/subnet-group-service.js";
import { fault, translating } from "../faults.js";
import { locationKey } from "../names.js";
import { page } from "../paging.js";
import { MaxResults, NextToken, operation, Tags, type MemoryDbCall, type MemoryDbServices, type OperationTable } from "../registry.js";
import { subnetGroupShape } from "../shapes/subnet-group.js";
import { checkTags, deleteTags, writeTags } from "../tag-store.js";

const FAULTS = { notFound: "SubnetGroupNotFoundFault", alreadyExists: "SubnetGroupAlreadyExistsFault" };

/** As MemoryDB takes names: lower-cased; a letter first, letters, digits and single hyphens. */
const GroupName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z](?:-?[A-Za-z0-9])*$/, "must start with a letter and hold letters, digits and single hyphens, not ending with one")
  .transform((name) => name.toLowerCase());
const SubnetIds = z.array(z.string().min(1).max(255)).min(1).max(20);

export function subnetGroupsOperations(services: MemoryDbServices): OperationTable {
  const { prisma, locations } = services.ctx;
  const groups = createSubnetGroupService(services.ctx);
  const shape = (call: MemoryDbCall, group: Parameters<typeof subnetGroupShape>[2]) =>
    subnetGroupShape({ region: call.region, project: call.project }, locations, group);

  /** MemoryDB's InvalidSubnet, before the service's generic refusal. */
  function checkSubnets(ids: readonly string[] | undefined) {
    const unknown = unknownSubnets(locations, ids ?? []);
    if (unknown.length > 0) {
      const known = subnetsOf(locations)
        .map((s) => s.id)
        .join(", ");
      throw fault("InvalidSubnet", `Subnet ${unknown.join(", ")} does not exist; the subnets here are one per availability zone: ${known}`);
    }
  }

  return {
    CreateSubnetGroup: operation(
      "write",
      z.object({ SubnetGroupName: GroupName, Description: z.string().max(255).optional(), SubnetIds, Tags }),
      async (input, call) => {
        checkSubnets(input.SubnetIds);
        checkTags(input.Tags);
        const group = await translating(FAULTS, () =>
          groups.create(locationKey(call), { name: input.SubnetGroupName, description: input.Description, subnetIds: input.SubnetIds }),
        );
        if (group.uid) await writeTags(prisma, call.project, group.uid, input.Tags);
        return { SubnetGroup: shape(call, group) };
      },
    ),

    DescribeSubnetGroups: operation("read", z.object({ SubnetGroupName: GroupName.optional(), MaxResults, NextToken }), async (input, call) => {
      const found =
        input.SubnetGroupName !== undefined
          ? [await translating(FAULTS, () => groups.find(locationKey(call), input.SubnetGroupName!))]
          : await groups.list(locationKey(call));
      const { items, NextToken } = page(
        found.map((g) => shape(call, g)),
        (g) => g.Name,
        input.MaxResults,
        input.NextToken,
      );
      return { SubnetGroups: items, ...(NextToken ? { NextToken } : {}) };
    }),

    UpdateSubnetGroup: operation(
      "write",
      z.object({ SubnetGroupName: GroupName, Description: z.string().max(255).optional(), SubnetIds: SubnetIds.optional() }),
      async (input, call) => {
        checkSubnets(input.SubnetIds);
        const group = await translating({ ...FAULTS, invalidState: "SubnetInUse" }, () =>
          groups.update(locationKey(call), input.SubnetGroupName, { description: input.Description, subnetIds: input.SubnetIds }),
        );
        return { SubnetGroup: shape(call, group) };
      },
    ),

    DeleteSubnetGroup: operation("write", z.object({ SubnetGroupName: GroupName }), async (input, call) => {
      const group = await translating({ ...FAULTS, invalidState: "SubnetGroupInUseFault" }, () => groups.remove(locationKey(call), input.SubnetGroupName));
      if (group.uid) await deleteTags(prisma, group.uid);
      return { SubnetGroup: shape(call, group) };
    }),
  };
}
