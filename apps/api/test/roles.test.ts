// API key roles against the real api and Postgres: what a viewer, an editor and an admin may do,
// that a refusal comes before any lookup (403, never 404), project scope, and keys made before
// roles existed. No worker: instances stay CREATING, which is all these checks need.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashKey } from "../src/api-keys.js";
import { startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { expectError, expectInvalid } from "./maintenance-helpers.js";

const LOC = "/v1/projects/default/locations/local1";
const OTHER = "/v1/projects/other/locations/local1";
const basic = { tier: "BASIC", memorySizeGb: 1 };
let cp: TestControlPlane;
let viewer: string;
let editor: string;
let opName: string;

async function key(body: { displayName: string; projects: string[]; role?: string }) {
  const res = await cp.api("POST", "/v1/apiKeys", body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { name: string; keyString: string; role: string; projects: string[] };
}

function expectDenied(res: { status: number; body: any }, message: RegExp) {
  expectError(res, "PERMISSION_DENIED", 403);
  expect(res.body.error.message).toMatch(message);
}

beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false });
  viewer = (await key({ displayName: "viewer", projects: ["default"], role: "viewer" })).keyString;
  editor = (await key({ displayName: "editor", projects: ["default"] })).keyString;
  const created = await cp.api("POST", `${LOC}/instances?instanceId=seen`, { ...basic, authEnabled: true });
  expect(created.status).toBe(200);
  opName = created.body.name;
  expect((await cp.api("POST", `${LOC}/clusters?clusterId=seen-c`, { shardCount: 1 })).status).toBe(200);
});
afterAll(async () => {
  await cp?.stop();
});

describe("viewer", () => {
  it("reads instances, clusters, operations, events and the audit log", async () => {
    for (const path of [
      `${LOC}/instances`,
      `${LOC}/instances/seen`,
      `${LOC}/instances/seen/events`,
      `${LOC}/clusters`,
      `${LOC}/clusters/seen-c`,
      `${LOC}/operations`,
      `/v1/${opName}`,
      "/v1/projects/default/locations",
      "/v1/projects/default/auditLogs",
      "/v1/maintenanceVersions",
    ]) {
      const res = await cp.api("GET", path, undefined, viewer);
      expect(res.status, `GET ${path}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    // :wait is a POST only by AIP-151's convention; it reads.
    expect((await cp.api("POST", `/v1/${opName}:wait?timeout=0s`, undefined, viewer)).status).toBe(200);
  });

  it("is refused every change and the AUTH string, naming its role and the access needed", async () => {
    const refused: [string, string, unknown?][] = [
      ["POST", `${LOC}/instances?instanceId=nope`, basic],
      ["PATCH", `${LOC}/instances/seen?updateMask=memorySizeGb`, { memorySizeGb: 2 }],
      ["DELETE", `${LOC}/instances/seen`],
      ["POST", `${LOC}/instances/seen:failover`, {}],
      ["POST", `${LOC}/instances/seen:backup`, {}],
      ["POST", `${LOC}/clusters?clusterId=nope`, { shardCount: 1 }],
      ["DELETE", `${LOC}/clusters/seen-c`],
      ["POST", `/v1/${opName}:cancel`, {}],
      ["DELETE", `/v1/${opName}`],
    ];
    for (const [method, path, body] of refused) {
      const res = await cp.api(method, path, body, viewer);
      expectDenied(res, /^this key's role viewer may only read; \w+ needs write access \(role editor or admin\)$/);
    }
    expectDenied(
      await cp.api("GET", `${LOC}/instances/seen/authString`, undefined, viewer),
      /role viewer may only read; getInstanceAuthString needs secret access/,
    );
    expectDenied(await cp.api("GET", "/v1/apiKeys", undefined, viewer), /listApiKeys needs admin access \(role admin\)/);
    // Nothing changed.
    expect((await cp.api("GET", `${LOC}/instances/seen`)).body.memorySizeGb).toBe(1);
    expect(await cp.prisma.instance.count()).toBe(2);
  });

  it("is refused before any lookup or validation: a missing instance is 403, not 404; a bad body 403, not 400", async () => {
    expectDenied(await cp.api("DELETE", `${LOC}/instances/never-was`, undefined, viewer), /role viewer/);
    expectDenied(await cp.api("GET", `${LOC}/instances/never-was/authString`, undefined, viewer), /role viewer/);
    expectDenied(await cp.api("POST", `${LOC}/instances?instanceId=x`, { colour: "blue" }, viewer), /role viewer/);
    // An admin asking the same hears the truth.
    expectError(await cp.api("DELETE", `${LOC}/instances/never-was`), "NOT_FOUND", 404);
  });

  it("with '*' reads every project and still changes nothing", async () => {
    const everywhere = (await key({ displayName: "auditor", projects: ["*"], role: "viewer" })).keyString;
    expect((await cp.api("GET", `${OTHER}/instances`, undefined, everywhere)).status).toBe(200);
    expectDenied(await cp.api("POST", `${OTHER}/instances?instanceId=x`, basic, everywhere), /role viewer/);
    expectDenied(await cp.api("POST", "/v1/apiKeys", { displayName: "x", projects: ["default"] }, everywhere), /role viewer/);
  });
});

describe("editor", () => {
  it("creates, changes, deletes and reads the AUTH string in its project", async () => {
    const created = await cp.api("POST", `${LOC}/instances?instanceId=by-editor`, { ...basic, authEnabled: true }, editor);
    expect(created.status).toBe(200);
    const auth = await cp.api("GET", `${LOC}/instances/by-editor/authString`, undefined, editor);
    expect(auth.status).toBe(200);
    expect(auth.body.authString).toBeTruthy();
    expect((await cp.api("PATCH", `${LOC}/instances/by-editor?updateMask=displayName`, { displayName: "x" }, editor)).status).toBe(200);
    expect((await cp.api("DELETE", `${LOC}/instances/by-editor`, undefined, editor)).status).toBe(200);
  });

  it("cannot reach another project, even for something that does not exist", async () => {
    expectDenied(await cp.api("GET", `${OTHER}/instances`, undefined, editor), /may not access project other/);
    expectDenied(await cp.api("DELETE", `${OTHER}/instances/never-was`, undefined, editor), /may not access project other/);
    expectDenied(await cp.api("GET", "/v1/projects/other/auditLogs", undefined, editor), /may not access project other/);
  });

  it("reaches no other project's users, ACLs, backups or clusters, whatever it asks", async () => {
    const tries: [string, string, unknown?][] = [
      ["GET", `${OTHER}/users`],
      ["GET", `${OTHER}/users/someone`],
      ["POST", `${OTHER}/users?userId=intruder`, { accessString: "on ~* +@all", authenticationMode: { type: "NO_PASSWORD" } }],
      ["PATCH", `${OTHER}/users/someone?updateMask=accessString`, { accessString: "on ~* +@all" }],
      ["DELETE", `${OTHER}/users/someone`],
      ["GET", `${OTHER}/acls`],
      ["GET", `${OTHER}/acls/open-access`],
      ["POST", `${OTHER}/acls?aclId=mine`, { userNames: [] }],
      ["DELETE", `${OTHER}/acls/some-acl`],
      ["GET", `${OTHER}/backupCollections`],
      ["GET", `${OTHER}/backupCollections/-/backups`],
      ["DELETE", `${OTHER}/backupCollections/c/backups/b`],
      ["GET", `${OTHER}/clusters`],
      ["POST", `${OTHER}/clusters?clusterId=c1`, { shardCount: 1 }],
      ["POST", `${OTHER}/clusters/c1:failoverShard`, { shard: "0001" }],
    ];
    for (const [method, path, body] of tries) {
      for (const who of [viewer, editor]) expectDenied(await cp.api(method, path, body, who), /may not access project other|role viewer/);
    }
  });

  it("a viewer changes no user or ACL of its own project either", async () => {
    expectDenied(
      await cp.api("POST", `${LOC}/users?userId=v`, { accessString: "on ~* +@all", authenticationMode: { type: "NO_PASSWORD" } }, viewer),
      /role viewer/,
    );
    expectDenied(await cp.api("POST", `${LOC}/acls?aclId=v`, { userNames: [] }, viewer), /role viewer/);
    expect((await cp.api("GET", `${LOC}/acls/open-access`, undefined, viewer)).status).toBe(200);
  });

  it("cannot manage keys, release a maintenance version or fail a zone", async () => {
    expectDenied(
      await cp.api("POST", "/v1/apiKeys", { displayName: "x", projects: ["default"] }, editor),
      /^this key's role editor .*; createApiKey needs admin access \(role admin\)$/,
    );
    expectDenied(await cp.api("GET", "/v1/apiKeys/admin", undefined, editor), /getApiKey needs admin access/);
    expectDenied(await cp.api("DELETE", "/v1/apiKeys/000000000000", undefined, editor), /revokeApiKey needs admin access/);
    expectDenied(await cp.api("POST", "/v1/maintenanceVersions/20991231_00_00:release", undefined, editor), /releaseMaintenanceVersion needs admin access/);
    expectDenied(await cp.api("POST", `${LOC}/zones/local1-a:fail`, undefined, editor), /failZone needs admin access/);
    expectDenied(await cp.api("POST", `${LOC}/zones/no-such-zone:recover`, undefined, editor), /recoverZone needs admin access/);
  });
});

describe("admin and key management", () => {
  it("creates keys of every role; editor is the default; the role shows on get and list", async () => {
    const plain = await key({ displayName: "plain", projects: ["default"] });
    expect(plain.role).toBe("editor");
    const admin = await key({ displayName: "second admin", projects: ["*"], role: "admin" });
    expect(admin).toMatchObject({ role: "admin", projects: ["*"] });
    expect((await cp.api("GET", `/v1/${plain.name}`)).body.role).toBe("editor");
    const listed = await cp.api("GET", "/v1/apiKeys");
    const roles = Object.fromEntries(listed.body.apiKeys.map((k: any) => [k.displayName, k.role]));
    expect(roles).toMatchObject({ admin: "admin", viewer: "viewer", editor: "editor", "second admin": "admin" });
    // The new admin can do what the bootstrap key can.
    expect((await cp.api("POST", "/v1/apiKeys", { displayName: "by second", projects: ["default"], role: "viewer" }, admin.keyString)).status).toBe(200);
    expect((await cp.api("GET", `${OTHER}/instances`, undefined, admin.keyString)).status).toBe(200);
  });

  it("refuses an admin key limited to projects, and an unknown role", async () => {
    expectInvalid(await cp.api("POST", "/v1/apiKeys", { displayName: "x", projects: ["default"], role: "admin" }), "projects");
    expectInvalid(await cp.api("POST", "/v1/apiKeys", { displayName: "x", projects: ["*", "default"], role: "admin" }), "projects");
    expectInvalid(await cp.api("POST", "/v1/apiKeys", { displayName: "x", projects: ["default"], role: "owner" }), "role");
  });

  it("keeps the bootstrap key an admin", async () => {
    expect((await cp.api("GET", "/v1/apiKeys/admin")).body).toMatchObject({ role: "admin", projects: ["*"] });
  });
});

describe("keys made before roles", () => {
  it("a row written without a role is an editor: changes its project, cannot manage keys", async () => {
    const secret = "cp_0123456789ab_old-style-key-from-before-roles";
    await cp.prisma.apiKey.create({ data: { id: "0123456789ab", name: "old", hash: hashKey(secret), projects: ["default"] } });
    expect((await cp.prisma.apiKey.findUniqueOrThrow({ where: { id: "0123456789ab" } })).role).toBe("editor");
    expect((await cp.api("POST", `${LOC}/instances?instanceId=by-old`, basic, secret)).status).toBe(200);
    expect((await cp.api("GET", `${LOC}/instances/by-old/authString`, undefined, secret)).status).toBe(200);
    expectDenied(await cp.api("GET", "/v1/apiKeys", undefined, secret), /role editor/);
    expect((await cp.api("GET", "/v1/apiKeys/0123456789ab")).body.role).toBe("editor");
  });
});

describe("secrets in reads", () => {
  const SECRET_FIELDS = new Set(["authString", "keyString", "password", "passwords", "secret", "privateKey", "sealedKey"]);

  /** Property names reachable from a schema, through $refs into the document's components. */
  function fieldNames(schema: any, doc: any, seen = new Set<string>()): string[] {
    if (!schema || typeof schema !== "object") return [];
    if (typeof schema.$ref === "string") {
      if (seen.has(schema.$ref)) return [];
      seen.add(schema.$ref);
      const target = schema.$ref
        .replace(/^#\//, "")
        .split("/")
        .reduce((o: any, k: string) => o?.[k], doc);
      return fieldNames(target, doc, seen);
    }
    const own = schema.properties ? Object.keys(schema.properties) : [];
    return [...own, ...Object.values(schema).flatMap((v) => (typeof v === "object" ? fieldNames(v, doc, seen) : []))];
  }

  it("only the AUTH string method answers a GET with a secret, and a viewer may not call it", async () => {
    const doc = (await fetch(`${cp.url}/openapi.json`).then((r) => r.json())) as any;
    const withSecrets = Object.values(doc.paths as Record<string, any>)
      .map((methods) => methods.get)
      .filter((op) => op && fieldNames(op.responses?.["200"], doc).some((f) => SECRET_FIELDS.has(f)))
      .map((op) => op.operationId);
    expect(withSecrets).toEqual(["getInstanceAuthString"]);
    const seen = await cp.api("GET", `${LOC}/instances/seen`, undefined, viewer);
    expect(JSON.stringify(seen.body)).not.toMatch(/authString/);
  });
});
