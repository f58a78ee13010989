// `cacheplane instances logs` and `clusters logs` as a user runs them (the built command): the
// primary's lines by default, --tail, -o json, a node that is not the instance's, bad flags.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { expectOneErrorLine, runCli } from "./run-cli.js";

const LOC = "/v1/projects/default/locations/local1";
let cp: TestControlPlane;
let dataDir: string;
let env: Record<string, string>;
const cli = (...args: string[]) => runCli(args, env);

beforeAll(async () => {
  cp = await startTestControlPlane();
  dataDir = await mkdtemp(join(tmpdir(), "cacheplane-cli-logs-"));
  env = { CACHEPLANE_URL: cp.url, CACHEPLANE_API_KEY: ADMIN_KEY, CACHEPLANE_DATA_DIR: dataDir };
  const op = await cp.api("POST", `${LOC}/instances?instanceId=cli-logs`, { tier: "BASIC", memorySizeGb: 1, authEnabled: true });
  expect((await cp.waitOperation(op.body.name, 60)).error).toBeUndefined();
});
afterAll(async () => {
  await cp?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("cacheplane instances|clusters logs", () => {
  it("prints the primary's own lines, the newest --tail, or them as JSON", async () => {
    const primary: string = (await cp.api("GET", `${LOC}/instances/cli-logs`)).body.nodes[0].id;
    const all = await cli("instances", "logs", "cli-logs", "--tail", "1000");
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain("Ready to accept connections");
    const three = await cli("instances", "logs", "cli-logs", "--node", primary, "--tail", "3");
    expect(three.stdout.trimEnd().split("\n")).toEqual(all.stdout.trimEnd().split("\n").slice(-3));
    const asJson = JSON.parse((await cli("instances", "logs", "cli-logs", "--tail", "2", "-o", "json")).stdout);
    expect(asJson).toMatchObject({ node: primary });
    expect(asJson.lines).toHaveLength(2);
  });

  it("refuses a node that is not the instance's, a bad --tail, and a cluster without --node", async () => {
    const missing = await cli("instances", "logs", "cli-logs", "--node", "nope-0");
    expect(missing.code).toBe(3);
    expectOneErrorLine(missing, /node nope-0 .* not found \(NOT_FOUND\)/);
    const badTail = await cli("instances", "logs", "cli-logs", "--tail", "many");
    expect(badTail.code).toBe(2);
    expectOneErrorLine(badTail, /--tail must be a whole number/);
    const tooMany = await cli("instances", "logs", "cli-logs", "--tail", "10001");
    expect(tooMany.code).toBe(2);
    expectOneErrorLine(tooMany, /tail/);
    const noNode = await cli("clusters", "logs", "any-cluster");
    expect(noNode.code).toBe(2);
    expectOneErrorLine(noNode, /--node is required/);
    const help = await cli("instances", "logs", "--help");
    expect(help.stdout).toMatch(/--node ID[\s\S]*--tail N/);
  });
});
