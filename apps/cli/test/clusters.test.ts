// `cacheplane clusters …` against a real control plane, as a user runs it: stdout, stderr, exit
// codes, and a REDIS_URL that redis-cli's cluster mode follows across shards. One 3-shard
// cluster carries most assertions (a cluster takes seconds to create).
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { clusters } from "../src/commands/clusters.js";
import { loadCliEnv } from "../src/env.js";
import { exitCodeOf, messageOf } from "../src/exit-codes.js";
import { expectOneErrorLine, parseEnv, redisCliLines, runCli } from "./run-cli.js";

let cp: TestControlPlane;
let dataDir: string;
let env: Record<string, string>;
const cli = (args: string[], extra: Record<string, string | undefined> = {}) => runCli(args, { ...env, ...extra });

beforeAll(async () => {
  cp = await startTestControlPlane();
  dataDir = await mkdtemp(join(tmpdir(), "cacheplane-cli-clusters-"));
  env = { CACHEPLANE_URL: cp.url, CACHEPLANE_API_KEY: ADMIN_KEY, CACHEPLANE_DATA_DIR: dataDir };
});
afterAll(async () => {
  await cp?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The command group in this process (no child start-up): stdout, and the error's exit code and message. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; message: string }> {
  let stdout = "";
  const io = {
    out: (t: string) => {
      stdout += t;
    },
    err: () => undefined,
    errIsTTY: false,
    env: loadCliEnv(env),
  };
  try {
    await clusters(args, io);
    return { code: 0, stdout, message: "" };
  } catch (error) {
    return { code: exitCodeOf(error), stdout, message: messageOf(error) };
  }
}

const exec = promisify(execFile);
/** redis-cli in cluster mode (-c follows MOVED redirects to the shard that owns the key). */
async function redisCli(url: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec("redis-cli", ["-c", "-u", url, ...args], { timeout: 10_000 });
  return stdout.trim();
}

const setAll = (url: string) =>
  redisCliLines(
    url,
    KEYS.map((k) => `set ${k} v-${k}`),
    true,
  );
const getAll = (url: string) =>
  redisCliLines(
    url,
    KEYS.map((k) => `get ${k}`),
    true,
  );
const VALUES = () => KEYS.map((k) => `v-${k}`);

const KEYS = ["{a}x", "{b}x", "{c}x", "{d}x", "{e}x", "{f}x", "{g}x", "{h}x"];
let url = "";

describe("cacheplane clusters", () => {
  it("has --help on the group and every command, generated from each command's flag table", async () => {
    const subcommands = ["create", "list", "get", "update", "delete", "failover-shard", "events"];
    const [group, ...runs] = await Promise.all([inProcess(["--help"]), ...subcommands.map((s) => inProcess([s, s === "update" ? "-h" : "--help"]))]);
    for (const s of subcommands) expect(group.stdout).toMatch(new RegExp(`^  ${s} `, "m"));
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: cacheplane clusters /);
      expect(r.stdout).toMatch(/-o, --output FMT/);
    }
    const [create, , , update, , failover] = runs;
    for (const flag of [
      "--shard-count N",
      "--replica-count N",
      "--node-type TYPE",
      "--zone-distribution MODE",
      "--zone ZONE",
      "--persistence MODE",
      "--[no-]deletion-protection",
      "--label KEY=VALUE",
      "--request-id ID",
      "--wait",
      "--timeout DUR",
    ]) {
      expect(create!.stdout).toContain(`  ${flag}  `);
    }
    expect(update!.stdout).toContain("  --shard-count N  ");
    expect(update!.stdout).not.toContain("--zone-distribution");
    expect(failover!.stdout).toContain("  --shard ID  ");
    expect(failover!.stdout).toContain("  --data-protection-mode MODE  ");
    // And through the real command, as a user types it.
    const [real, top] = await Promise.all([cli(["clusters", "create", "--help"]), cli(["--help"])]);
    expect(real.code).toBe(0);
    expect(real.stdout).toBe(create!.stdout);
    expect(top.stdout).toMatch(/^ {2}clusters {4}create \| list \| get \| update \| delete \| failover-shard \| events/m);
  });

  it("rejects bad usage with the usage code 2, before the API or from it", async () => {
    const cases: [string[], RegExp][] = [
      [["create", "x", "--shard-count", "3", "--colour", "red"], /Unknown option '--colour'\. Run 'cacheplane clusters create --help'\./],
      [["create", "x"], /--shard-count is required/],
      [["create", "x", "--shard-count", "3", "-o", "env"], /needs --wait/],
      [["create", "x", "--shard-count", "3", "--zone-distribution", "everywhere"], /--zone-distribution must be one of MULTI_ZONE, SINGLE_ZONE/],
      [["create", "x", "--shard-count", "three"], /--shard-count must be a whole number/],
      [["create", "x", "--shard-count", "1", "--rdb-period", "ONE_HOUR", "--persistence", "AOF"], /--rdb-period does not go with --persistence AOF/],
      [["update", "x"], /nothing to update/],
      [["update", "x", "--deletion-protection", "--no-deletion-protection"], /--deletion-protection and --no-deletion-protection contradict each other/],
      [["failover-shard", "x"], /--shard is required/],
      [["failover-shard", "x", "--shard", "first"], /--shard must be a shard id such as 0001/],
      [["events", "x", "-o", "env"], /--output must be one of table, json/],
      [["reshard", "x"], /unknown command 'clusters reshard'/],
    ];
    for (const [args, pattern] of cases) {
      const r = await inProcess(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.message).toMatch(pattern);
    }
    // The real command: exit code and one line on stderr, for a local check, the API's INVALID_ARGUMENT and NOT_FOUND.
    const [noId, invalid, missing] = await Promise.all([
      cli(["clusters", "create"]),
      cli(["clusters", "create", "x", "--shard-count", "65"]),
      cli(["clusters", "get", "no-such"]),
    ]);
    expect(noId.code).toBe(2);
    expectOneErrorLine(noId, /missing id/);
    expect(invalid.code).toBe(2);
    expectOneErrorLine(invalid, /shardCount: .*\(INVALID_ARGUMENT\)/);
    expect(missing.code).toBe(3);
    expectOneErrorLine(missing, /clusters\/no-such not found \(NOT_FOUND\)/);
  });

  it("creates with --wait -o env: REDIS_URL, REDIS_CLUSTER=1 and the name; redis-cli -c works across shards", async () => {
    // A second, 1-shard cluster without --wait, in parallel: its Operation is waited for below.
    const C2_FLAGS = [
      "--shard-count",
      "1",
      "--zone",
      "local1-b",
      "--persistence",
      "rdb",
      "--rdb-period",
      "one_hour",
      "--node-type",
      "redis_shared_core_nano",
      "--request-id",
      "c2-create-1",
    ];
    const [r, started] = await Promise.all([
      cli(["clusters", "create", "c1", "--shard-count", "3", "--label", "team=cli", "--deletion-protection", "--wait", "-o", "env"]),
      cli(["clusters", "create", "c2", ...C2_FLAGS, "-o", "json"]),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^creating c1: .+\(\d+\.\ds\)$/m);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no terminal escape may reach a log
    expect(r.stderr).not.toMatch(/\r|\x1b/);
    const vars = parseEnv(r.stdout);
    expect(Object.keys(vars)).toEqual(["REDIS_URL", "REDIS_CLUSTER", "CACHEPLANE_CLUSTER"]);
    expect(vars.REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(vars.REDIS_CLUSTER).toBe("1");
    expect(vars.CACHEPLANE_CLUSTER).toBe("projects/default/locations/local1/clusters/c1");
    url = vars.REDIS_URL!;
    expect(await redisCli(url, "set", "{z}x", "1")).toBe("OK");
    expect(await redisCli(url, "get", "{z}x")).toBe("1");
    expect(await setAll(url)).toEqual(KEYS.map(() => "OK"));
    expect(await getAll(url)).toEqual(VALUES());
    expect(await redisCli(url, "cluster", "info")).toMatch(/cluster_state:ok/);

    expect(started.code).toBe(0);
    const op = JSON.parse(started.stdout);
    expect(op).toMatchObject({ done: false, metadata: { verb: "create", target: "projects/default/locations/local1/clusters/c2" } });
    // The same request id again: the same Operation, no second create.
    const retried = await cli(["clusters", "create", "c2", ...C2_FLAGS, "-o", "json"]);
    expect(retried.code, retried.stderr).toBe(0);
    expect(JSON.parse(retried.stdout).name).toBe(op.name);
    const waited = await cli(["operations", "wait", op.name.split("/").pop(), "-o", "env"]);
    expect(waited.code, waited.stderr).toBe(0);
    expect(parseEnv(waited.stdout)).toMatchObject({
      REDIS_URL: expect.stringMatching(/^redis:\/\/127\.0\.0\.1:\d+$/),
      REDIS_CLUSTER: "1",
      CACHEPLANE_CLUSTER: "projects/default/locations/local1/clusters/c2",
    });
    // Every flag reached the API.
    const c2 = (await cp.api("GET", "/v1/projects/default/locations/local1/clusters/c2")).body;
    expect(c2).toMatchObject({
      state: "ACTIVE",
      nodeType: "REDIS_SHARED_CORE_NANO",
      zoneDistributionConfig: { mode: "SINGLE_ZONE", zone: "local1-b" },
      persistenceConfig: { mode: "RDB", rdbConfig: { rdbSnapshotPeriod: "ONE_HOUR" } },
    });
    expect(c2.shards[0].nodes.map((n: { zone: string }) => n.zone)).toEqual(["local1-b"]);
    const deleted = await cli(["clusters", "delete", "c2"]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/Running\. Follow it with: cacheplane operations wait /);
  }, 120_000);

  it("gets and lists as a table (with each shard's slots and nodes), JSON and env lines; status counts clusters", async () => {
    const [one, asJson, table, listJson, listEnv, status] = await Promise.all([
      cli(["clusters", "get", "c1"]),
      cli(["clusters", "get", "projects/default/locations/local1/clusters/c1", "-o", "json"]),
      cli(["clusters", "list"]),
      cli(["clusters", "list", "-o", "json"]),
      cli(["clusters", "list", "-o", "env"]),
      cli(["status"]),
    ]);
    expect(one.stdout).toMatch(/^name:\s+projects\/default\/locations\/local1\/clusters\/c1$/m);
    expect(one.stdout).toMatch(/^state:\s+ACTIVE$/m);
    expect(one.stdout).toMatch(/^deletionProtection:\s+true$/m);
    expect(one.stdout).toMatch(/^SHARD\s+SLOTS\s+NODE\s+ROLE\s+STATE\s+ADDRESS\s+ZONE\s+VERSION$/m);
    expect(one.stdout).toMatch(/^0001\s+0-5461\s+\S+\s+PRIMARY\s+READY\s+127\.0\.\d+\.\d+:\d+\s+local1-/m);
    expect(one.stdout).toMatch(/^0003\s+10923-16383\s+/m);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ state: "ACTIVE", shardCount: 3, replicaCount: 0, labels: { team: "cli" } });
    expect(table.stdout).toMatch(/^CLUSTER\s+SHARDS\s+REPLICAS\s+NODE TYPE\s+SIZE\s+STATE\s+ENDPOINT\s+ZONES\s+PROTECTED$/m);
    expect(table.stdout).toMatch(
      new RegExp(`^c1\\s+3\\s+0\\s+REDIS_HIGHMEM_MEDIUM\\s+\\d+GB\\s+ACTIVE\\s+${url.slice("redis://".length)}\\s+MULTI_ZONE\\s+yes$`, "m"),
    );
    expect(JSON.parse(listJson.stdout).map((c: { name: string }) => c.name)).toContain("projects/default/locations/local1/clusters/c1");
    expect(listEnv.stdout).toContain(`REDIS_URL_C1=${url}\nREDIS_CLUSTER_C1=1\n`);
    expect(status.stdout).toMatch(/^instances: 0\nclusters: [12] \(.*ACTIVE.*\)\n$/m);
  });

  it("refuses what the cluster's state forbids: duplicate (4), delete while protected and failover without replicas (1)", async () => {
    const [duplicate, protectedDelete, noReplica] = await Promise.all([
      cli(["clusters", "create", "c1", "--shard-count", "1"]),
      cli(["clusters", "delete", "c1", "--wait"]),
      cli(["clusters", "failover-shard", "c1", "--shard", "1"]),
    ]);
    expect(duplicate.code).toBe(4);
    expectOneErrorLine(duplicate, /already exists \(ALREADY_EXISTS\)/);
    expect(protectedDelete.code).toBe(1);
    expectOneErrorLine(protectedDelete, /deletionProtectionEnabled.*\(FAILED_PRECONDITION\)/);
    expect(noReplica.code).toBe(1);
    expectOneErrorLine(noReplica, /replica.*\(FAILED_PRECONDITION\)/);
  });

  it("updates --replica-count 1 --no-deletion-protection with --wait: every shard gets a replica, the data stays", async () => {
    const r = await cli(["clusters", "update", "c1", "--replica-count", "1", "--no-deletion-protection", "--wait", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/updating c1: /);
    const cluster = JSON.parse(r.stdout);
    expect(cluster).toMatchObject({ state: "ACTIVE", shardCount: 3, replicaCount: 1, deletionProtectionEnabled: false });
    for (const shard of cluster.shards) expect(shard.nodes.map((n: { role: string }) => n.role).sort()).toEqual(["PRIMARY", "REPLICA"]);
    expect(await getAll(url)).toEqual(VALUES());
  });

  it("fails shard 0001 over with --wait: a replica becomes its primary and the data stays", async () => {
    const before = JSON.parse((await cli(["clusters", "get", "c1", "-o", "json"])).stdout);
    const primaryOf = (c: { shards: { id: string; nodes: { id: string; role: string }[] }[] }) => c.shards[0]!.nodes.find((n) => n.role === "PRIMARY")?.id;
    const r = await cli(["clusters", "failover-shard", "c1", "--shard", "0001", "--data-protection-mode", "limited_data_loss", "--wait", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/failing over c1 shard 0001: /);
    const after = JSON.parse(r.stdout);
    expect(primaryOf(after)).toBeDefined();
    expect(primaryOf(after)).not.toBe(primaryOf(before));
    expect(await getAll(url)).toEqual(VALUES());
    expect(await redisCli(url, "set", "{a}after", "1")).toBe("OK");
  });

  it("shows the event log, newest first", async () => {
    const [table, limited] = await Promise.all([cli(["clusters", "events", "c1"]), cli(["clusters", "events", "c1", "--limit", "2", "-o", "json"])]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^TIME\s+TYPE\s+MESSAGE$/m);
    expect(table.stdout).toMatch(/\sCREATE_REQUESTED\s/);
    expect(table.stdout).toMatch(/\sFAILOVER_REQUESTED\s+Manual failover of shard 0001/);
    const last = table.stdout.trimEnd().split("\n").pop()!;
    expect(last).toMatch(/\sCREATE_REQUESTED\s/);
    expect(JSON.parse(limited.stdout)).toHaveLength(2);
  });

  it("deletes with --wait", async () => {
    const r = await cli(["clusters", "delete", "c1", "--wait"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("Deleted cluster c1.\n");
    expect(r.stderr).toMatch(/deleting c1: /);
    await expect.poll(async () => (await cli(["clusters", "list"])).stdout, { timeout: 30_000, interval: 200 }).toBe("No clusters.\n");
  });
});
