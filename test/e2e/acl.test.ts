// Redis ACL users and ACLs end to end, on both drivers: an ACL-restricted user on every node of a
// cluster (denied forbidden commands and keys, allowed the rest), after a failover and after a
// node restart; a change reaching every node within a second, as an event; password rotation
// with two passwords; a rule the engine refuses; no password in any GET, list or event; and an
// instance's AUTH string, which keeps working beside ACL users and rotates with a client
// reconnecting in a loop that never fails; an instance moved back to open-access by PATCH.
import { createHash } from "node:crypto";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { killNode, runningFor } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";

const LOC = "/v1/projects/default/locations/local1";
const P1 = "app-password-one-0123456789";
const P2 = "app-password-two-0123456789";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
/** GET and SET on app:* keys, and what a cluster client needs to find the slots. */
const APP_ACCESS = "on ~app:* +@read +set +cluster|slots +cluster|info";

type Node = { id: string; host: string; port: number };

/** One connection, optionally AUTH'd; `run` answers "OK" or the first word of Redis's error. */
async function session(node: Node, auth?: [string, string] | [string]) {
  const redis = new Redis({
    host: node.host,
    port: node.port,
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  redis.on("error", () => undefined);
  await redis.connect();
  const run = async (...command: string[]) => {
    try {
      await redis.call(command[0]!, ...command.slice(1));
      return "OK";
    } catch (err) {
      return (err as Error).message.split(" ")[0]!;
    }
  };
  const authed = auth ? await run("AUTH", ...auth) : "OK";
  return { run, authed, close: () => redis.disconnect() };
}

/** Whether a login works: "OK" or the first word of Redis's refusal. */
async function login(node: Node, auth: [string, string] | [string]) {
  const s = await session(node, auth);
  s.close();
  return s.authed;
}

/** What a node lets `app` do: allowed ("OK", or MOVED on a node that does not own the slot:
 *  the ACL check comes first in Redis) or NOPERM. */
async function appRights(node: Node, password = P1) {
  const s = await session(node, ["app", password]);
  try {
    const allowed = (r: string) => (r === "OK" || r === "MOVED" ? "allowed" : r);
    return {
      login: s.authed,
      get: allowed(await s.run("GET", "app:1")),
      otherKey: allowed(await s.run("GET", "other:1")),
      del: allowed(await s.run("DEL", "app:1")),
      flushall: allowed(await s.run("FLUSHALL")),
    };
  } finally {
    s.close();
  }
}
const RESTRICTED = { login: "OK", get: "allowed", otherKey: "NOPERM", del: "NOPERM", flushall: "NOPERM" };

const clusterNodes = (c: any): Node[] => c.shards.flatMap((s: any) => s.nodes);

describe.each(DRIVERS)("ACL users with the %s driver", (driver) => {
  let cp: TestControlPlane;
  let cluster: any;
  const events = async (kind: "clusters" | "instances", id: string) =>
    (await cp.api("GET", `${LOC}/${kind}/${id}/events?pageSize=200`)).body.events as { type: string; message: string }[];
  const waitActive = (id: string, check: (c: any) => boolean = () => true) =>
    waitFor(
      `${id} ACTIVE`,
      async () => {
        const c = (await cp.api("GET", `${LOC}/clusters/${id}`)).body;
        return c.state === "ACTIVE" && clusterNodes(c).every((n: any) => n.state === "READY") && check(c) ? c : false;
      },
      60_000,
      50,
    );
  const everyNode = async (nodes: Node[], password = P1) => Object.fromEntries(await Promise.all(nodes.map(async (n) => [n.id, await appRights(n, password)])));

  beforeAll(async () => {
    cp = await startTestControlPlane({ driver });
    expect((await cp.api("POST", `${LOC}/users?userId=app`, { accessString: APP_ACCESS, authenticationMode: { passwords: [P1] } })).status).toBe(200);
    expect((await cp.api("POST", `${LOC}/acls?aclId=apps`, { userNames: ["app"] })).status).toBe(200);
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it("gives every node of a cluster the ACL's user: forbidden commands and keys denied, the rest allowed, the default user closed", async () => {
    const created = await cp.api("POST", `${LOC}/clusters?clusterId=acl-c`, {
      shardCount: 2,
      replicaCount: 1,
      nodeType: "REDIS_SHARED_CORE_NANO",
      aclName: "apps",
    });
    expect(created.status).toBe(200);
    expect((await cp.waitOperation(created.body.name, 60)).error).toBeUndefined();
    cluster = await waitActive("acl-c");
    expect(cluster.aclName).toBe("apps");
    const nodes = clusterNodes(cluster);
    expect(nodes).toHaveLength(4);
    for (const rights of Object.values(await everyNode(nodes))) expect(rights).toEqual(RESTRICTED);
    for (const node of nodes) {
      const anonymous = await session(node);
      expect(await anonymous.run("GET", "app:1")).toBe("NOAUTH"); // no client is the default user any more
      anonymous.close();
      expect((await appRights(node, "wrong-password-0123456789")).login).toBe("WRONGPASS");
    }
    // A real cluster client, as the user, through the discovery endpoint.
    const { address, port } = cluster.discoveryEndpoints[0];
    const client = new Cluster([{ host: address, port }], {
      redisOptions: { username: "app", password: P1, connectTimeout: 1000, enableReadyCheck: false },
      slotsRefreshTimeout: 2000,
    });
    client.on("error", () => undefined);
    try {
      for (let i = 0; i < 40; i++) await client.set(`app:${i}`, String(i));
      expect(await client.get("app:7")).toBe("7");
      await expect(client.set("other:1", "x")).rejects.toThrow(/NOPERM/);
    } finally {
      client.disconnect();
    }
    const applied = (await events("clusters", "acl-c")).filter((e) => e.type === "ACL_APPLIED");
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.some((e) => /user\(s\) app set/.test(e.message))).toBe(true);
  });

  it("keeps the user working after a shard failover and after a node restart", async () => {
    const before = cluster.shards[0].nodes.find((n: any) => n.role === "PRIMARY");
    const res = await cp.api("POST", `${LOC}/clusters/acl-c:failoverShard`, { shard: "0001" });
    expect(res.status).toBe(200);
    expect((await cp.waitOperation(res.body.name, 60)).error).toBeUndefined();
    cluster = await waitActive("acl-c", (c) => c.shards[0].nodes.find((n: any) => n.role === "PRIMARY").id !== before.id);
    for (const rights of Object.values(await everyNode(clusterNodes(cluster)))) expect(rights).toEqual(RESTRICTED);

    // A replica killed as a crash would: the control plane starts it again, with its aclfile.
    const replica = cluster.shards[1].nodes.find((n: any) => n.role === "REPLICA");
    const [was] = await runningFor(cp, replica.id);
    await killNode(cp, replica.id);
    await waitFor(
      "the replica restarted",
      async () => {
        const [now] = await runningFor(cp, replica.id);
        return now && now.incarnation !== was!.incarnation;
      },
      30_000,
    );
    cluster = await waitActive("acl-c");
    expect(await appRights(replica)).toEqual(RESTRICTED);
  });

  it("a change to the user reaches every node within a second, as an event", async () => {
    const nodes = clusterNodes(cluster);
    const sessions = await Promise.all(nodes.map((n) => session(n, ["app", P1])));
    try {
      expect(await sessions[0]!.run("DEL", "app:probe")).toBe("NOPERM");
      const started = Date.now();
      const res = await cp.api("PATCH", `${LOC}/users/app?updateMask=accessString`, { accessString: `${APP_ACCESS} +del` });
      expect(res.status).toBe(200);
      // Sessions already open see it too: Redis checks every command against the user as it is now.
      await waitFor(
        "DEL allowed on every node",
        async () => {
          const answers = await Promise.all(sessions.map((s) => s.run("DEL", "app:probe")));
          return answers.every((a) => a === "OK" || a === "MOVED");
        },
        5_000,
        10,
      );
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(2_000);
    } finally {
      for (const s of sessions) s.close();
    }
    await waitFor("the ACL_APPLIED event", async () => (await events("clusters", "acl-c")).filter((e) => e.type === "ACL_APPLIED").length >= 2);
    expect((await cp.api("GET", `${LOC}/clusters/acl-c`)).body.state).toBe("ACTIVE");
  });

  it("two passwords let clients move to a new one without a failed login; then the old one stops working", async () => {
    const nodes = clusterNodes(cluster);
    let failures = 0;
    let logins = 0;
    let running = true;
    // A client that keeps logging in with the old password until the new one works everywhere.
    const loop = (async () => {
      while (running) {
        for (const node of nodes) {
          const s = await session(node, ["app", P1]);
          logins++;
          if (s.authed !== "OK") failures++;
          s.close();
        }
      }
    })();
    try {
      const both = await cp.api("PATCH", `${LOC}/users/app?updateMask=authenticationMode`, { authenticationMode: { type: "PASSWORD", passwords: [P1, P2] } });
      expect(both.body.authenticationMode).toEqual({ type: "PASSWORD", passwordCount: 2 });
      await waitFor(
        "the new password on every node",
        async () => (await Promise.all(nodes.map((n) => appRights(n, P2)))).every((r) => r.login === "OK"),
        5_000,
      );
    } finally {
      running = false;
      await loop;
    }
    expect(logins).toBeGreaterThan(0);
    expect(failures).toBe(0);
    await cp.api("PATCH", `${LOC}/users/app?updateMask=authenticationMode`, { authenticationMode: { passwords: [P2] } });
    await waitFor(
      "the old password refused everywhere",
      async () => (await Promise.all(nodes.map((n) => appRights(n, P1)))).every((r) => r.login === "WRONGPASS"),
      5_000,
    );
    for (const node of nodes) expect((await appRights(node, P2)).login).toBe("OK");
  });

  it("a rule the engine refuses disables that user (ACL_REJECTED), not a retry loop; in-use ACLs stay; no password is shown anywhere", async () => {
    await cp.api("POST", `${LOC}/users?userId=typo`, { accessString: "on ~* +nosuchcommand", authenticationMode: { passwords: [P1] } });
    await cp.api("PATCH", `${LOC}/acls/apps?updateMask=userNames`, { userNames: ["app", "typo"] });
    const rejected = await waitFor("ACL_REJECTED", async () => (await events("clusters", "acl-c")).find((e) => e.type === "ACL_REJECTED"));
    expect(rejected.message).toMatch(/^User typo was refused by 4 node\(s\) .*nosuchcommand/);
    cluster = await waitActive("acl-c");
    expect(await login(clusterNodes(cluster)[0]!, ["typo", P1])).toBe("WRONGPASS");
    expect((await appRights(clusterNodes(cluster)[0]!, P2)).login).toBe("OK");
    expect((await events("clusters", "acl-c")).filter((e) => e.type === "ACL_REJECTED")).toHaveLength(1);

    const refused = await cp.api("DELETE", `${LOC}/acls/apps`);
    expect(refused.body.error.status).toBe("FAILED_PRECONDITION");

    const shown = JSON.stringify([
      (await cp.api("GET", `${LOC}/users/app`)).body,
      (await cp.api("GET", `${LOC}/users`)).body,
      (await cp.api("GET", `${LOC}/acls`)).body,
      (await cp.api("GET", `${LOC}/acls/apps`)).body,
      (await cp.api("GET", `${LOC}/clusters/acl-c`)).body,
      await events("clusters", "acl-c"),
    ]);
    for (const secret of [P1, P2, sha(P1), sha(P2)]) expect(shown).not.toContain(secret);
  });

  it("an instance keeps its AUTH string beside ACL users, and rotates it with a client reconnecting in a loop never failing", async () => {
    const created = await cp.api("POST", `${LOC}/instances?instanceId=acl-i`, {
      tier: "STANDARD_HA",
      memorySizeGb: 1,
      replicaCount: 1,
      authEnabled: true,
      aclName: "apps",
    });
    expect((await cp.waitOperation(created.body.name, 60)).error).toBeUndefined();
    const instance = (await cp.api("GET", `${LOC}/instances/acl-i`)).body;
    const endpoint = { id: "endpoint", host: instance.host, port: instance.port };
    const oldString = (await cp.api("GET", `${LOC}/instances/acl-i/authString`)).body.authString as string;
    expect(await appRights(endpoint, P2)).toEqual({ ...RESTRICTED, del: "allowed" });
    const admin = await session(endpoint, [oldString]);
    expect(admin.authed).toBe("OK");
    expect(await admin.run("SET", "other:1", "x")).toBe("OK"); // the AUTH string is the default user: everything
    admin.close();

    // Reads the AUTH string when it connects, as a client given it by a secret store would.
    let failures = 0;
    let logins = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        const authString = (await cp.api("GET", `${LOC}/instances/acl-i/authString`)).body.authString as string;
        const s = await session(endpoint, [authString]);
        logins++;
        if (s.authed !== "OK" || (await s.run("GET", "other:1")) !== "OK") failures++;
        s.close();
      }
    })();
    try {
      const res = await cp.api("POST", `${LOC}/instances/acl-i:rotateAuthString`);
      expect(res.status).toBe(200);
      const op = await cp.waitOperation(res.body.name, 30);
      expect(op.error).toBeUndefined();
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      running = false;
      await loop;
    }
    expect(logins).toBeGreaterThan(10);
    expect(failures).toBe(0);
    const newString = (await cp.api("GET", `${LOC}/instances/acl-i/authString`)).body.authString as string;
    expect(newString).not.toBe(oldString);
    expect(await login(endpoint, [oldString])).toBe("WRONGPASS");
    expect(await login(endpoint, [newString])).toBe("OK");
    const after = await waitFor("acl-i READY", async () => {
      const i = (await cp.api("GET", `${LOC}/instances/acl-i`)).body;
      return i.state === "READY" && i.nodes.every((n: any) => n.state === "READY") ? i : false;
    });
    // The replica follows its primary with the new string (masterauth).
    const replica = after.nodes.find((n: any) => n.role === "REPLICA");
    const probe = new Redis({
      host: replica.host,
      port: replica.port,
      password: newString,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => undefined);
    await probe.connect();
    expect(await probe.info("replication")).toMatch(/master_link_status:up/);
    probe.disconnect();
    const types = (await events("instances", "acl-i")).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["AUTH_STRING_ROTATION_REQUESTED", "AUTH_STRING_ROTATED"]));
    expect(JSON.stringify(await events("instances", "acl-i"))).not.toContain(newString);

    // Back to open-access by PATCH: the ACL's users leave the nodes, the AUTH string stays.
    const switched = await cp.api("PATCH", `${LOC}/instances/acl-i?updateMask=aclName`, { aclName: "open-access" });
    expect((await cp.waitOperation(switched.body.name, 30)).error).toBeUndefined();
    expect((await appRights(endpoint, P2)).login).toBe("WRONGPASS");
    expect(await login(endpoint, [newString])).toBe("OK");
  });
});
