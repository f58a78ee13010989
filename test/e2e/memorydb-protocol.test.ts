// The MemoryDB API's wire protocol against the real api and Postgres, driven by the real
// @aws-sdk/client-memorydb: who may call (SigV4 with credentials issued per API key, the key's
// role and project), what is refused and how AWS names it, that credentials stop at once when
// revoked or replaced, that the secret is shown once and stored sealed, and that changes are
// audited. No worker: clusters stay creating, which is all these checks need.
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeReservedNodesCommand,
  PurchaseReservedNodesOfferingCommand,
  type MemoryDBClient,
} from "@aws-sdk/client-memorydb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { clientFor, issueAwsCredentials, memorydbClient, rawCall, waitFor, type IssuedAwsCredentials } from "../support/memorydb.js";

const NATIVE = (project: string) => `/v1/projects/${project}/locations/local1/clusters`;
let cp: TestControlPlane;
let admin: IssuedAwsCredentials;

interface CreatedKey {
  id: string;
  keyString: string;
  awsCredentials: IssuedAwsCredentials;
}

async function createKey(displayName: string, projects: string[], role: "viewer" | "editor" = "editor"): Promise<CreatedKey> {
  const res = await cp.api("POST", "/v1/apiKeys", { displayName, projects, role });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { id: res.body.name.replace("apiKeys/", ""), keyString: res.body.keyString, awsCredentials: res.body.awsCredentials };
}

/** The fault an SDK call failed with: its AWS type, HTTP status and message. */
async function faultOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { type: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error("the call succeeded");
}

const describeClusters = (client: MemoryDBClient, ClusterName?: string) => client.send(new DescribeClustersCommand({ ClusterName }));
const clusterNames = async (client: MemoryDBClient) => ((await describeClusters(client)).Clusters ?? []).map((c) => c.Name);

beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false });
  admin = await issueAwsCredentials(cp);
});
afterAll(async () => {
  await cp?.stop();
});

describe("MemoryDB API: who may call", () => {
  it("refuses a bad signature, an unknown access key and a request with no Authorization, in AWS's words", async () => {
    const wrongSecret = clientFor(cp, { accessKeyId: admin.accessKeyId, secretAccessKey: `${admin.secretAccessKey.slice(0, -1)}x` });
    expect(await faultOf(describeClusters(wrongSecret))).toMatchObject({
      type: "InvalidSignatureException",
      status: 400,
      message: expect.stringMatching(/signature we calculated does not match/),
    });

    const stranger = clientFor(cp, { accessKeyId: "AKCPAAAAAAAAAAAAAAAA", secretAccessKey: admin.secretAccessKey });
    expect(await faultOf(describeClusters(stranger))).toMatchObject({
      type: "UnrecognizedClientException",
      message: "The security token included in the request is invalid.",
    });

    const unsigned = await rawCall(cp, admin, { target: "AmazonMemoryDB.DescribeClusters", sign: false });
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toEqual({ __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" });
    expect(unsigned.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
  });

  it("refuses a body changed after signing, though the signed x-amz-content-sha256 header is as signed", async () => {
    // The AWS SDK for JavaScript signs the payload's hash as that header; the server must hash the
    // bytes that arrived, or a captured DeleteCluster of one cluster deletes another.
    expect((await cp.api("POST", `${NATIVE("default")}?clusterId=kept`, { shardCount: 1 })).status).toBe(200);
    const swapped = await rawCall(cp, admin, {
      target: "AmazonMemoryDB.DeleteCluster",
      body: '{"ClusterName":"decoy"}',
      tamperedBody: '{"ClusterName":"kept"}',
    });
    expect(swapped.body.__type).toBe("InvalidSignatureException");
    expect((await cp.api("GET", `${NATIVE("default")}/kept`)).body.state).toBe("CREATING");
  });

  it("refuses a request signed with a clock more than 15 minutes off, and accepts one 5 minutes off", async () => {
    // maxAttempts 1 (the helper's default) keeps the SDK from correcting its clock and retrying.
    const skewed = await memorydbClient(cp, ADMIN_KEY, { config: { systemClockOffset: -20 * 60_000 } });
    expect(await faultOf(skewed.send(new DescribeReservedNodesCommand({})))).toMatchObject({
      type: "InvalidSignatureException",
      message: expect.stringMatching(/^Signature expired/),
    });
    const ahead = await memorydbClient(cp, ADMIN_KEY, { config: { systemClockOffset: 20 * 60_000 } });
    expect(await faultOf(ahead.send(new DescribeReservedNodesCommand({})))).toMatchObject({
      type: "InvalidSignatureException",
      message: expect.stringMatching(/^Signature not yet current/),
    });
    const slightly = await memorydbClient(cp, ADMIN_KEY, { config: { systemClockOffset: -5 * 60_000 } });
    expect((await slightly.send(new DescribeReservedNodesCommand({}))).ReservedNodes).toEqual([]);
  });

  it("refuses a region other than the location", async () => {
    const creds = await issueAwsCredentials(cp);
    const elsewhere = clientFor(cp, creds, { region: "us-east-1" });
    expect(await faultOf(elsewhere.send(new DescribeReservedNodesCommand({})))).toMatchObject({
      type: "InvalidSignatureException",
      message: expect.stringMatching(/region local1/),
    });
  });

  it("stops a revoked key's credentials at once", async () => {
    const key = await createKey("revoked-soon", ["default"]);
    const client = clientFor(cp, key.awsCredentials);
    expect((await client.send(new DescribeReservedNodesCommand({}))).ReservedNodes).toEqual([]);
    expect((await cp.api("DELETE", `/v1/apiKeys/${key.id}`)).status).toBe(200);
    expect(await faultOf(client.send(new DescribeReservedNodesCommand({})))).toMatchObject({ type: "UnrecognizedClientException" });
    // A revoked key gets no new credentials either.
    expect((await cp.api("POST", `/v1/apiKeys/${key.id}:issueAwsCredentials`, {})).status).toBe(400);
  });

  it("replaces a key's credentials when issued again: the old ones stop at once", async () => {
    const key = await createKey("reissued", ["default"]);
    const old = clientFor(cp, key.awsCredentials);
    expect((await old.send(new DescribeReservedNodesCommand({}))).ReservedNodes).toEqual([]);
    const fresh = await issueAwsCredentials(cp, key.keyString);
    expect(fresh.accessKeyId).not.toBe(key.awsCredentials.accessKeyId);
    expect(await faultOf(old.send(new DescribeReservedNodesCommand({})))).toMatchObject({ type: "UnrecognizedClientException" });
    expect((await clientFor(cp, fresh).send(new DescribeReservedNodesCommand({}))).ReservedNodes).toEqual([]);
  });
});

describe("MemoryDB API: roles and projects", () => {
  it("lets a viewer key describe but not create", async () => {
    const viewer = clientFor(cp, (await createKey("viewer", ["default"], "viewer")).awsCredentials);
    expect(Array.isArray((await describeClusters(viewer)).Clusters)).toBe(true);
    const refused = await faultOf(viewer.send(new CreateClusterCommand({ ClusterName: "by-viewer", NodeType: "db.t4g.small", ACLName: "open-access" })));
    expect(refused).toMatchObject({
      type: "AccessDeniedException",
      status: 400,
      message: expect.stringMatching(/not authorized to perform: memorydb:CreateCluster/),
    });
    // Refused before anything was done.
    expect((await cp.api("GET", `${NATIVE("default")}/by-viewer`)).status).toBe(404);
  });

  it("keeps a key for project A from ever seeing project B's clusters", async () => {
    expect((await cp.api("POST", `${NATIVE("proj-a")}?clusterId=mine`, { shardCount: 1 })).status).toBe(200);
    expect((await cp.api("POST", `${NATIVE("proj-b")}?clusterId=theirs`, { shardCount: 1 })).status).toBe(200);
    const key = await createKey("team-a", ["proj-a"]);
    expect(key.awsCredentials.project).toBe("proj-a");
    const client = clientFor(cp, key.awsCredentials);
    expect(await clusterNames(client)).toEqual(["mine"]);
    expect(await faultOf(describeClusters(client, "theirs"))).toMatchObject({ type: "ClusterNotFoundFault" });
    // Nor can it be given credentials that act in B.
    const res = await cp.api("POST", `/v1/apiKeys/${key.id}:issueAwsCredentials`, { project: "proj-b" });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/may not access project proj-b/);
    // The admin's credentials act in the project they were issued for.
    expect(await clusterNames(await memorydbClient(cp, ADMIN_KEY, { project: "proj-b" }))).toEqual(["theirs"]);
  });
});

describe("MemoryDB API: the secret", () => {
  it("is answered once by POST /v1/apiKeys, never by a GET or list, and stored sealed", async () => {
    const key = await createKey("shown-once", ["default"]);
    expect(key.awsCredentials).toEqual({ accessKeyId: expect.stringMatching(/^AKCP[A-Z2-7]{16}$/), secretAccessKey: expect.any(String), project: "default" });
    const secret = key.awsCredentials.secretAccessKey;
    expect(secret.length).toBe(40);
    for (const path of ["/v1/apiKeys", `/v1/apiKeys/${key.id}`]) {
      const res = await cp.api("GET", path);
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(secret);
      expect(JSON.stringify(res.body)).not.toContain("awsCredentials");
    }
    const row = await cp.prisma.awsCredential.findUniqueOrThrow({ where: { accessKeyId: key.awsCredentials.accessKeyId } });
    expect(row.keyId).toBe(key.id);
    expect(row.sealedSecret).not.toContain(secret);
    expect(Buffer.from(row.sealedSecret, "base64").toString("latin1")).not.toContain(secret);
  });
});

describe("MemoryDB API: the protocol's own refusals", () => {
  // Issuing replaces a key's credentials, and the tests above issued the admin key's again.
  beforeAll(async () => {
    admin = await issueAwsCredentials(cp);
  });

  it("answers a body that is not JSON with SerializationException", async () => {
    const res = await rawCall(cp, admin, { target: "AmazonMemoryDB.DescribeReservedNodes", body: '{"MaxResults": ' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ __type: "SerializationException", message: expect.any(String) });
  });

  it("answers an unknown or missing X-Amz-Target with UnknownOperationException", async () => {
    for (const target of ["AmazonMemoryDB.LaunchRockets", "AmazonElastiCacheV9.DescribeClusters", undefined]) {
      const res = await rawCall(cp, admin, { target });
      expect(res.status, String(target)).toBe(400);
      expect(res.body.__type, String(target)).toBe("UnknownOperationException");
    }
  });

  it("answers a member of the wrong type with InvalidParameterValueException naming it", async () => {
    const res = await rawCall(cp, admin, { target: "AmazonMemoryDB.DescribeReservedNodes", body: '{"MaxResults": "ten"}' });
    expect(res.status).toBe(400);
    expect(res.body.__type).toBe("InvalidParameterValueException");
    expect(res.body.message).toMatch(/MaxResults/);
  });
});

describe("MemoryDB API: the audit log", () => {
  it("records each change as memorydb:<Operation> with its key and outcome, and no read", async () => {
    const key = await createKey("audited", ["audited"]);
    const client = clientFor(cp, key.awsCredentials);
    await client.send(new CreateClusterCommand({ ClusterName: "audited-c", NodeType: "db.t4g.small", ACLName: "open-access", NumShards: 1 }));
    expect(await faultOf(client.send(new PurchaseReservedNodesOfferingCommand({ ReservedNodesOfferingId: "offer-1" })))).toMatchObject({
      type: "ReservedNodesOfferingNotFoundFault",
    });
    await describeClusters(client);
    const entries = await waitFor(
      async () => (await cp.api("GET", "/v1/projects/audited/auditLogs")).body.auditLogs as any[],
      (logs) => logs.length >= 2,
      10_000,
      100,
    );
    expect(entries).toEqual([
      expect.objectContaining({ apiKey: `apiKeys/${key.id}`, method: "POST", operation: "memorydb:PurchaseReservedNodesOffering", status: 400 }),
      expect.objectContaining({ apiKey: `apiKeys/${key.id}`, method: "POST", operation: "memorydb:CreateCluster", status: 200 }),
    ]);
  });

  it("records a write refused for the key's role too", async () => {
    const viewer = await createKey("audited-viewer", ["audited-refusal"], "viewer");
    const client = clientFor(cp, viewer.awsCredentials);
    expect(await faultOf(client.send(new CreateClusterCommand({ ClusterName: "refused-c", NodeType: "db.t4g.small", ACLName: "open-access" })))).toMatchObject({
      type: "AccessDeniedException",
    });
    const entries = await waitFor(
      async () => (await cp.api("GET", "/v1/projects/audited-refusal/auditLogs")).body.auditLogs as any[],
      (logs) => logs.length >= 1,
      10_000,
      100,
    );
    expect(entries).toEqual([expect.objectContaining({ apiKey: `apiKeys/${viewer.id}`, operation: "memorydb:CreateCluster", status: 400 })]);
  });
});
