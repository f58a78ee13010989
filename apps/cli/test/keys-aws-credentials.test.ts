// `cacheplane keys create` shows a key's AWS credentials beside its secret, and `cacheplane keys
// aws-credentials` issues new ones; both checked by signing MemoryDB requests with what the CLI
// printed (the real @aws-sdk/client-memorydb), against a real control plane without a worker.
import { DescribeClustersCommand } from "@aws-sdk/client-memorydb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { clientFor } from "../../../test/support/memorydb.js";
import { expectOneErrorLine, parseEnv, runCli } from "./run-cli.js";

let cp: TestControlPlane;
let env: Record<string, string>;
const cli = (args: string[], extra: Record<string, string | undefined> = {}) => runCli(args, { ...env, ...extra });

/** Lists the clusters with these credentials: the name of the fault if refused. */
async function describeWith(creds: { accessKeyId: string; secretAccessKey: string }) {
  try {
    return (await clientFor(cp, creds).send(new DescribeClustersCommand({}))).Clusters?.map((c) => c.Name);
  } catch (error) {
    return (error as Error).name;
  }
}

beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false });
  env = { CACHEPLANE_URL: cp.url, CACHEPLANE_API_KEY: ADMIN_KEY, CACHEPLANE_DATA_DIR: cp.dataDir };
  expect((await cp.api("POST", "/v1/projects/default/locations/local1/clusters?clusterId=seen", { shardCount: 1 })).status).toBe(200);
});
afterAll(async () => {
  await cp?.stop();
});

describe("cacheplane keys and AWS credentials", () => {
  it("keys create prints the AWS credentials (table, json, env), and they sign MemoryDB requests", async () => {
    const table = await cli(["keys", "create", "terraform"]);
    expect(table.code, table.stderr).toBe(0);
    const id = /^awsAccessKeyId:\s+(AKCP[A-Z2-7]{16})$/m.exec(table.stdout)?.[1];
    const secret = /^awsSecretAccessKey:\s+(\S{40})$/m.exec(table.stdout)?.[1];
    expect(id && secret, table.stdout).toBeTruthy();
    expect(table.stdout).toMatch(/^awsProject:\s+default$/m);
    expect(await describeWith({ accessKeyId: id!, secretAccessKey: secret! })).toEqual(["seen"]);

    const json = JSON.parse((await cli(["keys", "create", "as-json", "-o", "json"])).stdout);
    expect(json.awsCredentials).toEqual({ accessKeyId: expect.stringMatching(/^AKCP/), secretAccessKey: expect.any(String), project: "default" });

    const vars = parseEnv((await cli(["keys", "create", "as-env", "-o", "env"])).stdout);
    expect(Object.keys(vars)).toEqual(["CACHEPLANE_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"]);
    expect(vars).toMatchObject({ AWS_DEFAULT_REGION: "local1", AWS_ENDPOINT_URL: cp.url });
    expect(await describeWith({ accessKeyId: vars.AWS_ACCESS_KEY_ID!, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY! })).toEqual(["seen"]);
  });

  it("keys aws-credentials issues new credentials; the old ones stop at once", async () => {
    const created = JSON.parse((await cli(["keys", "create", "rotated", "--scope", "default", "--scope", "other", "-o", "json"])).stdout);
    const id = created.name.replace("apiKeys/", "");
    const rotated = await cli(["keys", "aws-credentials", id, "-o", "env"]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const vars = parseEnv(rotated.stdout);
    expect(vars.AWS_ACCESS_KEY_ID).not.toBe(created.awsCredentials.accessKeyId);
    expect(await describeWith({ accessKeyId: vars.AWS_ACCESS_KEY_ID!, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY! })).toEqual(["seen"]);
    expect(await describeWith(created.awsCredentials)).toBe("UnrecognizedClientException");

    // In another of the key's projects (the global --project), and by the key's resource name.
    const other = JSON.parse((await cli(["keys", "aws-credentials", `apiKeys/${id}`, "--project", "other", "-o", "json"])).stdout);
    expect(other.project).toBe("other");
    expect(await describeWith(other)).toEqual([]);

    const table = await cli(["keys", "aws-credentials", id]);
    expect(table.stdout).toMatch(/^awsSecretAccessKey:\s+\S{40}$/m);
    expect(table.stdout).toMatch(/earlier AWS credentials no longer work/);
  });

  it("refuses a project the key may not use (exit 2), an unknown key (exit 3) and a non-admin caller (exit 6)", async () => {
    const created = JSON.parse((await cli(["keys", "create", "scoped", "-o", "json"])).stdout);
    const id = created.name.replace("apiKeys/", "");
    const outside = await cli(["keys", "aws-credentials", id, "--project", "elsewhere"]);
    expect(outside.code).toBe(2);
    expectOneErrorLine(outside, /may not access project elsewhere/);
    const unknown = await cli(["keys", "aws-credentials", "0123456789ab"]);
    expect(unknown.code).toBe(3);
    const notAdmin = await cli(["keys", "aws-credentials", id], { CACHEPLANE_API_KEY: created.keyString });
    expect(notAdmin.code).toBe(6);
    const help = await cli(["keys", "--help"]);
    expect(help.stdout).toMatch(/aws-credentials <key>\s+Issue new AWS credentials for a key, for the MemoryDB API/);
  });
});
