// What proto3 JSON from Google's client library carries that the native contracts spell
// otherwise: enums as their proto numbers (the REST transport asks for `enum-encoding=int`) and
// output-only fields echoed back from a fetched resource. A shape per request message, keyed by
// the route's operationId, names those fields; the numbers are the protos' own (google.cloud.redis.v1
// and google.type), checked against the client's protos.json in apps/api/test/google-compat.test.ts.

/** A proto enum as its .proto declares it: name → number (numbers need not be dense: Tier skips 2). */
export interface ProtoEnum {
  readonly kind: "enum";
  readonly values: Readonly<Record<string, number>>;
}
/** A field the server sets: Google ignores it in requests, and so do we (its proto3 JSON need not
 *  match the native output shape, e.g. nodes[] carries only id and zone). */
export interface OutputOnly {
  readonly kind: "outputOnly";
}
export interface ProtoMessage {
  readonly kind: "message";
  readonly fields: Readonly<Record<string, Shape>>;
}
export interface Repeated {
  readonly kind: "repeated";
  readonly of: Shape;
}
export type Shape = ProtoEnum | OutputOnly | ProtoMessage | Repeated;

const protoEnum = (values: Record<string, number>): ProtoEnum => ({ kind: "enum", values });
const message = (fields: Record<string, Shape>): ProtoMessage => ({ kind: "message", fields });
const repeated = (of: Shape): Repeated => ({ kind: "repeated", of });
const OUTPUT_ONLY: OutputOnly = { kind: "outputOnly" };

/** google.type.DayOfWeek */
const DAY_OF_WEEK = protoEnum({
  DAY_OF_WEEK_UNSPECIFIED: 0,
  MONDAY: 1,
  TUESDAY: 2,
  WEDNESDAY: 3,
  THURSDAY: 4,
  FRIDAY: 5,
  SATURDAY: 6,
  SUNDAY: 7,
});

/** google.cloud.redis.v1.Instance */
const INSTANCE = message({
  host: OUTPUT_ONLY,
  port: OUTPUT_ONLY,
  currentLocationId: OUTPUT_ONLY,
  createTime: OUTPUT_ONLY,
  state: OUTPUT_ONLY,
  statusMessage: OUTPUT_ONLY,
  persistenceIamIdentity: OUTPUT_ONLY,
  serverCaCerts: OUTPUT_ONLY,
  maintenanceSchedule: OUTPUT_ONLY,
  nodes: OUTPUT_ONLY,
  readEndpoint: OUTPUT_ONLY,
  readEndpointPort: OUTPUT_ONLY,
  tier: protoEnum({ TIER_UNSPECIFIED: 0, BASIC: 1, STANDARD_HA: 3 }),
  connectMode: protoEnum({ CONNECT_MODE_UNSPECIFIED: 0, DIRECT_PEERING: 1, PRIVATE_SERVICE_ACCESS: 2 }),
  transitEncryptionMode: protoEnum({ TRANSIT_ENCRYPTION_MODE_UNSPECIFIED: 0, SERVER_AUTHENTICATION: 1, DISABLED: 2 }),
  readReplicasMode: protoEnum({ READ_REPLICAS_MODE_UNSPECIFIED: 0, READ_REPLICAS_DISABLED: 1, READ_REPLICAS_ENABLED: 2 }),
  suspensionReasons: repeated(protoEnum({ SUSPENSION_REASON_UNSPECIFIED: 0, CUSTOMER_MANAGED_KEY_ISSUE: 1 })),
  persistenceConfig: message({
    persistenceMode: protoEnum({ PERSISTENCE_MODE_UNSPECIFIED: 0, DISABLED: 1, RDB: 2 }),
    rdbSnapshotPeriod: protoEnum({ SNAPSHOT_PERIOD_UNSPECIFIED: 0, ONE_HOUR: 3, SIX_HOURS: 4, TWELVE_HOURS: 5, TWENTY_FOUR_HOURS: 6 }),
    rdbNextSnapshotTime: OUTPUT_ONLY,
  }),
  maintenancePolicy: message({
    createTime: OUTPUT_ONLY,
    updateTime: OUTPUT_ONLY,
    weeklyMaintenanceWindow: repeated(message({ day: DAY_OF_WEEK, duration: OUTPUT_ONLY })),
  }),
});

/** The body of each method Google's client sends one for, by the native route's operationId, with
 *  the proto message its HTTP rule puts there (`body: "instance"` for create and update, `body: "*"`
 *  for the custom methods). Any other body is read as a message with no enums or output-only fields
 *  (ANY_MESSAGE): only its unset fields go. */
export const ANY_MESSAGE: ProtoMessage = message({});
export const REQUEST_BODIES: Readonly<Record<string, { proto: string; shape: ProtoMessage }>> = {
  createInstance: { proto: "Instance", shape: INSTANCE },
  updateInstance: { proto: "Instance", shape: INSTANCE },
  failoverInstance: {
    proto: "FailoverInstanceRequest",
    shape: message({ dataProtectionMode: protoEnum({ DATA_PROTECTION_MODE_UNSPECIFIED: 0, LIMITED_DATA_LOSS: 1, FORCE_DATA_LOSS: 2 }) }),
  },
  rescheduleInstanceMaintenance: {
    proto: "RescheduleMaintenanceRequest",
    shape: message({ rescheduleType: protoEnum({ RESCHEDULE_TYPE_UNSPECIFIED: 0, IMMEDIATE: 1, NEXT_AVAILABLE_WINDOW: 2, SPECIFIC_TIME: 3 }) }),
  },
};
