// The project audit log against the real api and Postgres: which key did what, with which
// requestId and outcome, newest first and paged, and never a body, a key or an AUTH string.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { expectError, expectInvalid } from "./maintenance-helpers.js";

const LOC = "/v1/projects/default/locations/local1";
const LOGS = "/v1/projects/default/auditLogs";
const BODY_MARKER = "body-marker-never-logged";
let cp: TestControlPlane;
const keys: Record<"owner" | "viewer" | "outsider", { id: string; secret: string }> = {} as never;
let createOp: string;
let deleteOp: string;
let authString: string;

beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false });
  for (const [who, projects, role] of [
    ["owner", ["default"], "editor"],
    ["viewer", ["default"], "viewer"],
    ["outsider", ["other"], "editor"],
  ] as const) {
    const res = await cp.api("POST", "/v1/apiKeys", { displayName: who, projects, role });
    keys[who] = { id: res.body.name.replace("apiKeys/", ""), secret: res.body.keyString };
  }
  const body = { tier: "BASIC", memorySizeGb: 1, authEnabled: true, displayName: BODY_MARKER, labels: { marker: BODY_MARKER } };
  const created = await cp.api("POST", `${LOC}/instances?instanceId=audited&requestId=req-create-1`, body, keys.owner.secret);
  expect(created.status).toBe(200);
  createOp = created.body.name;
  const refused = await cp.api("POST", `${LOC}/instances?instanceId=refused&requestId=req-refused-1`, body, keys.viewer.secret);
  expect(refused.status).toBe(403);
  const auth = await cp.api("GET", `${LOC}/instances/audited/authString`, undefined, keys.owner.secret);
  expect(auth.status).toBe(200);
  authString = auth.body.authString;
  expect(authString).toBeTruthy();
  // Reads are not recorded.
  expect((await cp.api("GET", `${LOC}/instances/audited`, undefined, keys.owner.secret)).status).toBe(200);
  const deleted = await cp.api("DELETE", `${LOC}/instances/audited?requestId=req-delete-1`, undefined, keys.owner.secret);
  expect(deleted.status).toBe(200);
  deleteOp = deleted.body.name;
});
afterAll(async () => {
  await cp?.stop();
});

describe("audit log", () => {
  it("records each change (refusals and secret reads too) with its key, operation, status and requestId, newest first, in pages", async () => {
    const first = await cp.api("GET", `${LOGS}?pageSize=2`, undefined, keys.viewer.secret);
    expect(first.status).toBe(200);
    expect(first.body.nextPageToken).toBeTruthy();
    const second = await cp.api("GET", `${LOGS}?pageSize=2&pageToken=${first.body.nextPageToken}`, undefined, keys.viewer.secret);
    expect(second.status).toBe(200);
    expect(second.body.nextPageToken).toBeUndefined();
    const entries = [...first.body.auditLogs, ...second.body.auditLogs];
    expect(entries).toEqual([
      {
        time: expect.any(String),
        apiKey: `apiKeys/${keys.owner.id}`,
        method: "DELETE",
        operation: "deleteInstance",
        resource: `${LOC}/instances/audited`,
        requestId: "req-delete-1",
        status: 200,
        operationName: deleteOp,
      },
      {
        time: expect.any(String),
        apiKey: `apiKeys/${keys.owner.id}`,
        method: "GET",
        operation: "getInstanceAuthString",
        resource: `${LOC}/instances/audited/authString`,
        status: 200,
      },
      {
        time: expect.any(String),
        apiKey: `apiKeys/${keys.viewer.id}`,
        method: "POST",
        operation: "createInstance",
        resource: `${LOC}/instances`,
        requestId: "req-refused-1",
        status: 403,
      },
      {
        time: expect.any(String),
        apiKey: `apiKeys/${keys.owner.id}`,
        method: "POST",
        operation: "createInstance",
        resource: `${LOC}/instances`,
        requestId: "req-create-1",
        status: 200,
        operationName: createOp,
      },
    ]);
    const times = entries.map((e) => Date.parse(e.time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("holds no request body, key or AUTH string, in the API's answer or in the table", async () => {
    const served = JSON.stringify((await cp.api("GET", LOGS, undefined, keys.owner.secret)).body);
    const stored = JSON.stringify(await cp.prisma.auditLog.findMany(), (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    for (const text of [served, stored]) {
      expect(text).toContain(keys.owner.id);
      for (const secret of [authString, keys.owner.secret, keys.viewer.secret, BODY_MARKER, "memorySizeGb"]) expect(text).not.toContain(secret);
    }
  });

  it("filters by operation, key and status", async () => {
    const list = async (filter: string) =>
      (await cp.api("GET", `${LOGS}?filter=${encodeURIComponent(filter)}`, undefined, keys.viewer.secret)).body.auditLogs.map(
        (e: any) => e.requestId ?? e.operation,
      );
    expect(await list('operation = "createInstance"')).toEqual(["req-refused-1", "req-create-1"]);
    expect(await list(`apiKey = "apiKeys/${keys.viewer.id}"`)).toEqual(["req-refused-1"]);
    expect(await list("status >= 400")).toEqual(["req-refused-1"]);
    expect(await list('status < 400 AND method != "GET"')).toEqual(["req-delete-1", "req-create-1"]);
    expectInvalid(await cp.api("GET", `${LOGS}?filter=colour%3Dblue`), "filter");
    expectInvalid(await cp.api("GET", `${LOGS}?filter=operation%20%3E%20x`), "filter");
    expectInvalid(await cp.api("GET", `${LOGS}?pageToken=bogus`), "pageToken");
  });

  it("is the project's own: another project's key may not read it, and its attempts land in the project it named", async () => {
    expectError(await cp.api("GET", LOGS, undefined, keys.outsider.secret), "PERMISSION_DENIED", 403);
    expectError(await cp.api("DELETE", `${LOC}/instances/x?requestId=req-outsider-1`, undefined, keys.outsider.secret), "PERMISSION_DENIED", 403);
    const newest = (await cp.api("GET", `${LOGS}?pageSize=1`)).body.auditLogs[0];
    expect(newest).toMatchObject({ apiKey: `apiKeys/${keys.outsider.id}`, operation: "deleteInstance", status: 403, requestId: "req-outsider-1" });
    expect((await cp.api("GET", "/v1/projects/other/auditLogs", undefined, keys.outsider.secret)).body.auditLogs).toEqual([]);
  });
});
