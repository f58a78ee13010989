// GET …/nodes/{node}/logs end to end, on both drivers: a node's own lines (redis-server's start),
// tail, secrets the engine was made to log (a script's redis.log of the AUTH string and of an ACL
// user's password) redacted, a viewer allowed, and the errors.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { explained } from "../support/diagnose.js";
import { waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";

const LOC = "/v1/projects/default/locations/local1";
/** The worker rotates a node's redis.log past this (the product's bound is 16 MiB). */
const LOG_BOUND = 64 * 1024;

describe.each(DRIVERS)("node logs, with the %s driver", (driver) => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane({ driver, nodeLogMaxBytes: LOG_BOUND });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it("shows an instance node's own lines, the newest N, with every secret redacted, to a viewer too", async () => {
    const password = `logs-password-${driver}-0123456789`;
    expect((await cp.api("POST", `${LOC}/users?userId=logger`, { accessString: "on ~* +@all", authenticationMode: { passwords: [password] } })).status).toBe(
      200,
    );
    expect((await cp.api("POST", `${LOC}/acls?aclId=loggers`, { userNames: ["logger"] })).status).toBe(200);
    const op = await cp.api("POST", `${LOC}/instances?instanceId=logs`, { tier: "BASIC", memorySizeGb: 1, authEnabled: true, aclName: "loggers" });
    expect((await explained(cp, "logs", cp.waitOperation(op.body.name, 60))).error).toBeUndefined();
    const instance = (await cp.api("GET", `${LOC}/instances/logs`)).body;
    const authString: string = (await cp.api("GET", `${LOC}/instances/logs/authString`)).body.authString;
    const primary: string = instance.nodes[0].id;

    // The engine logs what a script tells it to: both secrets, inside other text.
    const redis = endpointClient(instance.host, instance.port, authString);
    await redis.eval("redis.log(redis.LOG_WARNING, ARGV[1])", 0, `client said AUTH ${authString}.`);
    await redis.eval("redis.log(redis.LOG_WARNING, ARGV[1])", 0, `ACL SETUSER logger on >${password} ~*`);
    redis.disconnect();

    const viewer = (await cp.api("POST", "/v1/apiKeys", { displayName: "logs viewer", projects: ["default"], role: "viewer" })).body.keyString;
    const logs = await cp.api("GET", `${LOC}/instances/logs/nodes/${primary}/logs`, undefined, viewer);
    expect(logs.status, JSON.stringify(logs.body)).toBe(200);
    expect(logs.body.node).toBe(primary);
    expect(logs.body.lines.some((l: string) => l.includes("Ready to accept connections"))).toBe(true);
    const text = JSON.stringify(logs.body);
    expect(text).not.toContain(authString);
    expect(text).not.toContain(password);
    expect(logs.body.lines.slice(-2).map((l: string) => l.replace(/^.* # /, ""))).toEqual([
      "client said AUTH [redacted].",
      "ACL SETUSER logger on >[redacted] ~*",
    ]);

    const three = await cp.api("GET", `${LOC}/instances/logs/nodes/${primary}/logs?tail=3`);
    expect(three.body.lines).toHaveLength(3);
    expect(three.body.lines).toEqual(logs.body.lines.slice(-3));

    expect((await cp.api("GET", `${LOC}/instances/logs/nodes/${primary}9/logs`)).status).toBe(404);
    expect((await cp.api("GET", `${LOC}/instances/nope/nodes/${primary}/logs`)).status).toBe(404);
    for (const query of ["tail=0", "tail=abc", "tail=10001"]) {
      const bad = await cp.api("GET", `${LOC}/instances/logs/nodes/${primary}/logs?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error.status).toBe("INVALID_ARGUMENT");
      expect(JSON.stringify(bad.body.error), query).toContain("tail");
    }
    const badNode = await cp.api("GET", `${LOC}/instances/logs/nodes/Bad_Node/logs`);
    expect(badNode.status).toBe(400);
    expect(JSON.stringify(badNode.body.error)).toContain("node");
  });

  it("shows a cluster node's lines, and only for its own nodes", async () => {
    const op = await cp.api("POST", `${LOC}/clusters?clusterId=logs-c`, { shardCount: 1, replicaCount: 0, nodeType: "REDIS_SHARED_CORE_NANO" });
    expect((await explained(cp, "logs-c", cp.waitOperation(op.body.name, 60))).error).toBeUndefined();
    const cluster = (await cp.api("GET", `${LOC}/clusters/logs-c`)).body;
    const node: string = cluster.shards[0].nodes[0].id;
    const logs = await cp.api("GET", `${LOC}/clusters/logs-c/nodes/${node}/logs?tail=1000`);
    expect(logs.status, JSON.stringify(logs.body)).toBe(200);
    expect(logs.body.lines.some((l: string) => l.includes("Ready to accept connections"))).toBe(true);
    expect(logs.body.lines.some((l: string) => /cluster/i.test(l))).toBe(true);
    const instanceNode: string = (await cp.api("GET", `${LOC}/instances/logs`)).body.nodes[0].id;
    expect((await cp.api("GET", `${LOC}/clusters/logs-c/nodes/${instanceNode}/logs`)).status).toBe(404);
  });

  it("rotates a node's log past its bound, keeps one older file, and serves lines across the rotation", async () => {
    const op = await cp.api("POST", `${LOC}/instances?instanceId=logs-r`, { tier: "BASIC", memorySizeGb: 1 });
    expect((await explained(cp, "logs-r", cp.waitOperation(op.body.name, 60))).error).toBeUndefined();
    const instance = (await cp.api("GET", `${LOC}/instances/logs-r`)).body;
    const node: string = instance.nodes[0].id;
    const log = join(cp.nodesRoot, node, "redis.log");
    const size = (file: string) =>
      stat(file).then(
        (s) => s.size,
        () => -1,
      );
    const redis = endpointClient(instance.host, instance.port);
    // ~100 KiB of lines of ~1 KiB: past the bound, so the next look renames the file.
    const spill = (tag: string) => redis.eval("for i = 1, 100 do redis.log(redis.LOG_WARNING, ARGV[1]) end", 0, `${tag} ${"x".repeat(1000)}`);
    await redis.eval("redis.log(redis.LOG_WARNING, ARGV[1])", 0, "marker one");
    await spill("first");
    await waitFor("the first rotation", async () => (await size(`${log}.1`)) > LOG_BOUND, 20_000);
    await redis.eval("redis.log(redis.LOG_WARNING, ARGV[1])", 0, "marker two");
    expect(await size(log)).toBeLessThan(LOG_BOUND);

    // The newest lines come from both files, oldest first.
    const across = (await cp.api("GET", `${LOC}/instances/logs-r/nodes/${node}/logs?tail=102`)).body.lines.map((l: string) => l.replace(/^.* # /, ""));
    expect(across).toEqual(["marker one", ...Array(100).fill(`first ${"x".repeat(1000)}`), "marker two"]);

    // A second rotation replaces the older file: the node's logs stay within twice the bound.
    await spill("second");
    await waitFor("the second rotation", async () => (await size(log)) < LOG_BOUND, 20_000);
    const lines = (await cp.api("GET", `${LOC}/instances/logs-r/nodes/${node}/logs?tail=10000`)).body.lines.join("\n");
    expect(lines).toContain("marker two");
    expect(lines).not.toContain("marker one");
    expect((await size(log)) + (await size(`${log}.1`))).toBeLessThan(2 * LOG_BOUND + 2048);
    redis.disconnect();
  });
});
