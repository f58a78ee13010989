// The pure parts of apps/api/src/google-compat: the proto numbers and output-only fields against the
// protos Google's client itself ships (so a number here can never drift from the wire), the proto3
// JSON normalisation on bodies made by the client's own serializer, the system parameters and the
// bodiless-request rule. The end-to-end proof with the real client is test/e2e/google-client.test.ts.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { protobuf, serializer } from "google-gax";
import { describe, expect, it } from "vitest";
import { FailoverInstanceRequest, Instance, RescheduleMaintenanceRequest } from "@cacheplane/contracts";
import { ApiError } from "../src/errors.js";
import { hasNoBody } from "../src/google-compat/empty-body.js";
import { fromProtoJson } from "../src/google-compat/proto-json.js";
import { ANY_MESSAGE, REQUEST_BODIES, type ProtoMessage, type Shape } from "../src/google-compat/proto-shapes.js";
import { takeSystemParameters } from "../src/google-compat/system-parameters.js";

const require = createRequire(import.meta.url);
const protosJson = JSON.parse(readFileSync(require.resolve("@google-cloud/redis/build/protos/protos.json"), "utf8"));
const root = protobuf.Root.fromJSON(protosJson);
root.resolveAll();
const v1 = (name: string) => root.lookupType(`google.cloud.redis.v1.${name}`);
const isOutputOnly = (field: protobuf.Field) => {
  const behaviour = field.options?.["(google.api.field_behavior)"];
  return behaviour === "OUTPUT_ONLY" || (Array.isArray(behaviour) && behaviour.includes("OUTPUT_ONLY"));
};

/** How the client puts a request body on the wire: protobufjs fromObject, then proto3 JSON with
 *  numeric enums (google-gax fallbackRest.encodeRequest). */
const onTheWire = (type: protobuf.Type, object: object) => serializer.toProto3JSON(type.fromObject(object), { numericEnums: true }) as Record<string, unknown>;

/** Every difference between a shape and the proto message it describes, as readable lines. */
function drift(shape: Shape, type: protobuf.Type | protobuf.Enum | null, path: string): string[] {
  switch (shape.kind) {
    case "enum":
      return type instanceof protobuf.Enum && JSON.stringify(type.values) === JSON.stringify(shape.values)
        ? []
        : [`${path}: numbers ${JSON.stringify(shape.values)} differ from the proto's ${JSON.stringify((type as protobuf.Enum | null)?.values)}`];
    case "repeated":
      return drift(shape.of, type, `${path}[]`);
    case "outputOnly":
      return [];
    case "message": {
      if (!(type instanceof protobuf.Type)) return [`${path}: not a message in the proto`];
      const lines: string[] = [];
      for (const [name, inner] of Object.entries(shape.fields)) {
        const field = type.fields[name];
        if (!field) lines.push(`${path}.${name}: no such field in ${type.name}`);
        else if (inner.kind === "outputOnly" && !isOutputOnly(field)) lines.push(`${path}.${name}: not OUTPUT_ONLY in the proto`);
        else lines.push(...drift(inner, field.resolvedType as protobuf.Type | protobuf.Enum | null, `${path}.${name}`));
      }
      // The other way round: every enum and output-only field of the message is in the shape.
      for (const field of type.fieldsArray) {
        if (shape.fields[field.name]) continue;
        if (isOutputOnly(field)) lines.push(`${path}.${field.name}: OUTPUT_ONLY but not in the shape`);
        else if (field.resolvedType instanceof protobuf.Enum) lines.push(`${path}.${field.name}: an enum but not in the shape`);
      }
      return lines;
    }
  }
}

describe("the request shapes", () => {
  it.each(Object.entries(REQUEST_BODIES))("%s matches the proto's numbers and output-only fields", (_, { proto, shape }) => {
    expect(drift(shape, v1(proto), proto)).toEqual([]);
  });

  it("names only values the native contracts take (bar the fields cacheplane does not serve)", () => {
    const instance = REQUEST_BODIES.createInstance!.shape;
    const enumsOf = (shape: ProtoMessage, name: string) => {
      const field = shape.fields[name]!;
      const e = field.kind === "repeated" ? field.of : field;
      if (e.kind !== "enum") throw new Error(`${name} is no enum`);
      return Object.entries(e.values)
        .filter(([n]) => !n.endsWith("_UNSPECIFIED"))
        .map(([, v]) => v);
    };
    const base = { tier: 1, memorySizeGb: 1 };
    const accepted = (body: object) => Instance.safeParse(fromProtoJson(body, instance)).success;
    for (const n of enumsOf(instance, "tier")) expect(accepted({ ...base, tier: n })).toBe(true);
    for (const n of enumsOf(instance, "transitEncryptionMode")) expect(accepted({ ...base, transitEncryptionMode: n })).toBe(true);
    for (const n of enumsOf(instance, "readReplicasMode")) expect(accepted({ ...base, readReplicasMode: n })).toBe(true);
    const persistence = instance.fields.persistenceConfig as ProtoMessage;
    for (const n of enumsOf(persistence, "persistenceMode")) expect(accepted({ ...base, persistenceConfig: { persistenceMode: n } })).toBe(true);
    for (const n of enumsOf(persistence, "rdbSnapshotPeriod")) expect(accepted({ ...base, persistenceConfig: { rdbSnapshotPeriod: n } })).toBe(true);
    for (const day of [1, 2, 3, 4, 5, 6, 7]) {
      expect(accepted({ ...base, maintenancePolicy: { weeklyMaintenanceWindow: [{ day, startTime: { hours: 1 } }] } })).toBe(true);
    }
    // Private service access and customer-managed keys are Google's network and KMS: not here.
    expect(accepted({ ...base, connectMode: 1 })).toBe(false);
    expect(accepted({ ...base, suspensionReasons: [1] })).toBe(false);

    const failover = REQUEST_BODIES.failoverInstance!.shape;
    for (const n of enumsOf(failover, "dataProtectionMode"))
      expect(FailoverInstanceRequest.safeParse(fromProtoJson({ dataProtectionMode: n }, failover)).success).toBe(true);
    const reschedule = REQUEST_BODIES.rescheduleInstanceMaintenance!.shape;
    for (const n of enumsOf(reschedule, "rescheduleType"))
      expect(RescheduleMaintenanceRequest.safeParse(fromProtoJson({ rescheduleType: n }, reschedule)).success).toBe(true);
  });
});

describe("proto3 JSON from the client into the native spelling", () => {
  const instance = REQUEST_BODIES.createInstance!.shape;

  it("names the enums of a create body as the client encodes it", () => {
    const wire = onTheWire(v1("Instance"), {
      tier: "STANDARD_HA",
      memorySizeGb: 1,
      replicaCount: 2,
      readReplicasMode: "READ_REPLICAS_ENABLED",
      transitEncryptionMode: "DISABLED",
      persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "SIX_HOURS", rdbSnapshotStartTime: { seconds: 1_800_000_000 } },
      maintenancePolicy: { weeklyMaintenanceWindow: [{ day: "SUNDAY", startTime: { hours: 3 } }] },
      labels: { env: "" },
    });
    expect(wire).toMatchObject({ tier: 3, readReplicasMode: 2, transitEncryptionMode: 2 });
    const native = fromProtoJson(wire, instance);
    expect(native).toEqual({
      tier: "STANDARD_HA",
      memorySizeGb: 1,
      replicaCount: 2,
      readReplicasMode: "READ_REPLICAS_ENABLED",
      transitEncryptionMode: "DISABLED",
      persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "SIX_HOURS", rdbSnapshotStartTime: "2027-01-15T08:00:00.000Z" },
      maintenancePolicy: { weeklyMaintenanceWindow: [{ day: "SUNDAY", startTime: { hours: 3 } }] },
      // A map is no message: an empty label value is a value.
      labels: { env: "" },
      // The client always writes its maps.
      redisConfigs: {},
    });
    expect(Instance.parse(native)).toBeTruthy();
  });

  it("drops what a fetched Instance sent back carries: output-only fields and fields at their default", () => {
    // What getInstance hands the caller (the answer, decoded with every default spelled out),
    // changed and passed to updateInstance as it is.
    const type = v1("Instance");
    const answered = serializer.fromProto3JSON(type, {
      name: "projects/p/locations/local1/instances/i",
      tier: "BASIC",
      memorySizeGb: 1,
      state: "READY",
      host: "127.0.0.1",
      port: 20001,
      createTime: "2026-01-01T00:00:00Z",
      nodes: [{ id: "abc-0", zone: "local1-a", role: "PRIMARY", state: "READY", host: "127.0.0.1", port: 20001 }],
      maintenancePolicy: { weeklyMaintenanceWindow: [{ day: "MONDAY", startTime: { hours: 3 }, duration: "3600s" }], createTime: "2026-01-01T00:00:00Z" },
    })!;
    const fetched = type.toObject(answered, { longs: String, enums: String, defaults: true, oneofs: true });
    fetched.displayName = "changed";
    const wire = onTheWire(type, fetched);
    expect(wire).toMatchObject({ state: 2, reservedIpRange: "", connectMode: 0, nodes: [{ id: "abc-0", zone: "local1-a" }] });
    const native = fromProtoJson(wire, instance);
    expect(native).toEqual({
      name: "projects/p/locations/local1/instances/i",
      displayName: "changed",
      tier: "BASIC",
      memorySizeGb: 1,
      labels: {},
      redisConfigs: {},
      // Inside a message the shape does not describe (google.type.TimeOfDay) zeros stay: valid there.
      maintenancePolicy: { weeklyMaintenanceWindow: [{ day: "MONDAY", startTime: { hours: 3, minutes: 0, seconds: 0, nanos: 0 } }] },
    });
    expect(Instance.parse(native)).toBeTruthy();
  });

  it("leaves what it does not know as it came, for the contract to refuse", () => {
    expect(fromProtoJson({ tier: 2, memorySizeGb: 1 }, instance)).toEqual({ tier: 2, memorySizeGb: 1 });
    expect(fromProtoJson({ tier: "BASIC", persistenceConfig: "RDB" }, instance)).toEqual({ tier: "BASIC", persistenceConfig: "RDB" });
    expect(fromProtoJson({ maintenancePolicy: { weeklyMaintenanceWindow: { day: 1 } } }, instance)).toEqual({
      maintenancePolicy: { weeklyMaintenanceWindow: { day: 1 } },
    });
    expect(fromProtoJson("text", instance)).toBe("text");
    expect(fromProtoJson([1], instance)).toEqual([1]);
  });

  it("does not change its input", () => {
    const body = { tier: 1, state: 2, displayName: "" };
    fromProtoJson(body, instance);
    expect(body).toEqual({ tier: 1, state: 2, displayName: "" });
  });

  it("reads any other body as a message with nothing to name: only unset fields go", () => {
    const wire = onTheWire(v1("ImportInstanceRequest"), { name: "n", inputConfig: { gcsSource: { uri: "gs://b/o" } } });
    expect(fromProtoJson(wire, ANY_MESSAGE)).toEqual({ name: "n", inputConfig: { gcsSource: { uri: "gs://b/o" } } });
    expect(fromProtoJson({ redisVersion: "REDIS_7_2", requestId: "" }, ANY_MESSAGE)).toEqual({ redisVersion: "REDIS_7_2" });
  });

  it("names the custom methods' enums", () => {
    expect(fromProtoJson(onTheWire(v1("FailoverInstanceRequest"), { dataProtectionMode: "FORCE_DATA_LOSS" }), REQUEST_BODIES.failoverInstance!.shape)).toEqual({
      dataProtectionMode: "FORCE_DATA_LOSS",
    });
    // The default (LIMITED_DATA_LOSS) is sent as no field at all.
    expect(fromProtoJson(onTheWire(v1("FailoverInstanceRequest"), {}), REQUEST_BODIES.failoverInstance!.shape)).toEqual({});
    expect(
      fromProtoJson(
        onTheWire(v1("RescheduleMaintenanceRequest"), { rescheduleType: "SPECIFIC_TIME", scheduleTime: { seconds: 1_800_000_000 } }),
        REQUEST_BODIES.rescheduleInstanceMaintenance!.shape,
      ),
    ).toEqual({ rescheduleType: "SPECIFIC_TIME", scheduleTime: "2027-01-15T08:00:00.000Z" });
  });
});

describe("system parameters", () => {
  it("takes $alt and $prettyPrint out of the query, and nothing else", () => {
    const query: Record<string, unknown> = { $alt: "json;enum-encoding=int", $prettyPrint: "0", pageSize: "2" };
    expect(takeSystemParameters(query)).toEqual({ intEnums: true });
    expect(query).toEqual({ pageSize: "2" });
    const plain: Record<string, unknown> = { $alt: "json" };
    expect(takeSystemParameters(plain)).toEqual({ intEnums: false });
    expect(plain).toEqual({});
    expect(takeSystemParameters({ instanceId: "x" })).toEqual({ intEnums: false });
  });

  it("refuses an encoding other than JSON with INVALID_ARGUMENT naming $alt", () => {
    for (const alt of ["proto", "media", ["json", "json"], ""]) {
      let error: unknown;
      try {
        takeSystemParameters({ $alt: alt });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe("INVALID_ARGUMENT");
      expect((error as ApiError).fieldViolations.map((f) => f.field)).toEqual(["$alt"]);
    }
  });
});

describe("a request without a body", () => {
  it("is one with neither Content-Length nor Transfer-Encoding, or a zero length", () => {
    expect(hasNoBody({ "content-type": "application/json" })).toBe(true);
    expect(hasNoBody({ "content-type": "application/json", "content-length": "0" })).toBe(true);
    expect(hasNoBody({ "content-type": "application/json", "content-length": "2" })).toBe(false);
    expect(hasNoBody({ "content-type": "application/json", "transfer-encoding": "chunked" })).toBe(false);
  });
});
