// Redis ACL users and ACLs on the native API, against the real api and Postgres (no worker: what
// the api decides and records; test/e2e/acl.test.ts has the nodes).
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { expectError, expectInvalid, LOC, rowOf } from "./maintenance-helpers.js";

let cp: TestControlPlane;
beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false });
});
afterAll(async () => {
  await cp?.stop();
});

const P1 = "first-password-0123456789";
const P2 = "second-password-0123456789";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const user = (accessString: string, passwords: string[] = [P1]) => ({ accessString, authenticationMode: { type: "PASSWORD", passwords } });
const createUser = (id: string, body: unknown) => cp.api("POST", `${LOC}/users?userId=${id}`, body);
const createAcl = (id: string, userNames: string[]) => cp.api("POST", `${LOC}/acls?aclId=${id}`, { userNames });
/** No password, nor its hash, anywhere in a response. */
const expectNoSecret = (body: unknown) => {
  const text = JSON.stringify(body);
  for (const secret of [P1, P2, sha(P1), sha(P2)]) expect(text).not.toContain(secret);
};

describe("users", () => {
  it("creates a user and shows it without its passwords, only how many", async () => {
    const created = await createUser("alice", user("on ~app:* +@read", [P1, P2]));
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: "projects/default/locations/local1/users/alice",
      accessString: "on ~app:* +@read",
      authenticationMode: { type: "PASSWORD", passwordCount: 2 },
      status: "ACTIVE",
      aclNames: [],
    });
    expect(created.body.authenticationMode.passwords).toBeUndefined();
    expectNoSecret(created.body);
    const got = await cp.api("GET", `${LOC}/users/alice`);
    expect(got.body).toEqual(created.body);
    expectNoSecret((await cp.api("GET", `${LOC}/users`)).body);
    // Stored: the SHA-256 Redis accepts, never the password.
    const row = await cp.prisma.redisUser.findFirstOrThrow({ where: { userId: "alice" } });
    expect(row.passwordHashes).toEqual([sha(P1), sha(P2)]);
    expectNoSecret({ accessString: row.accessString });
  });

  it("refuses a bad access string naming the rule, and passwords out of MemoryDB's bounds, never echoing them", async () => {
    const bad = async (accessString: string, rule: string) => {
      const res = await createUser("bad", user(accessString));
      expectInvalid(res, "accessString");
      expect(res.body.error.message).toContain(`'${rule}'`);
    };
    await bad("on ~* foo", "foo");
    await bad("on nopass ~*", "nopass");
    await bad(`on >${P1}`, ">…");
    expectNoSecret((await createUser("bad", user(`on >${P1}`))).body);
    await bad("on +@nosuch", "+@nosuch");
    await bad("on ~* ~app:*", "~app:*");
    await bad("on (~a +get)", "(~a");
    expectInvalid(await createUser("bad", { accessString: "" }), "accessString");

    const short = "short-pw-123";
    const res = await createUser("bad", user("on ~*", [short]));
    expectInvalid(res, "authenticationMode.passwords.0");
    expect(JSON.stringify(res.body)).not.toContain(short);
    expectInvalid(await createUser("bad", user("on ~*", ["x".repeat(129)])), "authenticationMode.passwords.0");
    expectInvalid(await createUser("bad", user("on ~*", [P1, P2, "third-password-0123456"])), "authenticationMode.passwords");
    expectInvalid(await createUser("bad", user("on ~*", [])), "authenticationMode.passwords");
    expectInvalid(await createUser("bad", user("on ~*", [P1, P1])), "authenticationMode.passwords");
    expectInvalid(await createUser("bad", { accessString: "on ~*", authenticationMode: { type: "PASSWORD" } }), "authenticationMode.passwords");
    expectInvalid(
      await createUser("bad", { accessString: "on ~*", authenticationMode: { type: "NO_PASSWORD", passwords: [P1] } }),
      "authenticationMode.passwords",
    );
    expectInvalid(await createUser("bad", { accessString: "on ~*" }), "authenticationMode");
    expectInvalid(await createUser("default", user("on ~*")), "userId");
    expectInvalid(await createUser("Bad_Name", user("on ~*")), "userId");
    expect(await cp.prisma.redisUser.count({ where: { userId: "bad" } })).toBe(0);
  });

  it("refuses a second user with the same id, and finds nothing it does not have", async () => {
    expectError(await createUser("alice", user("on ~*")), "ALREADY_EXISTS", 409);
    expectError(await cp.api("GET", `${LOC}/users/nobody`), "NOT_FOUND", 404);
    expectError(await cp.api("GET", "/v1/projects/default/locations/elsewhere/users/alice"), "NOT_FOUND", 404);
  });

  it("updates the access string and the passwords by updateMask", async () => {
    const patched = await cp.api("PATCH", `${LOC}/users/alice?updateMask=accessString`, { accessString: "on ~app:* +@read +@write" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ accessString: "on ~app:* +@read +@write", authenticationMode: { passwordCount: 2 } });
    const rotated = await cp.api("PATCH", `${LOC}/users/alice?updateMask=authentication_mode`, { authenticationMode: { type: "PASSWORD", passwords: [P2] } });
    expect(rotated.body.authenticationMode).toEqual({ type: "PASSWORD", passwordCount: 1 });
    expectNoSecret(rotated.body);
    expectInvalid(await cp.api("PATCH", `${LOC}/users/alice?updateMask=accessString`, { accessString: "on foo" }), "accessString");
    expectInvalid(await cp.api("PATCH", `${LOC}/users/alice?updateMask=accessString`, {}), "accessString");
    expectInvalid(await cp.api("PATCH", `${LOC}/users/alice?updateMask=name`, {}), "updateMask");
    const nopass = await cp.api("PATCH", `${LOC}/users/alice?updateMask=authenticationMode`, { authenticationMode: { type: "NO_PASSWORD" } });
    expect(nopass.body.authenticationMode).toEqual({ type: "NO_PASSWORD", passwordCount: 0 });
  });
});

describe("ACLs", () => {
  it("has open-access from the start, with no users, and it cannot be changed or deleted", async () => {
    const open = await cp.api("GET", `${LOC}/acls/open-access`);
    expect(open.body).toEqual({ name: "projects/default/locations/local1/acls/open-access", userNames: [], status: "ACTIVE", instances: [], clusters: [] });
    expectError(await createAcl("open-access", []), "ALREADY_EXISTS", 409);
    expectError(await cp.api("PATCH", `${LOC}/acls/open-access?updateMask=userNames`, { userNames: ["alice"] }), "FAILED_PRECONDITION", 400);
    expectError(await cp.api("DELETE", `${LOC}/acls/open-access`), "FAILED_PRECONDITION", 400);
  });

  it("is a named set of users that exist", async () => {
    await createUser("bob", user("on ~* +@all"));
    const created = await createAcl("team", ["alice", "bob"]);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: "projects/default/locations/local1/acls/team", userNames: ["alice", "bob"], instances: [], clusters: [] });
    expectError(await createAcl("ghosts", ["nobody"]), "NOT_FOUND", 404);
    expectInvalid(await createAcl("twice", ["bob", "bob"]), "userNames");
    expect((await cp.api("GET", `${LOC}/users/alice`)).body.aclNames).toEqual(["team"]);
    const list = await cp.api("GET", `${LOC}/acls`);
    expect(list.body.acls.map((a: any) => a.name.split("/").at(-1))).toEqual(["open-access", "team"]);
    const paged = await cp.api("GET", `${LOC}/acls?pageSize=1`);
    expect(paged.body.acls).toHaveLength(1);
    const rest = await cp.api("GET", `${LOC}/acls?pageSize=1&pageToken=${paged.body.nextPageToken}`);
    expect(rest.body.acls.map((a: any) => a.name.split("/").at(-1))).toEqual(["team"]);
  });

  it("instances and clusters name one at create and by PATCH; one that does not exist is NOT_FOUND", async () => {
    const made = await cp.api("POST", `${LOC}/instances?instanceId=with-acl`, { tier: "BASIC", memorySizeGb: 1, aclName: "team" });
    expect(made.status).toBe(200);
    expect((await cp.api("GET", `${LOC}/instances/with-acl`)).body.aclName).toBe("team");
    await cp.api("POST", `${LOC}/instances?instanceId=plain`, { tier: "BASIC", memorySizeGb: 1 });
    expect((await cp.api("GET", `${LOC}/instances/plain`)).body.aclName).toBe("open-access");
    expectError(await cp.api("POST", `${LOC}/instances?instanceId=nope`, { tier: "BASIC", memorySizeGb: 1, aclName: "nothing" }), "NOT_FOUND", 404);
    expectError(await cp.api("PATCH", `${LOC}/instances/plain?updateMask=aclName`, { aclName: "nothing" }), "NOT_FOUND", 404);
    const cluster = await cp.api("POST", `${LOC}/clusters?clusterId=c-acl`, { shardCount: 1, aclName: "team" });
    expect(cluster.status).toBe(200);
    expect((await cp.api("GET", `${LOC}/clusters/c-acl`)).body.aclName).toBe("team");
    // A cluster gets a secret for its default user at create, never shown.
    expect((await rowOf(cp, "CLUSTER", "c-acl")).authString).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify((await cp.api("GET", `${LOC}/clusters/c-acl`)).body)).not.toContain((await rowOf(cp, "CLUSTER", "c-acl")).authString!);
    const acl = await cp.api("GET", `${LOC}/acls/team`);
    expect(acl.body.instances).toEqual(["projects/default/locations/local1/instances/with-acl"]);
    expect(acl.body.clusters).toEqual(["projects/default/locations/local1/clusters/c-acl"]);
    expect((await cp.api("GET", `${LOC}/acls/open-access`)).body.instances).toContain("projects/default/locations/local1/instances/plain");
    const patched = await cp.api("PATCH", `${LOC}/instances/plain?updateMask=acl_name`, { aclName: "team" });
    expect(patched.status).toBe(200);
    expect(patched.body.metadata.verb).toBe("update");
  });

  it("a change to a user or an ACL is a new generation of every deployment using it (so it reaches their nodes)", async () => {
    const before = await Promise.all(["with-acl", "plain"].map((id) => rowOf(cp, "INSTANCE", id)));
    const other = await cp.api("POST", `${LOC}/instances?instanceId=bystander`, { tier: "BASIC", memorySizeGb: 1 });
    expect(other.status).toBe(200);
    const bystander = await rowOf(cp, "INSTANCE", "bystander");
    await cp.api("PATCH", `${LOC}/users/bob?updateMask=accessString`, { accessString: "on ~* +@read" });
    const after = await Promise.all(["with-acl", "plain"].map((id) => rowOf(cp, "INSTANCE", id)));
    expect(after.map((r, i) => r.generation - before[i]!.generation)).toEqual([1, 1]);
    expect(after[0]!.state).toBe(before[0]!.state); // no Operation, no state change
    expect((await rowOf(cp, "INSTANCE", "bystander")).generation).toBe(bystander.generation);
    const clusterBefore = (await rowOf(cp, "CLUSTER", "c-acl")).generation;
    await cp.api("PATCH", `${LOC}/acls/team?updateMask=userNames`, { userNames: ["bob"] });
    expect((await rowOf(cp, "CLUSTER", "c-acl")).generation).toBe(clusterBefore + 1);
    expect((await rowOf(cp, "INSTANCE", "with-acl")).generation).toBe(after[0]!.generation + 1);
  });

  it("refuses to delete an ACL in use; deleting a user takes it out of every ACL (MemoryDB)", async () => {
    const refused = await cp.api("DELETE", `${LOC}/acls/team`);
    expectError(refused, "FAILED_PRECONDITION", 400);
    expect(refused.body.error.message).toMatch(/in use by .*instances\/with-acl/);
    await createAcl("spare", ["bob"]);
    const gen = (await rowOf(cp, "INSTANCE", "with-acl")).generation;
    expect((await cp.api("DELETE", `${LOC}/users/bob`)).body).toEqual({});
    expect((await cp.api("GET", `${LOC}/acls/team`)).body.userNames).toEqual([]);
    expect((await cp.api("GET", `${LOC}/acls/spare`)).body.userNames).toEqual([]);
    expect((await rowOf(cp, "INSTANCE", "with-acl")).generation).toBe(gen + 1);
    expect((await cp.api("DELETE", `${LOC}/acls/spare`)).body).toEqual({});
    expectError(await cp.api("GET", `${LOC}/acls/spare`), "NOT_FOUND", 404);
  });
});

describe(":rotateAuthString", () => {
  it("needs authEnabled, and one rotation at a time; authEnabled cannot change meanwhile", async () => {
    expectError(await cp.api("POST", `${LOC}/instances/plain:rotateAuthString`), "FAILED_PRECONDITION", 400);
    await cp.api("POST", `${LOC}/instances?instanceId=authed`, { tier: "BASIC", memorySizeGb: 1, authEnabled: true });
    const before = await rowOf(cp, "INSTANCE", "authed");
    const res = await cp.api("POST", `${LOC}/instances/authed:rotateAuthString`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ done: false, metadata: { verb: "rotateAuthString", target: "projects/default/locations/local1/instances/authed" } });
    // The new string waits in the Operation's request (never shown) until every node has it.
    const op = await cp.prisma.operation.findFirstOrThrow({ where: { instanceUid: before.uid, verb: "rotateAuthString" } });
    const next = (op.request as { newAuthString: string }).newAuthString;
    expect(next).toMatch(/^[0-9a-f-]{36}$/);
    expect(next).not.toBe(before.authString);
    expect((await cp.api("GET", `${LOC}/instances/authed/authString`)).body.authString).toBe(before.authString);
    expect(JSON.stringify((await cp.api("GET", `/v1/${res.body.name}`)).body)).not.toContain(next);
    expectError(await cp.api("POST", `${LOC}/instances/authed:rotateAuthString`), "ABORTED", 409);
    expectError(await cp.api("PATCH", `${LOC}/instances/authed?updateMask=authEnabled`, { authEnabled: false }), "ABORTED", 409);
  });
});
