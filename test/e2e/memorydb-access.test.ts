// MemoryDB users, ACLs and tags through the real @aws-sdk/client-memorydb, on the same rows as the
// native API: CRUD with MemoryDB's shapes, faults and paging; the implicit `default` user and
// `open-access` ACL; a user made through the SDK logging in on every node of a cluster whose ACL
// holds it, and losing it when deleted; tags on every kind of resource; and no password, nor
// its SHA-256, in any answer.
import { createHash } from "node:crypto";
import {
  CreateACLCommand,
  CreateParameterGroupCommand,
  CreateSnapshotCommand,
  CreateSubnetGroupCommand,
  CreateUserCommand,
  DeleteACLCommand,
  DeleteUserCommand,
  DescribeACLsCommand,
  DescribeUsersCommand,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateACLCommand,
  UpdateUserCommand,
  type MemoryDBClient,
} from "@aws-sdk/client-memorydb";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { memorydbClient, waitFor, faultName, faultOf } from "../support/memorydb.js";

const LOC = "/v1/projects/default/locations/local1";
const P1 = "sdk-password-one-0123456789";
const P2 = "sdk-password-two-0123456789";
const P3 = "sdk-password-three-012345678";
const PASSWORDS = [P1, P2, P3];
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
/** What a cluster client needs, and reads and writes of app:* keys. */
const APP_ACCESS = "on ~app:* +@read +set +cluster|slots +cluster|info";
const arnOf = (type: string, name: string, project = "default") => `arn:aws:memorydb:local1:${project}:${type}/${name}`;

/** AUTH as the user on a node: "OK" or the first word of Redis's refusal. */
async function login(node: { host: string; port: number }, user: string, password: string) {
  const redis = new Redis({ host: node.host, port: node.port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.call("AUTH", user, password);
    return "OK";
  } catch (error) {
    return (error as Error).message.split(" ")[0]!;
  } finally {
    redis.disconnect();
  }
}

describe("MemoryDB users, ACLs and tags (process driver)", () => {
  let cp: TestControlPlane;
  let sdk: MemoryDBClient;
  /** Every answer and fault message the SDK got, for the secret sweep. */
  const seen: string[] = [];
  const send = async <T>(command: { input: unknown }): Promise<T> => {
    try {
      const out = await sdk.send(command as never);
      seen.push(JSON.stringify(out));
      return out as T;
    } catch (error) {
      seen.push(`${(error as Error).name}: ${(error as Error).message}`);
      throw error;
    }
  };

  beforeAll(async () => {
    cp = await startTestControlPlane({ driver: "process" });
    sdk = await memorydbClient(cp);
  });
  afterAll(async () => {
    sdk?.destroy();
    await cp?.stop();
  });

  it("creates, describes, pages, updates and refuses users as MemoryDB does", async () => {
    const created = await send<any>(
      new CreateUserCommand({
        UserName: "alice",
        AuthenticationMode: { Type: "password", Passwords: [P1, P2] },
        AccessString: APP_ACCESS,
        Tags: [{ Key: "team", Value: "a" }],
      }),
    );
    expect(created.User).toEqual({
      Name: "alice",
      Status: "active",
      AccessString: expect.stringContaining("~app:*"),
      ACLNames: [],
      MinimumEngineVersion: "6.2",
      Authentication: { Type: "password", PasswordCount: 2 },
      ARN: arnOf("user", "alice"),
    });
    // Its create-time tags, kept by the user's row.
    expect((await send<any>(new ListTagsCommand({ ResourceArn: arnOf("user", "alice") }))).TagList).toEqual([{ Key: "team", Value: "a" }]);
    for (const name of ["bob", "carol", "dave"]) {
      await send(new CreateUserCommand({ UserName: name, AuthenticationMode: { Type: "password", Passwords: [P3] }, AccessString: "on ~* +@read" }));
    }

    // The same row as the native API's.
    const native = await cp.api("GET", `${LOC}/users/alice`);
    expect(native.body.authenticationMode).toEqual({ type: "PASSWORD", passwordCount: 2 });

    const all = await send<any>(new DescribeUsersCommand({}));
    expect(all.Users.map((u: any) => u.Name)).toEqual(["alice", "bob", "carol", "dave", "default"]);
    expect(all.Users.find((u: any) => u.Name === "default")).toMatchObject({
      AccessString: "on ~* &* +@all",
      ACLNames: ["open-access"],
      Authentication: { Type: "no-password" },
    });

    // Pages of two, walked by NextToken, give every user once.
    const names: string[] = [];
    let token: string | undefined;
    do {
      const pageOut = await send<any>(new DescribeUsersCommand({ MaxResults: 2, NextToken: token }));
      expect(pageOut.Users.length).toBeLessThanOrEqual(2);
      names.push(...pageOut.Users.map((u: any) => u.Name));
      token = pageOut.NextToken;
    } while (token);
    expect(names).toEqual(["alice", "bob", "carol", "dave", "default"]);
    expect(await faultName(send(new DescribeUsersCommand({ NextToken: "not-a-token" })))).toBe("InvalidParameterValueException");

    expect((await send<any>(new DescribeUsersCommand({ Filters: [{ Name: "status", Values: ["active"] }] }))).Users).toHaveLength(5);
    expect(await faultName(send(new DescribeUsersCommand({ Filters: [{ Name: "colour", Values: ["x"] }] })))).toBe("InvalidParameterValueException");

    const updated = await send<any>(new UpdateUserCommand({ UserName: "bob", AccessString: "on ~b:* +get" }));
    expect(updated.User).toMatchObject({ Name: "bob", AccessString: "on ~b:* +get", Authentication: { Type: "password", PasswordCount: 1 } });
    const noPassword = await send<any>(new UpdateUserCommand({ UserName: "dave", AuthenticationMode: { Type: "no-password-required" as never } }));
    expect(noPassword.User.Authentication).toEqual({ Type: "no-password", PasswordCount: 0 });

    const create = (input: Partial<ConstructorParameters<typeof CreateUserCommand>[0]>) =>
      send(
        new CreateUserCommand({ UserName: "erin", AuthenticationMode: { Type: "password", Passwords: [P1] }, AccessString: "on ~* +@read", ...input } as never),
      );
    expect(await faultName(create({ UserName: "alice" }))).toBe("UserAlreadyExistsFault");
    expect(await faultName(create({ UserName: "default" }))).toBe("UserAlreadyExistsFault");
    expect(await faultName(create({ AuthenticationMode: { Type: "iam" } }))).toBe("InvalidParameterValueException");
    expect(await faultName(create({ AuthenticationMode: { Type: "password" } }))).toBe("InvalidParameterValueException");
    expect(await faultName(create({ AccessString: "on ~* +@nosuchcategory" }))).toBe("InvalidParameterValueException");
    expect(await faultName(create({ UserName: "Not_A_Name" }))).toBe("InvalidParameterValueException");
    expect(await faultName(create({ Tags: [{ Key: "aws:owner", Value: "x" }] }))).toBe("InvalidParameterValueException");
    const short = await faultOf(create({ AuthenticationMode: { Type: "password", Passwords: ["short-secret-1"] } }));
    expect(short).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringContaining("at least 16 characters") });
    expect(JSON.stringify(short)).not.toContain("short-secret-1");
    // None of the refused creates left a user behind.
    expect(await send<any>(new DescribeUsersCommand({ UserName: "erin" })).catch((e: Error) => e.name)).toBe("UserNotFoundFault");

    expect(await faultName(send(new UpdateUserCommand({ UserName: "nobody", AccessString: "on" })))).toBe("UserNotFoundFault");
    expect(await faultName(send(new UpdateUserCommand({ UserName: "default", AccessString: "off" })))).toBe("InvalidParameterValueException");
    expect(await faultName(send(new UpdateUserCommand({ UserName: "bob" })))).toBe("InvalidParameterCombinationException");
    expect(await faultName(send(new DeleteUserCommand({ UserName: "default" })))).toBe("InvalidParameterValueException");
    expect(await faultName(send(new DeleteUserCommand({ UserName: "nobody" })))).toBe("UserNotFoundFault");
    expect(await faultName(send(new DescribeUsersCommand({ UserName: "nobody" })))).toBe("UserNotFoundFault");
  });

  it("creates, describes, updates and refuses ACLs as MemoryDB does", async () => {
    const created = await send<any>(new CreateACLCommand({ ACLName: "team-a", UserNames: ["alice", "bob"] }));
    expect(created.ACL).toEqual({
      Name: "team-a",
      Status: "active",
      UserNames: ["alice", "bob"],
      MinimumEngineVersion: "6.2",
      PendingChanges: {},
      Clusters: [],
      ARN: arnOf("acl", "team-a"),
    });
    const acls = await send<any>(new DescribeACLsCommand({}));
    expect(acls.ACLs.map((a: any) => a.Name)).toEqual(["open-access", "team-a"]);
    expect(acls.ACLs[0]).toMatchObject({ Name: "open-access", UserNames: ["default"] });
    const paged = await send<any>(new DescribeACLsCommand({ MaxResults: 1 }));
    expect(paged.ACLs.map((a: any) => a.Name)).toEqual(["open-access"]);
    expect((await send<any>(new DescribeACLsCommand({ MaxResults: 1, NextToken: paged.NextToken }))).ACLs.map((a: any) => a.Name)).toEqual(["team-a"]);

    const users = await send<any>(new DescribeUsersCommand({ UserName: "alice" }));
    expect(users.Users[0].ACLNames).toEqual(["team-a"]);

    const updated = await send<any>(new UpdateACLCommand({ ACLName: "team-a", UserNamesToAdd: ["carol"], UserNamesToRemove: ["bob"] }));
    expect(updated.ACL.UserNames).toEqual(["alice", "carol"]);

    expect(await faultName(send(new CreateACLCommand({ ACLName: "team-a" })))).toBe("ACLAlreadyExistsFault");
    expect(await faultName(send(new CreateACLCommand({ ACLName: "open-access" })))).toBe("ACLAlreadyExistsFault");
    expect(await faultName(send(new CreateACLCommand({ ACLName: "team-b", UserNames: ["alice", "alice"] })))).toBe("DuplicateUserNameFault");
    expect(await faultName(send(new CreateACLCommand({ ACLName: "team-b", UserNames: ["nobody"] })))).toBe("UserNotFoundFault");
    expect(await faultName(send(new CreateACLCommand({ ACLName: "team-b", UserNames: ["default"] })))).toBe("InvalidParameterValueException");
    expect(await faultName(send(new UpdateACLCommand({ ACLName: "team-a", UserNamesToAdd: ["alice"] })))).toBe("DuplicateUserNameFault");
    expect(await faultName(send(new UpdateACLCommand({ ACLName: "team-a", UserNamesToRemove: ["bob"] })))).toBe("UserNotFoundFault");
    expect(await faultName(send(new UpdateACLCommand({ ACLName: "team-a", UserNamesToAdd: ["nobody"] })))).toBe("UserNotFoundFault");
    expect(await faultName(send(new UpdateACLCommand({ ACLName: "team-a" })))).toBe("InvalidParameterCombinationException");
    expect(await faultName(send(new UpdateACLCommand({ ACLName: "nothing", UserNamesToAdd: ["bob"] })))).toBe("ACLNotFoundFault");
    expect(await faultName(send(new UpdateACLCommand({ ACLName: "open-access", UserNamesToAdd: ["bob"] })))).toBe("InvalidACLStateFault");
    expect(await faultName(send(new DeleteACLCommand({ ACLName: "open-access" })))).toBe("InvalidParameterValueException");
    expect(await faultName(send(new DeleteACLCommand({ ACLName: "nothing" })))).toBe("ACLNotFoundFault");
    expect(await faultName(send(new DescribeACLsCommand({ ACLName: "nothing" })))).toBe("ACLNotFoundFault");
    // No refused create left an ACL behind.
    expect((await send<any>(new DescribeACLsCommand({}))).ACLs).toHaveLength(2);
  });

  it("puts an SDK user on every node of a cluster whose ACL holds it, and takes it off when deleted", async () => {
    const created = await cp.api("POST", `${LOC}/clusters?clusterId=access-c`, {
      shardCount: 2,
      replicaCount: 0,
      nodeType: "REDIS_SHARED_CORE_NANO",
      aclName: "team-a",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect((await cp.waitOperation(created.body.name, 60)).error).toBeUndefined();
    const cluster = (await cp.api("GET", `${LOC}/clusters/access-c`)).body;
    const nodes = cluster.shards.flatMap((s: any) => s.nodes) as { host: string; port: number }[];
    expect(nodes).toHaveLength(2);
    for (const node of nodes) {
      expect(await login(node, "alice", P1)).toBe("OK");
      expect(await login(node, "alice", P2)).toBe("OK");
      // bob left the ACL: not on the nodes.
      expect(await login(node, "bob", P3)).toBe("WRONGPASS");
    }

    const acl = (await send<any>(new DescribeACLsCommand({ ACLName: "team-a" }))).ACLs[0];
    expect(acl.Clusters).toEqual(["access-c"]);
    expect(await faultName(send(new DeleteACLCommand({ ACLName: "team-a" })))).toBe("InvalidACLStateFault");

    // A new password through the SDK is on every node within seconds; the old ones are not.
    const started = Date.now();
    await send(new UpdateUserCommand({ UserName: "alice", AuthenticationMode: { Type: "password", Passwords: [P3] } }));
    for (const node of nodes)
      await waitFor(
        () => login(node, "alice", P3),
        (r) => r === "OK",
        10_000,
        50,
      );
    console.log(`UpdateUser password on ${nodes.length} nodes in ${Date.now() - started} ms`);
    for (const node of nodes) expect(await login(node, "alice", P1)).toBe("WRONGPASS");

    const deleted = await send<any>(new DeleteUserCommand({ UserName: "alice" }));
    expect(deleted.User).toMatchObject({ Name: "alice", Status: "deleting" });
    for (const node of nodes)
      await waitFor(
        () => login(node, "alice", P3),
        (r) => r === "WRONGPASS",
        10_000,
        50,
      );
    expect((await send<any>(new DescribeACLsCommand({ ACLName: "team-a" }))).ACLs[0].UserNames).toEqual(["carol"]);
  });

  it("tags every kind of resource by its ARN, with MemoryDB's limits and faults", async () => {
    await send(new CreateParameterGroupCommand({ ParameterGroupName: "tagged-params", Family: "memorydb_redis7" }));
    await send(new CreateSubnetGroupCommand({ SubnetGroupName: "tagged-subnets", SubnetIds: ["subnet-local1a"] }));
    // A snapshot is a native backup of the cluster; its tags are kept by the backup's row.
    await send(new CreateSnapshotCommand({ ClusterName: "access-c", SnapshotName: "tagged-snap", Tags: [{ Key: "made", Value: "now" }] }));
    expect((await send<any>(new ListTagsCommand({ ResourceArn: arnOf("snapshot", "tagged-snap") }))).TagList).toEqual([{ Key: "made", Value: "now" }]);
    await send(new UntagResourceCommand({ ResourceArn: arnOf("snapshot", "tagged-snap"), TagKeys: ["made"] }));
    const resources = [
      arnOf("user", "carol"),
      arnOf("acl", "team-a"),
      arnOf("cluster", "access-c"),
      arnOf("snapshot", "tagged-snap"),
      arnOf("parametergroup", "tagged-params"),
      arnOf("subnetgroup", "tagged-subnets"),
    ];
    for (const arn of resources) {
      const tagged = await send<any>(
        new TagResourceCommand({
          ResourceArn: arn,
          Tags: [
            { Key: "env", Value: "test" },
            { Key: "owner", Value: "me" },
          ],
        }),
      );
      expect(tagged.TagList, arn).toEqual([
        { Key: "env", Value: "test" },
        { Key: "owner", Value: "me" },
      ]);
      // A key tagged again takes the new value.
      await send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "env", Value: "prod" }] }));
      const untagged = await send<any>(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["owner"] }));
      expect(untagged.TagList, arn).toEqual([{ Key: "env", Value: "prod" }]);
      expect((await send<any>(new ListTagsCommand({ ResourceArn: arn }))).TagList, arn).toEqual([{ Key: "env", Value: "prod" }]);
      expect(await faultName(send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["owner"] }))), arn).toBe("TagNotFoundFault");
    }

    const user = arnOf("user", "carol");
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    expect(await faultName(send(new TagResourceCommand({ ResourceArn: user, Tags: many })))).toBe("TagQuotaPerResourceExceeded");
    expect((await send<any>(new ListTagsCommand({ ResourceArn: user }))).TagList).toHaveLength(1);
    expect(await faultName(send(new TagResourceCommand({ ResourceArn: user, Tags: [{ Key: "aws:x", Value: "v" }] })))).toBe("InvalidParameterValueException");

    // Nothing of another account (project) or region, nor a resource that is not there.
    expect(await faultName(send(new ListTagsCommand({ ResourceArn: arnOf("user", "carol", "other") })))).toBe("UserNotFoundFault");
    expect(await faultName(send(new ListTagsCommand({ ResourceArn: "arn:aws:memorydb:us-east-1:default:cluster/access-c" })))).toBe("ClusterNotFoundFault");
    expect(await faultName(send(new ListTagsCommand({ ResourceArn: arnOf("cluster", "nothing") })))).toBe("ClusterNotFoundFault");
    expect(await faultName(send(new ListTagsCommand({ ResourceArn: arnOf("snapshot", "nothing") })))).toBe("SnapshotNotFoundFault");
    expect(await faultName(send(new ListTagsCommand({ ResourceArn: arnOf("acl", "nothing") })))).toBe("ACLNotFoundFault");
    expect(await faultName(send(new ListTagsCommand({ ResourceArn: arnOf("parametergroup", "nothing") })))).toBe("ParameterGroupNotFoundFault");
    expect(await faultName(send(new ListTagsCommand({ ResourceArn: arnOf("subnetgroup", "nothing") })))).toBe("SubnetGroupNotFoundFault");
    expect(await faultName(send(new ListTagsCommand({ ResourceArn: "not-an-arn" })))).toBe("InvalidARNFault");
    // The implicit resources list none and take none.
    expect((await send<any>(new ListTagsCommand({ ResourceArn: arnOf("acl", "open-access") }))).TagList).toEqual([]);
    expect(await faultName(send(new TagResourceCommand({ ResourceArn: arnOf("user", "default"), Tags: [{ Key: "a", Value: "b" }] })))).toBe(
      "InvalidParameterValueException",
    );

    // A user made again under a deleted one's name starts untagged.
    await send(
      new CreateUserCommand({
        UserName: "frank",
        AuthenticationMode: { Type: "password", Passwords: [P1] },
        AccessString: "on",
        Tags: [{ Key: "gen", Value: "1" }],
      }),
    );
    expect((await send<any>(new ListTagsCommand({ ResourceArn: arnOf("user", "frank") }))).TagList).toEqual([{ Key: "gen", Value: "1" }]);
    await send(new DeleteUserCommand({ UserName: "frank" }));
    await send(new CreateUserCommand({ UserName: "frank", AuthenticationMode: { Type: "password", Passwords: [P1] }, AccessString: "on" }));
    expect((await send<any>(new ListTagsCommand({ ResourceArn: arnOf("user", "frank") }))).TagList).toEqual([]);
  });

  it("shows no password nor its hash in any answer", async () => {
    const native = JSON.stringify([(await cp.api("GET", `${LOC}/users`)).body, (await cp.api("GET", `${LOC}/acls`)).body]);
    const everything = [...seen, native].join("\n");
    expect(seen.length).toBeGreaterThan(50);
    for (const password of PASSWORDS) {
      expect(everything).not.toContain(password);
      expect(everything).not.toContain(sha(password));
    }
  });
});
