// How MemoryDB's names map onto cacheplane's, in one place:
//   AWS account        → project (the one an API key's AWS credentials were issued for)
//   region             → the location (local1); availability zone `local1a` → zone `local1-a`
//   cluster, snapshot  → cluster, backup; user, ACL → user, ACL (the same rows as the native API)
//   node type          → Memorystore node type of about the same memory
//   engine + version   → redisVersion (REDIS_7_0 is engine redis 7.0; VALKEY_8_0 is valkey 8.0)
import type { NodeType as NodeTypeSchema, RedisVersion as RedisVersionSchema } from "@cacheplane/contracts";
import type { z } from "zod";
import { invalidParameterValue } from "./faults.js";

type NodeType = z.infer<typeof NodeTypeSchema>;
type RedisVersion = z.infer<typeof RedisVersionSchema>;

export type ArnType = "cluster" | "snapshot" | "user" | "acl" | "parametergroup" | "subnetgroup";

export const arn = (region: string, project: string, type: ArnType, name: string) => `arn:aws:memorydb:${region}:${project}:${type}/${name}`;

const ARN = /^arn:aws:memorydb:([^:]+):([^:]+):(cluster|snapshot|user|acl|parametergroup|subnetgroup)\/(.+)$/;

export function parseArn(text: string): { region: string; project: string; type: ArnType; name: string } {
  const match = ARN.exec(text);
  if (!match) throw invalidParameterValue(`Invalid ARN: ${text}`);
  return { region: match[1]!, project: match[2]!, type: match[3] as ArnType, name: match[4]! };
}

/** Zone `local1-a` of location `local1` is availability zone `local1a`, as AWS spells them. */
export function availabilityZoneOf(zone: string, location: string): string {
  return zone.startsWith(`${location}-`) ? `${location}${zone.slice(location.length + 1)}` : zone;
}

export function zoneOfAvailabilityZone(az: string, location: string, zones: string[]): string | undefined {
  return zones.find((zone) => availabilityZoneOf(zone, location) === az);
}

/** MemoryDB node types, each beside the Memorystore node type of about the same memory. */
export const NODE_TYPES: ReadonlyArray<{ memorydb: string; nodeType: NodeType; memoryGb: number }> = [
  { memorydb: "db.t4g.small", nodeType: "REDIS_SHARED_CORE_NANO", memoryGb: 1.37 },
  { memorydb: "db.m6g.large", nodeType: "REDIS_STANDARD_SMALL", memoryGb: 6.38 },
  { memorydb: "db.r6g.large", nodeType: "REDIS_HIGHMEM_MEDIUM", memoryGb: 13.07 },
  { memorydb: "db.r6g.2xlarge", nodeType: "REDIS_HIGHMEM_XLARGE", memoryGb: 52.82 },
];

export function nodeTypeOf(memorydb: string): NodeType {
  const hit = NODE_TYPES.find((t) => t.memorydb === memorydb);
  if (!hit) throw invalidParameterValue(`Node type ${memorydb} is not supported here; use one of ${NODE_TYPES.map((t) => t.memorydb).join(", ")}`);
  return hit.nodeType;
}

export const memorydbNodeTypeOf = (nodeType: NodeType | undefined) => NODE_TYPES.find((t) => t.nodeType === (nodeType ?? "REDIS_HIGHMEM_MEDIUM"))!.memorydb;

/** REDIS_7_0 → {engine: "redis", version: "7.0"}; REDIS_6_X → redis 6.2 (MemoryDB's 6 is 6.2). */
export function engineOf(redisVersion: RedisVersion): { engine: "redis" | "valkey"; version: string } {
  const [name, major, minor] = redisVersion.split("_") as [string, string, string];
  return { engine: name === "VALKEY" ? "valkey" : "redis", version: minor === "X" ? `${major}.2` : `${major}.${minor}` };
}

/** The redisVersion of a MemoryDB engine and version ("7" and "7.0" alike), among those offered. */
export function redisVersionOf(engine: string | undefined, version: string | undefined, offered: readonly RedisVersion[]): RedisVersion {
  const wanted = (engine ?? "redis").toLowerCase();
  const matches = offered.filter((v) => {
    const e = engineOf(v);
    return e.engine === wanted && (version === undefined || e.version === version || e.version.split(".")[0] === version);
  });
  // The newest match: offered is in catalogue order, oldest first.
  const hit = matches[matches.length - 1];
  if (!hit) {
    const list = offered.map((v) => `${engineOf(v).engine} ${engineOf(v).version}`).join(", ");
    throw invalidParameterValue(`Engine ${wanted}${version ? ` version ${version}` : ""} is not available; available: ${list}`);
  }
  return hit;
}

/** MemoryDB's parameter group family of an engine version: memorydb_redis7, memorydb_valkey8. */
export const parameterGroupFamilyOf = (redisVersion: RedisVersion) => {
  const { engine, version } = engineOf(redisVersion);
  return `memorydb_${engine}${version.split(".")[0]}`;
};

/** AWS JSON 1.1 writes timestamps as epoch seconds (a number, milliseconds as the fraction). */
export const awsTime = (date: Date | string) => new Date(date).getTime() / 1000;

/** The native key of a MemoryDB resource: the credentials' project, the region's location. */
export const locationKey = (call: { project: string; region: string }) => ({ project: call.project, location: call.region });
