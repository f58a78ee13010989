// How an instance looks on the wire, from its stored record. Shared by the api (GET) and the
// worker (the Instance an Operation returns). The auth secret never passes through here.
// `availableMaintenanceVersions` is not shown here: it needs the engine catalogue and what the
// operator released, which only the api has.
import { BASE_MAINTENANCE_VERSION } from "./engines.js";
import { scheduledMaintenance } from "./maintenance-record.js";
import { WINDOW_DURATION, type DayOfWeek, type WeeklyMaintenanceWindow } from "./maintenance-window.js";
import { instanceName, READ_ENDPOINT_HOST } from "./names.js";
import { serverCaCertsView, type CaCertRecord } from "./tls-view.js";
import { OPEN_ACCESS } from "./acl.js";

export interface InstanceRecord {
  projectId: string;
  locationId: string;
  instanceId: string;
  /** The stored desired spec: the Instance's input fields. */
  spec: Record<string, unknown>;
  state: string;
  statusMessage: string;
  host: string | null;
  port: number | null;
  createTime: Date;
  expireTime?: Date | null;
  /** The Instance.maintenanceSchedule column: a schedule, or only `{failedVersion}`. */
  maintenanceSchedule?: unknown;
  nodes: NodeRecord[];
  /** TLS: the published (ACTIVE and TRUSTED) CAs, shown as serverCaCerts. */
  serverCas?: readonly CaCertRecord[] | undefined;
}

export interface NodeRecord {
  id: string;
  ordinal: number;
  zone: string;
  role: string;
  host: string;
  port: number;
  state?: string;
  /** The build the node was last started on; null on rows made before upgrades existed. */
  redisVersion?: string | null;
  maintenanceVersion?: string | null;
}

/** The maintenance fields of a stored spec (instances and clusters alike), as the api stores them. */
export interface StoredMaintenancePolicy {
  createTime: string;
  updateTime: string;
  description?: string;
  /** The api stores only real days (the wire's DAY_OF_WEEK_UNSPECIFIED is refused). */
  weeklyMaintenanceWindow?: (WeeklyMaintenanceWindow & { day: DayOfWeek })[];
}
export interface StoredMaintenanceSpec {
  redisVersion: string;
  /** Absent on rows made before maintenance versions existed: BASE_MAINTENANCE_VERSION. */
  maintenanceVersion?: string;
  maintenancePolicy?: StoredMaintenancePolicy;
}

/** The maintenance version a spec runs at. */
export const maintenanceVersionOf = (spec: Record<string, unknown>) => (spec.maintenanceVersion as string | undefined) ?? BASE_MAINTENANCE_VERSION;

/** The policy with each window's output-only one-hour duration. */
export function maintenancePolicyView(policy: StoredMaintenancePolicy | undefined) {
  if (!policy) return undefined;
  return {
    ...policy,
    ...(policy.weeklyMaintenanceWindow ? { weeklyMaintenanceWindow: policy.weeklyMaintenanceWindow.map((w) => ({ ...w, duration: WINDOW_DURATION })) } : {}),
  };
}

/** The column as the wire shows it: only an actual schedule (it may hold `{failedVersion}` alone,
 *  the worker's note of a build that did not come up, which is nothing to show). */
export function maintenanceScheduleView(value: unknown) {
  const scheduled = scheduledMaintenance(value);
  if (!scheduled) return undefined;
  return {
    startTime: scheduled.startTime.toISOString(),
    endTime: scheduled.endTime.toISOString(),
    scheduleDeadlineTime: scheduled.scheduleDeadlineTime.toISOString(),
    maintenanceVersion: scheduled.maintenanceVersion,
  };
}

/** A node's build; a node without one recorded runs what its deployment's spec says. */
export function nodeEngineView(node: NodeRecord, spec: Record<string, unknown>) {
  return {
    redisVersion: node.redisVersion ?? (spec.redisVersion as string | undefined),
    maintenanceVersion: node.maintenanceVersion ?? maintenanceVersionOf(spec),
  };
}

export function instanceView(record: InstanceRecord) {
  const nodes = [...record.nodes].sort((a, b) => a.ordinal - b.ordinal);
  const primary = nodes.find((n) => n.role === "PRIMARY") ?? nodes[0];
  const spec = record.spec;
  const view: Record<string, unknown> = {
    name: instanceName(record.projectId, record.locationId, record.instanceId),
    ...spec,
    maintenancePolicy: maintenancePolicyView(spec.maintenancePolicy as StoredMaintenancePolicy | undefined),
    maintenanceVersion: maintenanceVersionOf(spec),
    maintenanceSchedule: maintenanceScheduleView(record.maintenanceSchedule),
    state: record.state,
    statusMessage: record.statusMessage || undefined,
    currentLocationId: primary?.zone ?? (spec.locationId as string | undefined),
    nodes: nodes.map((n) => ({
      id: n.id,
      zone: n.zone,
      role: n.role === "REPLICA" ? "REPLICA" : "PRIMARY",
      state: n.state ?? "READY",
      host: n.host,
      port: n.port,
      ...nodeEngineView(n, spec),
    })),
    createTime: record.createTime.toISOString(),
    expireTime: record.expireTime?.toISOString(),
    serverCaCerts: record.serverCas?.length ? serverCaCertsView(record.serverCas) : undefined,
    // Instances made before ACLs have none stored: they are open-access.
    aclName: (spec.aclName as string | undefined) ?? OPEN_ACCESS,
  };
  if (record.host) view.host = record.host;
  if (record.port) view.port = record.port;
  if (record.port && spec.readReplicasMode === "READ_REPLICAS_ENABLED") {
    view.readEndpoint = READ_ENDPOINT_HOST;
    view.readEndpointPort = record.port;
  }
  for (const key of Object.keys(view)) if (view[key] === undefined) delete view[key];
  return view;
}
