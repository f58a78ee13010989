// MemoryDB subnet groups (our addition to the native model): which zones a cluster's nodes may be
// placed in. There is no network to carve up here, so each zone of the location is one subnet,
// `subnet-<availability zone>` (subnet-local1a is zone local1-a), all in one VPC per location;
// a group is a set of those subnets. The `default` group is implicit and holds every zone.
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@cacheplane/db";
import type { LocationConfig, ServiceContext } from "../context.js";
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from "../errors.js";
import { availabilityZoneOf } from "../memorydb/names.js";
import { isUniqueViolation } from "./mutations.js";

export const DEFAULT_SUBNET_GROUP = "default";

export interface SubnetGroupKey {
  project: string;
  location: string;
}

export interface SubnetGroup {
  /** The row's uid; none for the implicit default group. */
  uid?: string;
  name: string;
  description: string;
  subnetIds: string[];
}

export const subnetIdOf = (zone: string, location: string) => `subnet-${availabilityZoneOf(zone, location)}`;
/** The one VPC of a location. */
export const vpcIdOf = (location: string) => `vpc-${location}`;

/** The location's subnets, one per zone, in zone order. */
export const subnetsOf = (locations: LocationConfig) => locations.zones.map((zone) => ({ id: subnetIdOf(zone, locations.location), zone }));

/** The ids that are not subnets of this location. */
export const unknownSubnets = (locations: LocationConfig, ids: readonly string[]) => {
  const known = new Set(subnetsOf(locations).map((s) => s.id));
  return ids.filter((id) => !known.has(id));
};

const defaultGroupOf = (locations: LocationConfig): SubnetGroup => ({
  name: DEFAULT_SUBNET_GROUP,
  description: "Default subnet group: every zone of the location",
  subnetIds: subnetsOf(locations).map((s) => s.id),
});

async function findGroup(prisma: PrismaClient, key: SubnetGroupKey, locations: LocationConfig, name: string): Promise<SubnetGroup> {
  if (name === DEFAULT_SUBNET_GROUP) return defaultGroupOf(locations);
  const row = await prisma.subnetGroup.findUnique({ where: { projectId_locationId_name: { projectId: key.project, locationId: key.location, name } } });
  if (!row) throw notFound(`subnet group ${name}`);
  return { uid: row.uid, name: row.name, description: row.description, subnetIds: row.subnetIds };
}

/**
 * The zones a cluster naming the group may be placed in (in the location's zone order): every
 * zone for `default` or no name. A missing group is NOT_FOUND (SubnetGroupNotFoundFault).
 */
export async function resolveSubnetGroup(
  prisma: PrismaClient,
  project: string,
  location: string,
  zones: string[],
  name: string | undefined,
): Promise<{ name: string; zones: string[] }> {
  const locations = { location, zones };
  // MemoryDB's names are case-insensitive, kept lower-cased.
  const group = await findGroup(prisma, { project, location }, locations, (name ?? DEFAULT_SUBNET_GROUP).toLowerCase());
  const ids = new Set(group.subnetIds);
  const inGroup = zones.filter((zone) => ids.has(subnetIdOf(zone, location)));
  // Only if the location's zones were configured away since the group was made.
  if (inGroup.length === 0) throw failedPrecondition(`subnet group ${group.name} has no subnet in a zone of ${location} any more`);
  return { name: group.name, zones: inGroup };
}

export function createSubnetGroupService(ctx: ServiceContext) {
  const { prisma, locations } = ctx;

  function checkLocation(location: string) {
    if (location !== locations.location) throw notFound(`location ${location}`);
  }

  function checkSubnets(ids: readonly string[]) {
    if (ids.length === 0) throw invalidArgument("subnetIds", "at least one subnet is required");
    const unknown = unknownSubnets(locations, ids);
    if (unknown.length > 0)
      throw invalidArgument(
        "subnetIds",
        `${unknown.join(", ")} ${unknown.length > 1 ? "are not subnets" : "is not a subnet"} of ${locations.location}; subnets: ${subnetsOf(locations)
          .map((s) => s.id)
          .join(", ")}`,
      );
    return [...new Set(ids)];
  }

  async function find(key: SubnetGroupKey, name: string) {
    checkLocation(key.location);
    return findGroup(prisma, key, locations, name);
  }

  /** The clusters placed with the group, with the zones their nodes are in. */
  async function clustersUsing(key: SubnetGroupKey, name: string) {
    return prisma.instance.findMany({
      where: { projectId: key.project, locationId: key.location, kind: "CLUSTER", spec: { path: ["subnetGroupName"], equals: name } },
      select: { instanceId: true, nodes: { select: { zone: true } } },
      orderBy: { instanceId: "asc" },
    });
  }

  return {
    find,
    clustersUsing,

    /** The default group first, then the groups made, by name. */
    async list(key: SubnetGroupKey): Promise<SubnetGroup[]> {
      checkLocation(key.location);
      const rows = await prisma.subnetGroup.findMany({ where: { projectId: key.project, locationId: key.location }, orderBy: { name: "asc" } });
      return [defaultGroupOf(locations), ...rows.map((row) => ({ uid: row.uid, name: row.name, description: row.description, subnetIds: row.subnetIds }))];
    },

    async create(key: SubnetGroupKey, body: { name: string; description?: string | undefined; subnetIds: string[] }): Promise<SubnetGroup> {
      checkLocation(key.location);
      if (body.name === DEFAULT_SUBNET_GROUP) throw alreadyExists(`subnet group ${DEFAULT_SUBNET_GROUP}`);
      const subnetIds = checkSubnets(body.subnetIds);
      try {
        const row = await prisma.$transaction(async (tx) => {
          await tx.project.upsert({ where: { id: key.project }, create: { id: key.project }, update: {} });
          return tx.subnetGroup.create({
            data: { uid: randomUUID(), projectId: key.project, locationId: key.location, name: body.name, description: body.description ?? "", subnetIds },
          });
        });
        return { uid: row.uid, name: row.name, description: row.description, subnetIds: row.subnetIds };
      } catch (error) {
        if (isUniqueViolation(error)) throw alreadyExists(`subnet group ${body.name}`);
        throw error;
      }
    },

    /** A new description and/or set of subnets. A subnet holding nodes of a cluster placed with
     *  the group stays: its nodes cannot leave their zone (FAILED_PRECONDITION naming them). */
    async update(key: SubnetGroupKey, name: string, body: { description?: string | undefined; subnetIds?: string[] | undefined }): Promise<SubnetGroup> {
      const group = await find(key, name);
      if (!group.uid) throw invalidArgument("subnetGroupName", `${DEFAULT_SUBNET_GROUP} is the implicit group of every zone and cannot be changed`);
      const subnetIds = body.subnetIds === undefined ? group.subnetIds : checkSubnets(body.subnetIds);
      const kept = new Set(subnetIds);
      for (const cluster of await clustersUsing(key, name)) {
        const stranded = cluster.nodes.map((n) => subnetIdOf(n.zone, key.location)).find((id) => !kept.has(id));
        if (stranded) throw failedPrecondition(`subnet ${stranded} is in use by cluster ${cluster.instanceId}`);
      }
      const row = await prisma.subnetGroup.update({
        where: { uid: group.uid },
        data: { subnetIds, ...(body.description !== undefined ? { description: body.description } : {}) },
      });
      return { uid: row.uid, name: row.name, description: row.description, subnetIds: row.subnetIds };
    },

    async remove(key: SubnetGroupKey, name: string): Promise<SubnetGroup> {
      const group = await find(key, name);
      if (!group.uid) throw invalidArgument("subnetGroupName", `${DEFAULT_SUBNET_GROUP} is the implicit group of every zone and cannot be deleted`);
      const users = await clustersUsing(key, name);
      if (users.length > 0)
        throw failedPrecondition(`subnet group ${name} is in use by cluster${users.length > 1 ? "s" : ""} ${users.map((c) => c.instanceId).join(", ")}`);
      await prisma.subnetGroup.deleteMany({ where: { uid: group.uid } });
      return group;
    },
  };
}

export type SubnetGroupService = ReturnType<typeof createSubnetGroupService>;
