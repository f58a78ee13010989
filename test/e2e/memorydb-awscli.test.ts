// The aws CLI (Debian's awscli 2.9, botocore's own signer and JSON protocol, nothing of ours)
// drives a cluster's life through the MemoryDB API unchanged: create, describe until available,
// reach the endpoint it prints, delete. It is the real CLI at /usr/bin/aws, never a shim earlier on
// PATH, with no config file of the machine's in the way.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { issueAwsCredentials, waitFor } from "../support/memorydb.js";

const AWS = "/usr/bin/aws";
const run = promisify(execFile);
let cp: TestControlPlane;
let home: string;
let env: NodeJS.ProcessEnv;

/** Runs `aws memorydb <args>`: the parsed JSON it printed, or its exit code and error text. */
async function aws(...args: string[]): Promise<{ ok: true; json: any } | { ok: false; code: number; stderr: string }> {
  try {
    const { stdout } = await run(AWS, ["memorydb", ...args, "--endpoint-url", cp.url, "--no-cli-pager", "--output", "json"], { env, timeout: 60_000 });
    return { ok: true, json: stdout.trim() ? JSON.parse(stdout) : {} };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    if (typeof e.code !== "number") throw error;
    return { ok: false, code: e.code, stderr: e.stderr ?? "" };
  }
}

async function awsJson(...args: string[]) {
  const result = await aws(...args);
  if (!result.ok) throw new Error(`aws memorydb ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return result.json;
}

beforeAll(async () => {
  if (!existsSync(AWS)) throw new Error(`${AWS} is missing: install Debian's awscli (scripts/test-services.sh does) to run the aws CLI tests`);
  cp = await startTestControlPlane({ driver: "process" });
  const creds = await issueAwsCredentials(cp);
  home = await mkdtemp(join(tmpdir(), "cacheplane-awscli-"));
  env = {
    PATH: "/usr/bin:/bin",
    HOME: home,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_DEFAULT_REGION: "local1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
  };
});
afterAll(async () => {
  await cp?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe("aws memorydb (the aws CLI)", () => {
  it("creates a cluster, sees it available and reachable, and deletes it", async () => {
    const created = await awsJson(
      "create-cluster",
      "--cluster-name",
      "cli-orders",
      "--node-type",
      "db.t4g.small",
      "--acl-name",
      "open-access",
      "--no-tls-enabled",
      "--num-shards",
      "1",
      "--num-replicas-per-shard",
      "0",
    );
    expect(created.Cluster).toMatchObject({
      Name: "cli-orders",
      Status: "creating",
      NodeType: "db.t4g.small",
      NumberOfShards: 1,
      ACLName: "open-access",
      TLSEnabled: false,
      ARN: "arn:aws:memorydb:local1:default:cluster/cli-orders",
    });

    const available = await waitFor(
      async () => (await awsJson("describe-clusters", "--cluster-name", "cli-orders", "--show-shard-details")).Clusters[0],
      (cluster) => cluster.Status === "available",
      120_000,
      1_000,
    );
    expect(available.ClusterEndpoint).toEqual({ Address: expect.any(String), Port: expect.any(Number) });
    expect(available.Shards).toHaveLength(1);
    expect(available.Shards[0]).toMatchObject({ Status: "available", NumberOfNodes: 1 });
    expect(available.Shards[0].Nodes[0].AvailabilityZone).toMatch(/^local1[abc]$/);
    // The same cluster the native API shows: one row, two faces.
    const native = await cp.api("GET", "/v1/projects/default/locations/local1/clusters/cli-orders");
    expect(native.status).toBe(200);
    expect(native.body).toMatchObject({ shardCount: 1, replicaCount: 0, state: "ACTIVE" });

    const redis = new Redis({ host: available.ClusterEndpoint.Address, port: available.ClusterEndpoint.Port, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      expect(await redis.ping()).toBe("PONG");
    } finally {
      redis.disconnect();
    }

    const deleted = await awsJson("delete-cluster", "--cluster-name", "cli-orders");
    expect(deleted.Cluster).toMatchObject({ Name: "cli-orders", Status: "deleting" });
    const gone = await waitFor(
      () => aws("describe-clusters", "--cluster-name", "cli-orders"),
      (r) => !r.ok,
      60_000,
      1_000,
    );
    expect(gone).toMatchObject({ ok: false, code: 254, stderr: expect.stringContaining("(ClusterNotFoundFault) when calling the DescribeClusters operation") });
  });

  it("prints MemoryDB's fault for a bad request, as for AWS", async () => {
    const refused = await aws("create-cluster", "--cluster-name", "cli-bad", "--node-type", "db.x9.huge", "--acl-name", "open-access");
    expect(refused).toMatchObject({
      ok: false,
      code: 254,
      stderr: expect.stringMatching(/\(InvalidParameterValueException\) when calling the CreateCluster operation: Node type db\.x9\.huge/),
    });
    const list = await awsJson("describe-clusters");
    expect(list.Clusters.map((c: { Name: string }) => c.Name)).not.toContain("cli-bad");
  });
});
