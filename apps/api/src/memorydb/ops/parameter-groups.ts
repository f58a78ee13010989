// MemoryDB's parameter groups (services/parameter-group-service.ts): a change to a group's
// parameters goes to every cluster using it through the native cluster update, so its nodes get
// it by CONFIG SET within a reconcile, as a PATCH of redisConfigs would.
import { z } from "zod";
import { createParameterGroupService } from "../../services/parameter-group-service.js";
import { invalidParameterCombination, translating } from "../faults.js";
import { locationKey } from "../names.js";
import { page } from "../paging.js";
import { MaxResults, NextToken, operation, Tags, type MemoryDbCall, type MemoryDbServices, type OperationTable } from "../registry.js";
import { parameterGroupShape, parametersOf } from "../shapes/parameter-group.js";
import { checkTags, deleteTags, writeTags } from "../tag-store.js";

const FAULTS = { notFound: "ParameterGroupNotFoundFault", alreadyExists: "ParameterGroupAlreadyExistsFault", invalidState: "InvalidParameterGroupStateFault" };

/** Names as MemoryDB takes them: lower-cased. Default groups' names have a dot (default.memorydb-redis7). */
const GroupName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9.-]+$/, "must be letters, digits, hyphens (and the dot of a default group's name)")
  .transform((name) => name.toLowerCase());
/** What a new group may be called: a letter first, letters, digits and single hyphens, no hyphen last. */
const NewGroupName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z](?:-?[A-Za-z0-9])*$/, "must start with a letter and hold letters, digits and single hyphens, not ending with one")
  .transform((name) => name.toLowerCase());

export function parameterGroupsOperations(services: MemoryDbServices): OperationTable {
  const { prisma } = services.ctx;
  const groups = createParameterGroupService(services.ctx, services.clusters);
  const where = (call: MemoryDbCall) => ({ region: call.region, project: call.project });
  const shape = (call: MemoryDbCall, group: Parameters<typeof parameterGroupShape>[1]) => parameterGroupShape(where(call), group);
  const run = <T>(call: () => Promise<T>) => translating(FAULTS, call);

  return {
    CreateParameterGroup: operation(
      "write",
      z.object({ ParameterGroupName: NewGroupName, Family: z.string().min(1).max(64), Description: z.string().max(255).optional(), Tags }),
      async (input, call) => {
        checkTags(input.Tags);
        const group = await run(() =>
          groups.create(locationKey(call), { name: input.ParameterGroupName, family: input.Family, description: input.Description }),
        );
        if (group.uid) await writeTags(prisma, call.project, group.uid, input.Tags);
        return { ParameterGroup: shape(call, group) };
      },
    ),

    DescribeParameterGroups: operation("read", z.object({ ParameterGroupName: GroupName.optional(), MaxResults, NextToken }), async (input, call) => {
      const found =
        input.ParameterGroupName !== undefined
          ? [await run(() => groups.find(locationKey(call), input.ParameterGroupName!))]
          : await run(() => groups.list(locationKey(call)));
      const { items, NextToken } = page(
        found.map((g) => shape(call, g)),
        (g) => g.Name,
        input.MaxResults,
        input.NextToken,
      );
      return { ParameterGroups: items, ...(NextToken ? { NextToken } : {}) };
    }),

    DescribeParameters: operation("read", z.object({ ParameterGroupName: GroupName, MaxResults, NextToken }), async (input, call) => {
      const group = await run(() => groups.find(locationKey(call), input.ParameterGroupName));
      const { items, NextToken } = page(parametersOf(group, services.ctx.catalogue.offered), (p) => p.Name, input.MaxResults, input.NextToken);
      return { Parameters: items, ...(NextToken ? { NextToken } : {}) };
    }),

    UpdateParameterGroup: operation(
      "write",
      z.object({
        ParameterGroupName: GroupName,
        ParameterNameValues: z
          .array(z.object({ ParameterName: z.string().min(1).max(255), ParameterValue: z.string().max(4096) }))
          .min(1)
          .max(20),
      }),
      async (input, call) => {
        const values: Record<string, string> = {};
        for (const { ParameterName, ParameterValue } of input.ParameterNameValues) {
          if (ParameterName in values) throw invalidParameterCombination(`Parameter ${ParameterName} is named twice`);
          values[ParameterName] = ParameterValue;
        }
        return { ParameterGroup: shape(call, await run(() => groups.update(locationKey(call), input.ParameterGroupName, values))) };
      },
    ),

    ResetParameterGroup: operation(
      "write",
      z.object({
        ParameterGroupName: GroupName,
        AllParameters: z.boolean().optional(),
        ParameterNames: z.array(z.string().min(1).max(255)).max(20).optional(),
      }),
      async (input, call) => {
        const names = input.ParameterNames ?? [];
        if (input.AllParameters && names.length > 0) throw invalidParameterCombination("Give AllParameters or ParameterNames, not both");
        if (!input.AllParameters && names.length === 0) throw invalidParameterCombination("Give AllParameters true, or the ParameterNames to reset");
        return { ParameterGroup: shape(call, await run(() => groups.reset(locationKey(call), input.ParameterGroupName, input.AllParameters ? "all" : names))) };
      },
    ),

    DeleteParameterGroup: operation("write", z.object({ ParameterGroupName: GroupName }), async (input, call) => {
      const group = await run(() => groups.remove(locationKey(call), input.ParameterGroupName));
      if (group.uid) await deleteTags(prisma, group.uid);
      return { ParameterGroup: shape(call, group) };
    }),
  };
}
