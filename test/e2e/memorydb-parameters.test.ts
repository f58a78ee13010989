// MemoryDB parameter and subnet groups through the real @aws-sdk/client-memorydb: the implicit
// default groups; parameters listed with the values the nodes run with; a change to a group on
// every node of every cluster using it (CONFIG GET, within seconds); a reset back to the engine's
// default; the refusals MemoryDB makes (bad values named, default groups, groups in use); and a
// one-subnet group placing every node of a cluster in that zone.
import {
  CreateClusterCommand,
  CreateParameterGroupCommand,
  CreateSubnetGroupCommand,
  DeleteParameterGroupCommand,
  DeleteSubnetGroupCommand,
  DescribeClustersCommand,
  DescribeParameterGroupsCommand,
  DescribeParametersCommand,
  DescribeSubnetGroupsCommand,
  ResetParameterGroupCommand,
  UpdateParameterGroupCommand,
  UpdateSubnetGroupCommand,
  type MemoryDBClient,
} from "@aws-sdk/client-memorydb";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { memorydbClient, waitFor, faultName, faultOf } from "../support/memorydb.js";

const LOC = "/v1/projects/default/locations/local1";
const arnOf = (type: string, name: string) => `arn:aws:memorydb:local1:default:${type}/${name}`;

type Node = { host: string; port: number; zone: string };

async function configGet(node: Node, name: string): Promise<string> {
  const redis = new Redis({ host: node.host, port: node.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    const [, value] = (await redis.call("CONFIG", "GET", name)) as [string, string];
    return value;
  } finally {
    redis.disconnect();
  }
}
const configOnEvery = (nodes: Node[], name: string) => Promise.all(nodes.map((n) => configGet(n, name)));

describe("MemoryDB parameter and subnet groups (process driver)", () => {
  let cp: TestControlPlane;
  let sdk: MemoryDBClient;
  const nodesOf = async (cluster: string): Promise<Node[]> => (await cp.api("GET", `${LOC}/clusters/${cluster}`)).body.shards.flatMap((s: any) => s.nodes);
  const valueIn = async (group: string, name: string) =>
    ((await sdk.send(new DescribeParametersCommand({ ParameterGroupName: group }))).Parameters ?? []).find((p) => p.Name === name)?.Value;

  beforeAll(async () => {
    cp = await startTestControlPlane({ driver: "process" });
    sdk = await memorydbClient(cp);
  });
  afterAll(async () => {
    sdk?.destroy();
    await cp?.stop();
  });

  it("has a default group per family, listing every settable parameter at the engine's default", async () => {
    const groups = await sdk.send(new DescribeParameterGroupsCommand({}));
    expect(groups.ParameterGroups).toEqual([
      { Name: "default.memorydb-redis7", Family: "memorydb_redis7", Description: expect.any(String), ARN: arnOf("parametergroup", "default.memorydb-redis7") },
    ]);
    const params = await sdk.send(new DescribeParametersCommand({ ParameterGroupName: "default.memorydb-redis7" }));
    const byName = Object.fromEntries((params.Parameters ?? []).map((p) => [p.Name, p]));
    expect(Object.keys(byName).sort()).toEqual(
      [
        "activedefrag",
        "lfu-decay-time",
        "lfu-log-factor",
        "maxmemory-policy",
        "notify-keyspace-events",
        "stream-node-max-bytes",
        "stream-node-max-entries",
        "timeout",
      ].sort(),
    );
    expect(byName["maxmemory-policy"]).toMatchObject({
      Value: "noeviction",
      DataType: "string",
      AllowedValues: expect.stringContaining("allkeys-lru"),
      MinimumEngineVersion: "7.0",
    });
    expect(byName["lfu-log-factor"]).toMatchObject({ Value: "10", DataType: "integer", AllowedValues: "0-255" });
    // Paged by name.
    const first = await sdk.send(new DescribeParametersCommand({ ParameterGroupName: "default.memorydb-redis7", MaxResults: 5 }));
    const rest = await sdk.send(new DescribeParametersCommand({ ParameterGroupName: "default.memorydb-redis7", NextToken: first.NextToken }));
    expect([...(first.Parameters ?? []), ...(rest.Parameters ?? [])].map((p) => p.Name)).toEqual((params.Parameters ?? []).map((p) => p.Name));
    expect(rest.NextToken).toBeUndefined();

    expect(
      await faultName(
        sdk.send(
          new UpdateParameterGroupCommand({
            ParameterGroupName: "default.memorydb-redis7",
            ParameterNameValues: [{ ParameterName: "timeout", ParameterValue: "5" }],
          }),
        ),
      ),
    ).toBe("InvalidParameterGroupStateFault");
    expect(await faultName(sdk.send(new DeleteParameterGroupCommand({ ParameterGroupName: "default.memorydb-redis7" })))).toBe(
      "InvalidParameterGroupStateFault",
    );
    expect(await faultName(sdk.send(new DescribeParametersCommand({ ParameterGroupName: "nothing" })))).toBe("ParameterGroupNotFoundFault");
    expect(await faultName(sdk.send(new DescribeParameterGroupsCommand({ ParameterGroupName: "default.memorydb-redis6" })))).toBe(
      "ParameterGroupNotFoundFault",
    );
  });

  it("creates a group and refuses what MemoryDB refuses, naming the parameter", async () => {
    const created = await sdk.send(
      new CreateParameterGroupCommand({ ParameterGroupName: "App-Params", Family: "memorydb_redis7", Description: "for the app" }),
    );
    // Names are lower-cased, as MemoryDB does.
    expect(created.ParameterGroup).toEqual({
      Name: "app-params",
      Family: "memorydb_redis7",
      Description: "for the app",
      ARN: arnOf("parametergroup", "app-params"),
    });
    expect(await faultName(sdk.send(new CreateParameterGroupCommand({ ParameterGroupName: "app-params", Family: "memorydb_redis7" })))).toBe(
      "ParameterGroupAlreadyExistsFault",
    );
    expect(await faultName(sdk.send(new CreateParameterGroupCommand({ ParameterGroupName: "other", Family: "memorydb_redis9" })))).toBe(
      "InvalidParameterValueException",
    );
    expect(await faultName(sdk.send(new CreateParameterGroupCommand({ ParameterGroupName: "default.mine", Family: "memorydb_redis7" })))).toBe(
      "InvalidParameterValueException",
    );

    const update = (name: string, value: string) =>
      faultOf(
        sdk.send(new UpdateParameterGroupCommand({ ParameterGroupName: "app-params", ParameterNameValues: [{ ParameterName: name, ParameterValue: value }] })),
      );
    expect(await update("maxmemory-policy", "sometimes-lru")).toMatchObject({
      name: "InvalidParameterValueException",
      message: expect.stringContaining("maxmemory-policy"),
    });
    expect(await update("lfu-log-factor", "999")).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringContaining("lfu-log-factor") });
    expect(await update("appendonly", "yes")).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringContaining("appendonly") });
    expect(
      await faultName(
        sdk.send(
          new UpdateParameterGroupCommand({
            ParameterGroupName: "app-params",
            ParameterNameValues: [
              { ParameterName: "timeout", ParameterValue: "1" },
              { ParameterName: "timeout", ParameterValue: "2" },
            ],
          }),
        ),
      ),
    ).toBe("InvalidParameterCombinationException");
    expect(await faultName(sdk.send(new ResetParameterGroupCommand({ ParameterGroupName: "app-params" })))).toBe("InvalidParameterCombinationException");
    expect(
      await faultName(sdk.send(new ResetParameterGroupCommand({ ParameterGroupName: "app-params", AllParameters: true, ParameterNames: ["timeout"] }))),
    ).toBe("InvalidParameterCombinationException");
    // Nothing refused was stored.
    expect(await valueIn("app-params", "maxmemory-policy")).toBe("noeviction");
    expect(await valueIn("app-params", "timeout")).toBe("0");
  });

  it("puts a group's parameters on every node of a cluster using it, and each change within seconds", async () => {
    await sdk.send(
      new UpdateParameterGroupCommand({
        ParameterGroupName: "app-params",
        ParameterNameValues: [{ ParameterName: "maxmemory-policy", ParameterValue: "allkeys-lru" }],
      }),
    );
    expect(await valueIn("app-params", "maxmemory-policy")).toBe("allkeys-lru");

    // A cluster of the native API naming the group: the same clusters as MemoryDB's.
    const created = await cp.api("POST", `${LOC}/clusters?clusterId=params-c`, {
      shardCount: 2,
      replicaCount: 0,
      nodeType: "REDIS_SHARED_CORE_NANO",
      parameterGroupName: "app-params",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect((await cp.waitOperation(created.body.name, 60)).error).toBeUndefined();
    const nodes = await nodesOf("params-c");
    expect(nodes).toHaveLength(2);
    expect(await configOnEvery(nodes, "maxmemory-policy")).toEqual(["allkeys-lru", "allkeys-lru"]);
    expect((await cp.api("GET", `${LOC}/clusters/params-c`)).body).toMatchObject({
      parameterGroupName: "app-params",
      redisConfigs: { "maxmemory-policy": "allkeys-lru" },
    });

    let started = Date.now();
    await sdk.send(
      new UpdateParameterGroupCommand({
        ParameterGroupName: "app-params",
        ParameterNameValues: [
          { ParameterName: "maxmemory-policy", ParameterValue: "volatile-lfu" },
          { ParameterName: "timeout", ParameterValue: "300" },
        ],
      }),
    );
    await waitFor(
      () => configOnEvery(nodes, "maxmemory-policy"),
      (v) => v.every((x) => x === "volatile-lfu"),
      10_000,
      50,
    );
    const updateMs = Date.now() - started;
    expect(await configOnEvery(nodes, "timeout")).toEqual(["300", "300"]);
    expect(await valueIn("app-params", "timeout")).toBe("300");

    started = Date.now();
    const reset = await sdk.send(new ResetParameterGroupCommand({ ParameterGroupName: "app-params", ParameterNames: ["maxmemory-policy"] }));
    expect(reset.ParameterGroup?.Name).toBe("app-params");
    await waitFor(
      () => configOnEvery(nodes, "maxmemory-policy"),
      (v) => v.every((x) => x === "noeviction"),
      10_000,
      50,
    );
    const resetMs = Date.now() - started;
    expect(await configOnEvery(nodes, "timeout")).toEqual(["300", "300"]);
    expect(await valueIn("app-params", "maxmemory-policy")).toBe("noeviction");
    console.log(`UpdateParameterGroup on ${nodes.length} nodes in ${updateMs} ms; ResetParameterGroup in ${resetMs} ms`);

    expect(await faultOf(sdk.send(new DeleteParameterGroupCommand({ ParameterGroupName: "app-params" })))).toMatchObject({
      name: "InvalidParameterGroupStateFault",
      message: expect.stringContaining("params-c"),
    });
    const deleted = await cp.api("DELETE", `${LOC}/clusters/params-c`);
    expect((await cp.waitOperation(deleted.body.name, 60)).error).toBeUndefined();
    expect((await sdk.send(new DeleteParameterGroupCommand({ ParameterGroupName: "app-params" }))).ParameterGroup?.Name).toBe("app-params");
    expect(await faultName(sdk.send(new DescribeParameterGroupsCommand({ ParameterGroupName: "app-params" })))).toBe("ParameterGroupNotFoundFault");
  });

  it("has the default subnet group of every zone, and creates, updates and refuses groups as MemoryDB does", async () => {
    const groups = await sdk.send(new DescribeSubnetGroupsCommand({}));
    expect(groups.SubnetGroups).toEqual([
      {
        Name: "default",
        Description: expect.any(String),
        VpcId: "vpc-local1",
        Subnets: ["a", "b", "c"].map((z) => ({ Identifier: `subnet-local1${z}`, AvailabilityZone: { Name: `local1${z}` }, SupportedNetworkTypes: ["ipv4"] })),
        ARN: arnOf("subnetgroup", "default"),
        SupportedNetworkTypes: ["ipv4"],
      },
    ]);
    const created = await sdk.send(
      new CreateSubnetGroupCommand({ SubnetGroupName: "two-zones", Description: "a and b", SubnetIds: ["subnet-local1a", "subnet-local1b"] }),
    );
    expect(created.SubnetGroup).toMatchObject({
      Name: "two-zones",
      Description: "a and b",
      Subnets: [{ Identifier: "subnet-local1a" }, { Identifier: "subnet-local1b" }],
    });
    const updated = await sdk.send(new UpdateSubnetGroupCommand({ SubnetGroupName: "two-zones", SubnetIds: ["subnet-local1c"] }));
    expect(updated.SubnetGroup).toMatchObject({
      Name: "two-zones",
      Description: "a and b",
      Subnets: [{ Identifier: "subnet-local1c", AvailabilityZone: { Name: "local1c" } }],
    });

    expect(await faultName(sdk.send(new CreateSubnetGroupCommand({ SubnetGroupName: "two-zones", SubnetIds: ["subnet-local1a"] })))).toBe(
      "SubnetGroupAlreadyExistsFault",
    );
    expect(await faultName(sdk.send(new CreateSubnetGroupCommand({ SubnetGroupName: "default", SubnetIds: ["subnet-local1a"] })))).toBe(
      "SubnetGroupAlreadyExistsFault",
    );
    expect(await faultName(sdk.send(new CreateSubnetGroupCommand({ SubnetGroupName: "bad", SubnetIds: ["subnet-0abc123"] })))).toBe("InvalidSubnet");
    expect(await faultName(sdk.send(new UpdateSubnetGroupCommand({ SubnetGroupName: "two-zones", SubnetIds: ["subnet-us-east-1a"] })))).toBe("InvalidSubnet");
    expect(await faultName(sdk.send(new UpdateSubnetGroupCommand({ SubnetGroupName: "nothing", Description: "x" })))).toBe("SubnetGroupNotFoundFault");
    expect(await faultName(sdk.send(new UpdateSubnetGroupCommand({ SubnetGroupName: "default", Description: "x" })))).toBe("InvalidParameterValueException");
    expect(await faultName(sdk.send(new DeleteSubnetGroupCommand({ SubnetGroupName: "default" })))).toBe("InvalidParameterValueException");
    expect(await faultName(sdk.send(new DeleteSubnetGroupCommand({ SubnetGroupName: "nothing" })))).toBe("SubnetGroupNotFoundFault");
    expect((await sdk.send(new DeleteSubnetGroupCommand({ SubnetGroupName: "two-zones" }))).SubnetGroup?.Name).toBe("two-zones");
    expect(await faultName(sdk.send(new DescribeSubnetGroupsCommand({ SubnetGroupName: "two-zones" })))).toBe("SubnetGroupNotFoundFault");
  });

  it("places every node of a cluster made with a one-subnet group in that zone, and keeps the group while it is used", async () => {
    await sdk.send(new CreateSubnetGroupCommand({ SubnetGroupName: "zone-b", SubnetIds: ["subnet-local1b"] }));
    await sdk.send(
      new CreateClusterCommand({
        ClusterName: "placed",
        NodeType: "db.t4g.small",
        ACLName: "open-access",
        TLSEnabled: false,
        NumShards: 1,
        NumReplicasPerShard: 1,
        SubnetGroupName: "zone-b",
      }),
    );
    const cluster = await waitFor(
      async () => (await sdk.send(new DescribeClustersCommand({ ClusterName: "placed", ShowShardDetails: true }))).Clusters![0]!,
      (c) => c.Status === "available",
      60_000,
      200,
    );
    expect(cluster.SubnetGroupName).toBe("zone-b");
    const zones = cluster.Shards!.flatMap((s) => s.Nodes!.map((n) => n.AvailabilityZone));
    expect(zones).toEqual(["local1b", "local1b"]);
    expect((await nodesOf("placed")).map((n) => n.zone)).toEqual(["local1-b", "local1-b"]);

    expect(await faultName(sdk.send(new DeleteSubnetGroupCommand({ SubnetGroupName: "zone-b" })))).toBe("SubnetGroupInUseFault");
    // Its nodes are in subnet-local1b: the group keeps it, and may grow.
    expect(await faultName(sdk.send(new UpdateSubnetGroupCommand({ SubnetGroupName: "zone-b", SubnetIds: ["subnet-local1a"] })))).toBe("SubnetInUse");
    const grown = await sdk.send(new UpdateSubnetGroupCommand({ SubnetGroupName: "zone-b", SubnetIds: ["subnet-local1b", "subnet-local1c"] }));
    expect(grown.SubnetGroup?.Subnets?.map((s) => s.Identifier)).toEqual(["subnet-local1b", "subnet-local1c"]);
  });
});
