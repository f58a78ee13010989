// MemoryDB parameter groups (our addition to the native model): named sets of the Redis settings a
// user may change (the native redisConfigs keys), per engine family. A cluster that names a group
// gets the group's parameters as its redisConfigs, replacing them; a change to a group goes to
// every cluster naming it through the native cluster update, so the worker CONFIG SETs it on each
// node as it would a PATCH of redisConfigs. The default group of each family offered here
// (`default.memorydb-redis7`, ...) is implicit: no row, no parameters set, never changed.
//
// A group stores only the parameters set in it, and a cluster naming it gets just those as its
// redisConfigs: every node's desired config names each setting (core REDIS_CONFIG_DEFAULTS), so a
// parameter reset, or a move to another group, returns the nodes to the engine's default.
import { randomUUID } from "node:crypto";
import { RedisConfigs, type Cluster, type RedisVersion } from "@cacheplane/contracts";
import type { Prisma, PrismaClient } from "@cacheplane/db";
import { REDIS_CONFIG_DEFAULTS } from "@cacheplane/core";
import type { z } from "zod";
import type { ServiceContext } from "../context.js";
import { alreadyExists, ApiError, failedPrecondition, invalidArgument, notFound } from "../errors.js";
import { parameterGroupFamilyOf } from "../memorydb/names.js";
import type { StoredCluster } from "./cluster-spec.js";
import type { ClusterService } from "./cluster-service.js";
import { isUniqueViolation } from "./mutations.js";

export interface ParameterGroupKey {
  project: string;
  location: string;
}

export interface ParameterGroup {
  /** The row's uid; none for an implicit default group. */
  uid?: string;
  name: string;
  family: string;
  description: string;
  /** Only the parameters set in the group; the rest run at the engine's defaults. */
  parameters: Record<string, string>;
}

const DEFAULT_PREFIX = "default.";
/** The parameters a group may set: the keys the native redisConfigs accepts. */
export const PARAMETER_NAMES = Object.keys(RedisConfigs.shape) as (keyof z.infer<typeof RedisConfigs>)[];

/** Each parameter at the value a node runs with when nothing sets it (what CONFIG GET prints). */
export const PARAMETER_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  PARAMETER_NAMES.map((name) => {
    const value = REDIS_CONFIG_DEFAULTS[name];
    if (value === undefined) throw new Error(`no engine default is known for parameter ${name}`);
    return [name, value];
  }),
);

/** memorydb_redis7 → default.memorydb-redis7, MemoryDB's name for the family's default group. */
const defaultNameOfFamily = (family: string) => `${DEFAULT_PREFIX}${family.replace("_", "-")}`;

export const defaultParameterGroupName = (redisVersion: string) => defaultNameOfFamily(parameterGroupFamilyOf(redisVersion as z.infer<typeof RedisVersion>));

export const isDefaultParameterGroup = (name: string) => name.startsWith(DEFAULT_PREFIX);

/** The parameter group families of the engine versions offered, in catalogue order. */
export const familiesOf = (offered: readonly string[]) => [...new Set(offered.map((v) => parameterGroupFamilyOf(v as z.infer<typeof RedisVersion>)))];

const defaultGroupOf = (family: string): ParameterGroup => ({
  name: defaultNameOfFamily(family),
  family,
  description: `Default parameter group for ${family}`,
  parameters: {},
});

const groupOf = (row: { uid: string; name: string; family: string; description: string; parameters: Prisma.JsonValue }): ParameterGroup => ({
  uid: row.uid,
  name: row.name,
  family: row.family,
  description: row.description,
  parameters: row.parameters as Record<string, string>,
});

/** The group, default or made; NOT_FOUND otherwise (a default of a family not offered here too).
 *  Names are MemoryDB's: case-insensitive, kept lower-cased. */
export async function findParameterGroup(prisma: PrismaClient, key: ParameterGroupKey, offered: readonly string[], given: string): Promise<ParameterGroup> {
  const name = given.toLowerCase();
  if (isDefaultParameterGroup(name)) {
    const family = familiesOf(offered).find((f) => defaultNameOfFamily(f) === name);
    if (family) return defaultGroupOf(family);
  } else {
    const row = await prisma.parameterGroup.findUnique({ where: { projectId_locationId_name: { projectId: key.project, locationId: key.location, name } } });
    if (row) return groupOf(row);
  }
  throw notFound(`parameter group ${given}`);
}

export function checkParameterName(name: string) {
  if (!(PARAMETER_NAMES as string[]).includes(name)) {
    throw invalidArgument(`parameter ${name}`, `is not a parameter that can be set here; these can: ${PARAMETER_NAMES.join(", ")}`);
  }
}

/** The parameters as redisConfigs would check them: a bad name or value is INVALID_ARGUMENT naming it. */
export function checkParameters(parameters: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(parameters)) {
    checkParameterName(name);
    const checked = RedisConfigs.safeParse({ [name]: value });
    if (!checked.success) throw invalidArgument(`parameter ${name}`, `value '${value}' is not valid: ${checked.error.issues[0]?.message ?? "refused"}`);
  }
  return parameters;
}

/** The spec with redisConfigs taken from its parameter group, when it names one (create, and an
 *  update whose mask names parameterGroupName): every parameter, at the group's value or the
 *  engine's default (a default group: all at the default). */
export async function applyParameterGroup(prisma: PrismaClient, project: string, location: string, spec: StoredCluster): Promise<StoredCluster> {
  const name = spec.parameterGroupName?.toLowerCase();
  if (!name) return spec;
  const family = parameterGroupFamilyOf(spec.redisVersion as z.infer<typeof RedisVersion>);
  // A default group's family is in its name: only the cluster's own needs to be offered (it is).
  const group =
    isDefaultParameterGroup(name) && name !== defaultNameOfFamily(family)
      ? { name, family: name.slice(DEFAULT_PREFIX.length).replace("-", "_"), parameters: {} }
      : await findParameterGroup(prisma, { project, location }, [spec.redisVersion], name);
  if (group.family !== family) {
    throw invalidArgument(
      "parameterGroupName",
      `parameter group ${name} is of family ${group.family}; the cluster's engine ${spec.redisVersion} needs family ${family}`,
    );
  }
  // Stored as the group is named, so the group finds the clusters using it.
  return { ...spec, parameterGroupName: group.name, redisConfigs: { ...group.parameters } };
}

export function createParameterGroupService(ctx: ServiceContext, clusters: ClusterService) {
  const { prisma } = ctx;
  const offered = () => ctx.catalogue.offered;

  function checkLocation(location: string) {
    if (location !== ctx.locations.location) throw notFound(`location ${location}`);
  }

  async function find(key: ParameterGroupKey, name: string) {
    checkLocation(key.location);
    return findParameterGroup(prisma, key, offered(), name);
  }

  /** The clusters naming the group (those being deleted too: they still run with it). */
  async function clustersUsing(key: ParameterGroupKey, name: string) {
    const rows = await prisma.instance.findMany({
      where: { projectId: key.project, locationId: key.location, kind: "CLUSTER", spec: { path: ["parameterGroupName"], equals: name } },
      select: { instanceId: true, deleteRequested: true },
      orderBy: { instanceId: "asc" },
    });
    return rows;
  }

  /** Stores the group's new parameters and has every cluster using it take them. */
  async function writeParameters(key: ParameterGroupKey, name: string, next: (current: Record<string, string>) => Record<string, string>) {
    const group = await find(key, name);
    if (!group.uid)
      throw failedPrecondition(
        `parameter group ${name} is a default group; its parameters cannot be changed. Create a group of family ${group.family} instead`,
      );
    const parameters = checkParameters(next(group.parameters));
    await prisma.parameterGroup.update({ where: { uid: group.uid }, data: { parameters } });
    for (const cluster of await clustersUsing(key, name)) {
      if (cluster.deleteRequested) continue;
      // Naming the same group again re-reads its parameters (cluster-service update).
      await clusters.update({ ...key, cluster: cluster.instanceId }, { parameterGroupName: name } as Cluster, "parameterGroupName").catch((error: unknown) => {
        // Deleted since it was listed: nothing left to update.
        if (error instanceof ApiError && (error.status === "NOT_FOUND" || (error.status === "FAILED_PRECONDITION" && /being deleted/.test(error.message))))
          return;
        throw error;
      });
    }
    return { ...group, parameters };
  }

  return {
    find,
    clustersUsing,

    /** Defaults first (one per family offered), then the groups made, by name. */
    async list(key: ParameterGroupKey): Promise<ParameterGroup[]> {
      checkLocation(key.location);
      const rows = await prisma.parameterGroup.findMany({ where: { projectId: key.project, locationId: key.location }, orderBy: { name: "asc" } });
      return [...familiesOf(offered()).map(defaultGroupOf), ...rows.map(groupOf)];
    },

    async create(key: ParameterGroupKey, body: { name: string; family: string; description?: string | undefined }): Promise<ParameterGroup> {
      checkLocation(key.location);
      if (isDefaultParameterGroup(body.name))
        throw invalidArgument("parameterGroupName", `names starting with '${DEFAULT_PREFIX}' are reserved for the default groups`);
      const families = familiesOf(offered());
      if (!families.includes(body.family)) throw invalidArgument("family", `${body.family} is not offered here; families: ${families.join(", ")}`);
      try {
        const row = await prisma.$transaction(async (tx) => {
          await tx.project.upsert({ where: { id: key.project }, create: { id: key.project }, update: {} });
          return tx.parameterGroup.create({
            data: {
              uid: randomUUID(),
              projectId: key.project,
              locationId: key.location,
              name: body.name,
              family: body.family,
              description: body.description ?? "",
            },
          });
        });
        return groupOf(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw alreadyExists(`parameter group ${body.name}`);
        throw error;
      }
    },

    /** Sets the named parameters (the others keep their values). */
    update: (key: ParameterGroupKey, name: string, values: Record<string, string>) => writeParameters(key, name, (current) => ({ ...current, ...values })),

    /** Returns the named parameters, or all of them, to the engine's defaults. */
    reset: (key: ParameterGroupKey, name: string, names: string[] | "all") =>
      writeParameters(key, name, (current) => {
        if (names === "all") return {};
        names.forEach(checkParameterName);
        return Object.fromEntries(Object.entries(current).filter(([parameter]) => !names.includes(parameter)));
      }),

    async remove(key: ParameterGroupKey, name: string): Promise<ParameterGroup> {
      const group = await find(key, name);
      if (!group.uid) throw failedPrecondition(`parameter group ${name} is a default group and cannot be deleted`);
      const users = await clustersUsing(key, name);
      if (users.length > 0)
        throw failedPrecondition(`parameter group ${name} is used by cluster${users.length > 1 ? "s" : ""} ${users.map((c) => c.instanceId).join(", ")}`);
      // A cluster naming the group between the check and the delete finds it gone at its create
      // (NOT_FOUND), since the create reads the group first.
      await prisma.parameterGroup.deleteMany({ where: { uid: group.uid } });
      return group;
    },
  };
}

export type ParameterGroupService = ReturnType<typeof createParameterGroupService>;
