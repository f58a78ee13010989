// How resources are printed: aligned tables for people, JSON for programs, and `env` lines
// (NAME=value, no quoting needed) for `eval "$(…)"` or a CI step's environment file.
import {
  clusterRedisUrl,
  type ApiKey,
  type Cluster,
  type Instance,
  type InstanceEvent,
  type Location,
  type MaintenancePolicy,
  type MaintenanceSchedule,
  type MaintenanceVersion,
  type NodeInfo,
  type Operation,
} from "@cacheplane/sdk";

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join("\n")}\n`;
}

/** `key: value` lines for one resource, skipping empty fields. */
export function details(fields: [string, unknown][]): string {
  const shown = fields.filter(([, v]) => v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0));
  const width = Math.max(...shown.map(([k]) => k.length));
  return `${shown.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${typeof v === "string" ? v : JSON.stringify(v)}`).join("\n")}\n`;
}

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export const shortName = (name: string | undefined) => (name ?? "").split("/").pop() ?? "";

const endpoint = (i: Instance) => (i.host && i.port ? `${i.host}:${i.port}` : "-");

export const instanceTable = (instances: Instance[]) =>
  table(
    ["INSTANCE", "TIER", "MEMORY", "STATE", "ENDPOINT", "ZONE", "AUTH", "EXPIRES"],
    instances.map((i) => [
      shortName(i.name),
      i.tier ?? "",
      `${i.memorySizeGb ?? "?"}GB`,
      i.state ?? "",
      endpoint(i),
      i.currentLocationId ?? i.locationId ?? "",
      i.authEnabled ? "yes" : "no",
      i.expireTime ?? "-",
    ]),
  );

/** `REDIS_7_2 (20261115_00_00)`, as the upgrade's progress names a build. */
const engineOf = (n: Pick<NodeInfo, "redisVersion" | "maintenanceVersion">) =>
  n.redisVersion ? `${n.redisVersion}${n.maintenanceVersion ? ` (${n.maintenanceVersion})` : ""}` : "";

const hhmm = (n: number | undefined) => String(n ?? 0).padStart(2, "0");
/** The policy as the flag takes it (`SUNDAY@03:00, …`); none means maintenance may run at any time. */
const maintenanceWindow = (p: MaintenancePolicy | undefined) =>
  p?.weeklyMaintenanceWindow?.length
    ? `${p.weeklyMaintenanceWindow.map((w) => `${w.day}@${hhmm(w.startTime.hours)}:${hhmm(w.startTime.minutes)}`).join(", ")} UTC`
    : "any time (no maintenance policy)";
const maintenanceSchedule = (s: MaintenanceSchedule | undefined) =>
  s ? `${s.maintenanceVersion ?? "maintenance"} from ${s.startTime} to ${s.endTime} (can be moved until ${s.scheduleDeadlineTime})` : undefined;

/** The engine fields instances and clusters share. */
const maintenanceFields = (r: Instance | Cluster): [string, unknown][] => [
  ["maintenanceVersion", r.maintenanceVersion],
  ["maintenanceWindow", maintenanceWindow(r.maintenancePolicy)],
  ["maintenanceSchedule", maintenanceSchedule(r.maintenanceSchedule)],
  ["availableMaintenanceVersions", r.availableMaintenanceVersions?.join(", ")],
];

export const instanceDetails = (i: Instance) =>
  details([
    ["name", i.name],
    ["displayName", i.displayName],
    ["state", i.state],
    ["statusMessage", i.statusMessage],
    ["tier", i.tier],
    ["memorySizeGb", i.memorySizeGb],
    ["redisVersion", i.redisVersion],
    ...maintenanceFields(i),
    ["endpoint", endpoint(i)],
    ["zone", i.currentLocationId],
    ["authEnabled", i.authEnabled ?? false],
    ["labels", i.labels && Object.keys(i.labels).length ? i.labels : undefined],
    ["redisConfigs", i.redisConfigs && Object.keys(i.redisConfigs).length ? i.redisConfigs : undefined],
    ["persistence", i.persistenceConfig?.persistenceMode],
    ["nodes", i.nodes?.map((n) => `${n.id} ${n.role} ${n.state} ${n.host}:${n.port} ${engineOf(n)}`.trimEnd())],
    ["createTime", i.createTime],
    ["expireTime", i.expireTime],
  ]);

const discovery = (c: Cluster) => {
  const e = c.discoveryEndpoints?.[0];
  return e ? `${e.address}:${e.port}` : "-";
};
const zoneDistribution = (c: Cluster) => {
  const z = c.zoneDistributionConfig;
  return z?.mode === "SINGLE_ZONE" ? `SINGLE_ZONE ${z.zone ?? ""}`.trim() : (z?.mode ?? "MULTI_ZONE");
};
const nonEmpty = <T extends object>(o: T | undefined) => (o && Object.keys(o).length ? o : undefined);

export const clusterTable = (clusters: Cluster[]) =>
  table(
    ["CLUSTER", "SHARDS", "REPLICAS", "NODE TYPE", "SIZE", "STATE", "ENDPOINT", "ZONES", "PROTECTED"],
    clusters.map((c) => [
      shortName(c.name),
      String(c.shardCount ?? "?"),
      String(c.replicaCount ?? 0),
      c.nodeType ?? "",
      `${c.sizeGb ?? "?"}GB`,
      c.state ?? "",
      discovery(c),
      zoneDistribution(c),
      c.deletionProtectionEnabled ? "yes" : "no",
    ]),
  );

/** `key: value` lines, then one row per node, grouped by shard with the shard's slots. */
export const clusterDetails = (c: Cluster) => {
  const update = c.stateInfo?.updateInfo;
  const head = details([
    ["name", c.name],
    ["state", c.state],
    ["statusMessage", c.statusMessage],
    ["shardCount", c.shardCount],
    ["replicaCount", c.replicaCount],
    ["updatingTo", update ? `${update.targetShardCount ?? "?"} shards x ${update.targetReplicaCount ?? "?"} replicas` : undefined],
    ["nodeType", c.nodeType],
    ["sizeGb", c.sizeGb],
    ["redisVersion", c.redisVersion],
    ...maintenanceFields(c),
    ["endpoint", discovery(c)],
    ["zoneDistribution", zoneDistribution(c)],
    ["persistence", c.persistenceConfig?.mode],
    ["deletionProtection", c.deletionProtectionEnabled ?? false],
    ["labels", nonEmpty(c.labels)],
    ["redisConfigs", nonEmpty(c.redisConfigs)],
    ["createTime", c.createTime],
  ]);
  const rows = (c.shards ?? []).flatMap((s) =>
    s.nodes.map((n, i) => [i === 0 ? s.id : "", i === 0 ? (s.slots?.join(",") ?? "-") : "", n.id, n.role, n.state, `${n.host}:${n.port}`, n.zone, engineOf(n)]),
  );
  return rows.length ? `${head}\n${table(["SHARD", "SLOTS", "NODE", "ROLE", "STATE", "ADDRESS", "ZONE", "VERSION"], rows)}` : head;
};

/** What a cluster client needs: the discovery URL, a flag saying it is a cluster, and its name. */
export const clusterEnv = (c: Cluster): [string, string][] => [
  ["REDIS_URL", clusterRedisUrl(c)],
  ["REDIS_CLUSTER", "1"],
  ["CACHEPLANE_CLUSTER", c.name ?? ""],
];

export const eventTable = (events: InstanceEvent[]) =>
  table(
    ["TIME", "TYPE", "MESSAGE"],
    events.map((e) => [e.time, e.type, e.message]),
  );

const opStatus = (op: Operation) => (!op.done ? "RUNNING" : op.error ? `ERROR: ${op.error.message}` : "DONE");

export const operationTable = (ops: Operation[]) =>
  table(
    ["OPERATION", "VERB", "TARGET", "STATUS", "DETAIL", "CREATED"],
    ops.map((o) => [shortName(o.name), o.metadata.verb, shortName(o.metadata.target), opStatus(o), o.metadata.statusDetail, o.metadata.createTime]),
  );

export const operationDetails = (o: Operation) =>
  details([
    ["name", o.name],
    ["verb", o.metadata.verb],
    ["target", o.metadata.target],
    ["status", opStatus(o)],
    ["statusDetail", o.metadata.statusDetail],
    ["cancelRequested", o.metadata.cancelRequested || undefined],
    ["createTime", o.metadata.createTime],
    ["endTime", o.metadata.endTime],
  ]);

export const maintenanceVersionTable = (versions: MaintenanceVersion[]) =>
  table(
    ["VERSION", "ENGINE VERSIONS", "STATE", "RELEASE TIME"],
    versions.map((v) => [v.maintenanceVersion, v.redisVersions.join(","), v.state, v.releaseTime ?? "-"]),
  );

export const locationTable = (locations: Location[]) =>
  table(
    ["LOCATION", "NAME", "ZONES"],
    locations.map((l) => [l.locationId, l.displayName, Object.keys(l.metadata.availableZones).join(",")]),
  );

export const keyTable = (keys: ApiKey[]) =>
  table(
    ["KEY", "DISPLAY NAME", "PROJECTS", "CREATED", "REVOKED"],
    keys.map((k) => [shortName(k.name), k.displayName, k.projects.join(","), k.createTime, k.revokeTime ?? "-"]),
  );

/** `REDIS_URL` for one instance or cluster; `REDIS_URL_<ID>` (or another prefix) per resource for several. */
export const envVarFor = (name: string | undefined, many: boolean, prefix = "REDIS_URL") =>
  many
    ? `${prefix}_${shortName(name)
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, "_")}`
    : prefix;

export const envLines = (vars: [string, string][]) => vars.map(([k, v]) => `${k}=${v}\n`).join("");
