// How resources are printed: aligned tables for people, JSON for programs, and `env` lines
// (NAME=value, no quoting needed) for `eval "$(…)"` or a CI step's environment file.
import type { ApiKey, Instance, Location, Operation } from "@cacheplane/sdk";

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}

/** `key: value` lines for one resource, skipping empty fields. */
export function details(fields: [string, unknown][]): string {
  const shown = fields.filter(([, v]) => v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0));
  const width = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${typeof v === "string" ? v : JSON.stringify(v)}`).join("\n") + "\n";
}

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export const shortName = (name: string | undefined) => (name ?? "").split("/").pop() ?? "";

const endpoint = (i: Instance) => (i.host && i.port ? `${i.host}:${i.port}` : "-");

export const instanceTable = (instances: Instance[]) =>
  table(
    ["INSTANCE", "TIER", "MEMORY", "STATE", "ENDPOINT", "ZONE", "AUTH", "EXPIRES"],
    instances.map((i) => [shortName(i.name), i.tier ?? "", `${i.memorySizeGb ?? "?"}GB`, i.state ?? "", endpoint(i), i.currentLocationId ?? i.locationId ?? "", i.authEnabled ? "yes" : "no", i.expireTime ?? "-"]),
  );

export const instanceDetails = (i: Instance) =>
  details([
    ["name", i.name], ["displayName", i.displayName], ["state", i.state], ["statusMessage", i.statusMessage], ["tier", i.tier],
    ["memorySizeGb", i.memorySizeGb], ["redisVersion", i.redisVersion], ["endpoint", endpoint(i)], ["zone", i.currentLocationId],
    ["authEnabled", i.authEnabled ?? false], ["labels", i.labels && Object.keys(i.labels).length ? i.labels : undefined],
    ["redisConfigs", i.redisConfigs && Object.keys(i.redisConfigs).length ? i.redisConfigs : undefined],
    ["persistence", i.persistenceConfig?.persistenceMode], ["nodes", i.nodes?.map((n) => `${n.id} ${n.role} ${n.state} ${n.host}:${n.port}`)],
    ["createTime", i.createTime], ["expireTime", i.expireTime],
  ]);

const opStatus = (op: Operation) => (!op.done ? "RUNNING" : op.error ? `ERROR: ${op.error.message}` : "DONE");

export const operationTable = (ops: Operation[]) =>
  table(
    ["OPERATION", "VERB", "TARGET", "STATUS", "DETAIL", "CREATED"],
    ops.map((o) => [shortName(o.name), o.metadata.verb, shortName(o.metadata.target), opStatus(o), o.metadata.statusDetail, o.metadata.createTime]),
  );

export const operationDetails = (o: Operation) =>
  details([
    ["name", o.name], ["verb", o.metadata.verb], ["target", o.metadata.target], ["status", opStatus(o)],
    ["statusDetail", o.metadata.statusDetail], ["cancelRequested", o.metadata.cancelRequested || undefined],
    ["createTime", o.metadata.createTime], ["endTime", o.metadata.endTime],
  ]);

export const locationTable = (locations: Location[]) =>
  table(["LOCATION", "NAME", "ZONES"], locations.map((l) => [l.locationId, l.displayName, Object.keys(l.metadata.availableZones).join(",")]));

export const keyTable = (keys: ApiKey[]) =>
  table(
    ["KEY", "DISPLAY NAME", "PROJECTS", "CREATED", "REVOKED"],
    keys.map((k) => [shortName(k.name), k.displayName, k.projects.join(","), k.createTime, k.revokeTime ?? "-"]),
  );

/** `REDIS_URL` for one instance; `REDIS_URL_<ID>` per instance for several. */
export const envVarFor = (instanceName: string | undefined, many: boolean) =>
  many ? `REDIS_URL_${shortName(instanceName).toUpperCase().replace(/[^A-Z0-9]/g, "_")}` : "REDIS_URL";

export const envLines = (vars: [string, string][]) => vars.map(([k, v]) => `${k}=${v}\n`).join("");
