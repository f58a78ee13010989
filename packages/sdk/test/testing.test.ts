// useTestCache and useTestCluster: provision before the suite, hand out the URL, delete
// afterwards — also when a test fails (checked by running a failing suite in a child vitest).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { createCacheplaneClient } from "../src/index.js";
import { useTestCache, useTestCluster } from "../src/testing.js";

let cp: TestControlPlane;
beforeAll(async () => {
  cp = await startTestControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

const status = async (id: string, collection = "instances") => (await cp.api("GET", `/v1/projects/default/locations/local1/${collection}/${id}`)).status;

/** Runs one fixture suite (a file meant to fail) in a child vitest; it writes its resource's id to FIXTURE_OUT. */
async function runFailingFixture(name: string): Promise<{ code: number | null; output: string; id: string }> {
  const dir = await mkdtemp(join(tmpdir(), "cacheplane-fixture-"));
  try {
    const out = join(dir, "id");
    const config = fileURLToPath(new URL("./fixtures/vitest.config.ts", import.meta.url));
    const vitest = fileURLToPath(new URL("../../../node_modules/vitest/vitest.mjs", import.meta.url));
    const child = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [vitest, "run", "--config", config, name],
        {
          env: { ...process.env, CACHEPLANE_URL: cp.url, CACHEPLANE_API_KEY: ADMIN_KEY, FIXTURE_OUT: out, NO_COLOR: "1" },
        },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, output: stdout + stderr }),
      );
    });
    return { ...child, id: (await readFile(out, "utf8").catch(() => "")).trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The verbs of every operation on a resource, from the operation log. */
async function verbsOf(id: string) {
  const client = createCacheplaneClient({ url: cp.url, apiKey: ADMIN_KEY });
  const verbs: string[] = [];
  for await (const op of client.operations.all()) if (op.metadata.target.endsWith(`/${id}`)) verbs.push(op.metadata.verb);
  return verbs.sort();
}

describe("a suite with a BASIC test cache", () => {
  const cache = useTestCache({ beforeAll, afterAll }, () => ({ url: cp.url, apiKey: ADMIN_KEY, authEnabled: true, idPrefix: "Suite_Cache" }));

  it("gets a READY instance with AUTH, labelled as a test cache, that expires on its own", () => {
    expect(cache.id).toMatch(/^suite-cache-[a-z0-9]+-[0-9a-f]{6}$/);
    expect(cache.instance).toMatchObject({ state: "READY", tier: "BASIC", authEnabled: true, labels: { "cacheplane-test": "true" } });
    expect(cache.instance.expireTime).toBeTruthy();
    expect(cache.url).toMatch(/^redis:\/\/:[A-Za-z0-9%._-]+@/);
  });

  it("serves Redis commands on the handed-out URL", async () => {
    const redis = new Redis(cache.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await redis.incr("counter")).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  afterAll(() => {
    lastSuiteId = cache.id;
  });
});
let lastSuiteId = "";

describe("after that suite", () => {
  it("its cache was deleted", async () => {
    expect(lastSuiteId).not.toBe("");
    expect(await status(lastSuiteId)).toBe(404);
  });

  it("a failing test still gets its cache deleted", async () => {
    const child = await runFailingFixture("failing-suite");
    expect(child.output).toMatch(/failing on purpose/);
    expect(child.code).not.toBe(0);
    expect(child.id).toMatch(/^fixture-/);
    expect(await status(child.id)).toBe(404);
    // It did exist: its create and delete are both in the operation log.
    expect(await verbsOf(child.id)).toEqual(["create", "delete"]);
  }, 90_000);
});

describe("a suite with a test cluster", () => {
  // One line for a 3-shard Redis Cluster (the default shape).
  const cluster = useTestCluster({ beforeAll, afterAll }, () => ({ url: cp.url, apiKey: ADMIN_KEY, idPrefix: "suite-cluster" }));

  it("gets an ACTIVE 3-shard cluster, labelled as a test cluster and not deletion-protected", () => {
    expect(cluster.id).toMatch(/^suite-cluster-[a-z0-9]+-[0-9a-f]{6}$/);
    expect(cluster.cluster).toMatchObject({
      state: "ACTIVE",
      shardCount: 3,
      replicaCount: 0,
      deletionProtectionEnabled: false,
      labels: { "cacheplane-test": "true" },
    });
    expect(cluster.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
  });

  it("serves cluster commands on the handed-out URL", async () => {
    const redis = new Cluster([cluster.url]);
    try {
      expect(await redis.incr("{user1}visits")).toBe(1);
      expect(await redis.cluster("INFO")).toMatch(/cluster_state:ok/);
    } finally {
      redis.disconnect();
    }
  });

  afterAll(() => {
    lastClusterId = cluster.id;
  });
});
let lastClusterId = "";

describe("after the cluster suite", () => {
  it("its cluster was deleted", async () => {
    expect(lastClusterId).not.toBe("");
    expect(await status(lastClusterId, "clusters")).toBe(404);
  });

  it("a test that throws still gets its cluster deleted", async () => {
    const child = await runFailingFixture("failing-cluster");
    expect(child.output).toMatch(/throwing on purpose/);
    expect(child.code).not.toBe(0);
    expect(child.id).toMatch(/^fixture-cluster-/);
    expect(await status(child.id, "clusters")).toBe(404);
    expect(await verbsOf(child.id)).toEqual(["create", "delete"]);
  }, 90_000);
});
