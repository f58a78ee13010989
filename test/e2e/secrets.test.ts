// The secret sweep: a run that makes every kind of secret the control plane holds (an API key and
// its AWS-style signing secret,
// an AUTH string and its rotated successor, the master key that wraps backup and CA keys, an ACL
// user's password, a TLS node's private key), then uses the instances every way a client would
// (reads, lists, events, a failover, a resize, a backup, a node restart, the audit log, deletes), with every log line of the api (pino at trace), the worker and the drivers
// captured, every response body kept, and the nodes' own logs read at the end. No secret may
// appear anywhere but the one response that exists to return it.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import Dockerode from "dockerode";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCKER_LABELS } from "@cacheplane/runtime";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { explained } from "../support/diagnose.js";
import { killNode } from "../support/nodes.js";
import { waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";
import { CreateUserCommand, DescribeACLsCommand, DescribeClustersCommand, DescribeUsersCommand, type MemoryDBClient } from "@aws-sdk/client-memorydb";
import { clientFor } from "../support/memorydb.js";

const LOC = "/v1/projects/secrets/locations/local1";

describe.each(DRIVERS)("no secret leaks, with the %s driver", (driver) => {
  let cp: TestControlPlane;
  const logs: string[] = [];
  /** Every response body, except those whose job is to return a secret once. */
  const bodies: string[] = [];
  const nodeLogs: string[] = [];

  beforeAll(async () => {
    cp = await startTestControlPlane({ driver, logSink: (line) => logs.push(line) });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  async function call(method: string, path: string, body?: unknown, key?: string, returnsSecret = false) {
    const res = await cp.api(method, path, body, key);
    if (!returnsSecret) bodies.push(JSON.stringify(res.body ?? null));
    return res;
  }

  /** What the nodes themselves logged (redis.log files, or container logs), read before they go. */
  async function collectNodeLogs() {
    if (driver === "process") {
      for (const dir of await readdir(cp.nodesRoot).catch(() => [] as string[])) {
        nodeLogs.push(await readFile(join(cp.nodesRoot, dir, "redis.log"), "utf8").catch(() => ""));
      }
      return;
    }
    const docker = new Dockerode();
    for (const c of await docker.listContainers({ all: true, filters: { label: [`${DOCKER_LABELS.root}=${cp.nodesRoot}`] } })) {
      nodeLogs.push(String(await docker.getContainer(c.Id).logs({ stdout: true, stderr: true })));
    }
  }

  it("keeps every secret out of every log line, response, event and node log", async () => {
    const created = await call("POST", "/v1/apiKeys", { displayName: "sweep", projects: ["secrets"], role: "editor" }, undefined, true);
    expect(created.status).toBe(200);
    const apiKey: string = created.body.keyString;
    const awsSecret: string = created.body.awsCredentials.secretAccessKey;
    // The MemoryDB API signed with that secret: reads, a user with a password, a refused signature.
    const memorydb: MemoryDBClient = clientFor(cp, created.body.awsCredentials);
    const mdbPassword = "sweep-memorydb-password-0123";
    const mdbAnswers: unknown[] = [];
    mdbAnswers.push(
      await memorydb.send(
        new CreateUserCommand({ UserName: "mdb-sweeper", AccessString: "on ~* +@all", AuthenticationMode: { Type: "password", Passwords: [mdbPassword] } }),
      ),
    );
    for (const command of [new DescribeUsersCommand({}), new DescribeACLsCommand({}), new DescribeClustersCommand({})])
      mdbAnswers.push(await memorydb.send(command as never));
    const forged = clientFor(cp, { accessKeyId: created.body.awsCredentials.accessKeyId, secretAccessKey: `${awsSecret}x` });
    mdbAnswers.push(await forged.send(new DescribeUsersCommand({})).catch((e: Error) => ({ name: e.name, message: e.message })));
    expect((mdbAnswers[mdbAnswers.length - 1] as { name: string }).name).toBe("InvalidSignatureException");
    bodies.push(...mdbAnswers.map((a) => JSON.stringify(a)));

    const op = await call("POST", `${LOC}/instances?instanceId=sweep`, { tier: "STANDARD_HA", replicaCount: 1, memorySizeGb: 1, authEnabled: true }, apiKey);
    expect((await explained(cp, "sweep", cp.waitOperation(op.body.name, 60))).error).toBeUndefined();
    const auth = await call("GET", `${LOC}/instances/sweep/authString`, undefined, apiKey, true);
    const authString: string = auth.body.authString;
    expect(authString.length).toBeGreaterThan(8);

    const instance = (await call("GET", `${LOC}/instances/sweep`, undefined, apiKey)).body;
    const redis = endpointClient(instance.host, instance.port, authString);
    await redis.set("k", "v");
    redis.disconnect();

    await call("GET", `${LOC}/instances`, undefined, apiKey);
    const resized = await call("PATCH", `${LOC}/instances/sweep?updateMask=memorySizeGb`, { memorySizeGb: 2 }, apiKey);
    await cp.waitOperation(resized.body.name, 60);
    const failover = await call("POST", `${LOC}/instances/sweep:failover`, {}, apiKey);
    expect((await explained(cp, "sweep", cp.waitOperation(failover.body.name, 60))).error).toBeUndefined();
    const backup = await call("POST", `${LOC}/instances/sweep:backup`, {}, apiKey);
    expect((await explained(cp, "sweep", cp.waitOperation(backup.body.name, 60))).error).toBeUndefined();
    // A replica killed and brought back (its restart reads its config, password included).
    const replica = (await call("GET", `${LOC}/instances/sweep`, undefined, apiKey)).body.nodes.find((n: any) => n.role === "REPLICA");
    await killNode(cp, replica.id);
    await explained(
      cp,
      "sweep",
      waitFor(
        "the replica back",
        async () => {
          const got = (await call("GET", `${LOC}/instances/sweep`, undefined, apiKey)).body;
          return got.state === "READY" && got.nodes.every((n: any) => n.state === "READY");
        },
        30_000,
      ),
    );
    // Bad input that names a secret-looking field must not echo it back either.
    await call("PATCH", `${LOC}/instances/sweep?updateMask=authString`, { authString: authString }, apiKey);
    await call("GET", `${LOC}/instances/sweep/events?pageSize=100`, undefined, apiKey);
    await call("GET", `${LOC}/operations`, undefined, apiKey);
    const rotated = await call("POST", `${LOC}/instances/sweep:rotateAuthString`, {}, apiKey);
    expect((await explained(cp, "sweep", cp.waitOperation(rotated.body.name, 60))).error).toBeUndefined();
    const newAuthString: string = (await call("GET", `${LOC}/instances/sweep/authString`, undefined, apiKey, true)).body.authString;
    expect(newAuthString).not.toBe(authString);

    // TLS and an ACL user: the user's password, and the private key the node serves TLS with.
    const password = "sweep-password-0123456789";
    expect(
      (await call("POST", `${LOC}/users?userId=sweeper`, { accessString: "on ~* +@all", authenticationMode: { passwords: [password] } }, apiKey)).status,
    ).toBe(200);
    expect((await call("POST", `${LOC}/acls?aclId=sweepers`, { userNames: ["sweeper"] }, apiKey)).status).toBe(200);
    const tlsOp = await call(
      "POST",
      `${LOC}/instances?instanceId=sweep-tls`,
      { tier: "BASIC", memorySizeGb: 1, transitEncryptionMode: "SERVER_AUTHENTICATION", aclName: "sweepers" },
      apiKey,
    );
    expect((await explained(cp, "sweep-tls", cp.waitOperation(tlsOp.body.name, 60))).error).toBeUndefined();
    const tlsInstance = (await call("GET", `${LOC}/instances/sweep-tls`, undefined, apiKey)).body;
    const ca = tlsInstance.serverCaCerts.map((c: any) => c.cert).join("\n");
    await explained(
      cp,
      "sweep-tls",
      waitFor("the user on the node", async () => {
        const client = new Redis({
          host: tlsInstance.host,
          port: tlsInstance.port,
          username: "sweeper",
          password,
          tls: { ca },
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        client.on("error", () => undefined);
        try {
          await client.connect();
          return (await client.set("tls-key", "v")) === "OK";
        } finally {
          client.disconnect();
        }
      }),
    );
    const nodeKey = await readFile(join(cp.nodesRoot, tlsInstance.nodes[0].id, "tls", "node.key"), "utf8");
    // A line of the key's base64 body: a PEM printed anywhere would contain it.
    const nodeKeyLine = nodeKey.split("\n").find((l) => l.length > 40 && !l.startsWith("-----"))!;
    expect(nodeKeyLine).toBeDefined();

    await call("GET", "/v1/projects/secrets/auditLogs", undefined, apiKey);
    await call("GET", `${LOC}/users`, undefined, apiKey);
    await call("GET", `${LOC}/users/sweeper`, undefined, apiKey);
    await call("GET", `${LOC}/instances/sweep-tls/events?pageSize=100`, undefined, apiKey);
    await call("GET", `${LOC}/operations?pageSize=100`, undefined, apiKey);
    await call("GET", "/v1/apiKeys");

    await collectNodeLogs();
    for (const id of ["sweep", "sweep-tls"]) {
      const removed = await call("DELETE", `${LOC}/instances/${id}`, undefined, apiKey);
      await cp.waitOperation(removed.body.name, 60);
    }

    const masterKey = (await readFile(join(cp.dataDir, "master.key"), "utf8")).trim();
    const secrets = { apiKey, awsSecret, mdbPassword, authString, newAuthString, masterKey, password, nodeKeyLine, privateKeyPem: "PRIVATE KEY" };
    expect(logs.length).toBeGreaterThan(50); // the sweep read something: trace-level request logs, worker steps
    for (const [name, secret] of Object.entries(secrets)) {
      expect(
        logs.filter((l) => l.includes(secret)),
        `${name} in a log line`,
      ).toEqual([]);
      expect(
        bodies.filter((b) => b.includes(secret)),
        `${name} in a response body`,
      ).toEqual([]);
      expect(
        nodeLogs.filter((l) => l.includes(secret)),
        `${name} in a node's log`,
      ).toEqual([]);
    }
  });
});
