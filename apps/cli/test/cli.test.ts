// The `cacheplane` command against a real control plane: stdout, stderr and exit codes.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { isPortOpen } from "../../../test/support/net.js";
import { expectOneErrorLine, parseEnv, runCli, runCliInTty } from "./run-cli.js";

let cp: TestControlPlane;
let dataDir: string;
let env: Record<string, string>;
const cli = (args: string[], extra: Record<string, string | undefined> = {}) => runCli(args, { ...env, ...extra });

beforeAll(async () => {
  cp = await startTestControlPlane();
  dataDir = await mkdtemp(join(tmpdir(), "cacheplane-cli-"));
  env = { CACHEPLANE_URL: cp.url, CACHEPLANE_API_KEY: ADMIN_KEY, CACHEPLANE_DATA_DIR: dataDir };
});
afterAll(async () => {
  await cp?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function gone(id: string) {
  await expect
    .poll(async () => (await cp.api("GET", `/v1/projects/default/locations/local1/instances/${id}`)).status, { timeout: 30_000, interval: 100 })
    .toBe(404);
}

/** After any progress lines, the last line on stderr is the one error line; nothing on stdout. */
function expectErrorLast(result: { stdout: string; stderr: string }, pattern: RegExp) {
  expect(result.stdout).toBe("");
  const last = result.stderr.trimEnd().split("\n").pop()!;
  expect(last).toMatch(/^cacheplane: /);
  expect(last).toMatch(pattern);
}

describe("cacheplane CLI", () => {
  it("has --help everywhere", async () => {
    const runs = await Promise.all(
      [
        ["--help"],
        ["instances", "--help"],
        ["instances", "create", "--help"],
        ["instances", "failover", "-h"],
        ["operations", "wait", "--help"],
        ["locations", "--help"],
        ["zones", "fail", "--help"],
        ["keys", "create", "--help"],
        ["up", "--help"],
        ["down", "--help"],
        ["status", "--help"],
      ].map((a) => cli(a)),
    );
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: cacheplane/);
    }
    expect(runs[0]!.stdout).toMatch(/Exit codes: 0 ok, 1 failed, 2 usage/);
    expect(runs[2]!.stdout).toMatch(/--ttl DURATION/);
    expect(runs[2]!.stdout).toMatch(/--output FMT/);
  });

  it("creates with --wait -o env: only REDIS_URL on stdout, progress lines on stderr, a URL that works", async () => {
    const r = await cli(["instances", "create", "cli-a", "--auth", "--ttl", "1800s", "--label", "team=cli", "--wait", "--output", "env"]);
    expect(r.stderr).toMatch(/^creating cli-a: .+\(\d+\.\ds\)$/m);
    expect(r.stderr).toMatch(/creating cli-a: Completed/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no terminal escape may reach a log
    expect(r.stderr).not.toMatch(/\r|\x1b/);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const match = /^REDIS_URL=(redis:\/\/:[A-Za-z0-9%._-]+@127\.0\.0\.1:\d+)$/.exec(lines[0]!);
    expect(match).not.toBeNull();
    const redis = new Redis(match![1]!, { maxRetriesPerRequest: 1 });
    try {
      expect(await redis.set("cli", "ok")).toBe("OK");
    } finally {
      redis.disconnect();
    }
    // --ttl reached the API.
    const got = await cli(["instances", "get", "cli-a", "-o", "json"]);
    const instance = JSON.parse(got.stdout);
    expect(instance).toMatchObject({ state: "READY", authEnabled: true, labels: { team: "cli" } });
    const lifetime = Date.parse(instance.expireTime) - Date.parse(instance.createTime);
    expect(Math.abs(lifetime - 1_800_000)).toBeLessThan(60_000);
  });

  it("lists and gets as a table, JSON and env lines", async () => {
    const [table, asJson, asEnv, one] = await Promise.all([
      cli(["instances", "list"]),
      cli(["instances", "list", "-o", "json"]),
      cli(["instances", "list", "-o", "env"]),
      cli(["instances", "get", "cli-a"]),
    ]);
    expect(table.stdout).toMatch(/^INSTANCE\s+TIER\s+MEMORY\s+STATE\s+ENDPOINT/);
    expect(table.stdout).toMatch(/^cli-a\s+BASIC\s+1GB\s+READY\s+127\.0\.0\.1:\d+\s+local1-a\s+yes/m);
    expect(JSON.parse(asJson.stdout).map((i: { name: string }) => i.name)).toEqual(["projects/default/locations/local1/instances/cli-a"]);
    expect(asEnv.stdout).toMatch(/^REDIS_URL_CLI_A=redis:\/\/:\S+@127\.0\.0\.1:\d+\n$/);
    expect(one.stdout).toMatch(/^name:\s+projects\/default\/locations\/local1\/instances\/cli-a$/m);
    expect(one.stdout).toMatch(/^state:\s+READY$/m);
  });

  it("updates with --wait and prints the updated instance", async () => {
    const r = await cli(["instances", "update", "cli-a", "--memory-size-gb", "2", "--redis-config", "maxmemory-policy=allkeys-lru", "--wait", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ memorySizeGb: 2, redisConfigs: { "maxmemory-policy": "allkeys-lru" }, state: "READY" });
    expect(r.stderr).toMatch(/updating cli-a: /);
  });

  it("exits with distinct codes and one human line: usage 2, not found 3, conflict 4, server 5, auth 6", async () => {
    const closed = await closedPort();
    const [missing, duplicate, invalid, unknownFlag, noId, envNoWait, badKey, unreachable, unknownCommand] = await Promise.all([
      cli(["instances", "get", "no-such"]),
      cli(["instances", "create", "cli-a"]),
      cli(["instances", "create", "cli-bad", "--memory-size-gb", "0"]),
      cli(["instances", "create", "x", "--colour", "red"]),
      cli(["instances", "create"]),
      cli(["instances", "create", "x", "-o", "env"]),
      cli(["instances", "list"], { CACHEPLANE_API_KEY: "cp_000000000000_wrong" }),
      cli(["instances", "list"], { CACHEPLANE_URL: `http://127.0.0.1:${closed}` }),
      cli(["instancez"]),
    ]);
    expect(missing.code).toBe(3);
    expectOneErrorLine(missing, /instances\/no-such not found \(NOT_FOUND\)/);
    expect(duplicate.code).toBe(4);
    expectOneErrorLine(duplicate, /already exists \(ALREADY_EXISTS\)/);
    expect(invalid.code).toBe(2);
    expectOneErrorLine(invalid, /memorySizeGb: .*\(INVALID_ARGUMENT\)/);
    expect(unknownFlag.code).toBe(2);
    expectOneErrorLine(unknownFlag, /Unknown option '--colour'\. Run 'cacheplane instances create --help'\./);
    expect(noId.code).toBe(2);
    expectOneErrorLine(noId, /missing id/);
    expect(envNoWait.code).toBe(2);
    expectOneErrorLine(envNoWait, /needs --wait/);
    expect(badKey.code).toBe(6);
    expectOneErrorLine(badKey, /UNAUTHENTICATED/);
    expect(unreachable.code).toBe(5);
    expectOneErrorLine(unreachable, new RegExp(`cannot reach cacheplane at http://127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED\\) \\(UNAVAILABLE\\)`));
    expect(unknownCommand.code).toBe(2);
    expectOneErrorLine(unknownCommand, /unknown command 'instancez'/);
  });

  it("sends failover to the API and reports its answer", async () => {
    const r = await cli(["instances", "failover", "cli-a", "--data-protection-mode", "force_data_loss"]);
    // Until the endpoint exists the API says NOT_FOUND for the method; either way the CLI must
    // show the API's own words and a non-zero code.
    expect(r.code).not.toBe(0);
    expectOneErrorLine(r, /instances\/cli-a:failover|FAILED_PRECONDITION|STANDARD_HA/);
    const bad = await cli(["instances", "failover", "cli-a", "--data-protection-mode", "maybe"]);
    expect(bad.code).toBe(2);
  });

  it("operations: a create without --wait prints its operation; list, get and wait it", async () => {
    const started = await cli(["instances", "create", "cli-b", "-o", "json"]);
    expect(started.code).toBe(0);
    const op = JSON.parse(started.stdout);
    expect(op).toMatchObject({ done: false, metadata: { verb: "create" } });
    const id = op.name.split("/").pop();

    const waited = await cli(["operations", "wait", id, "-o", "env"]);
    expect(waited.code).toBe(0);
    expect(waited.stdout).toMatch(/^REDIS_URL=redis:\/\/127\.0\.0\.1:\d+\n$/);

    const [listed, got] = await Promise.all([cli(["operations", "list", "--limit", "2"]), cli(["operations", "get", id])]);
    expect(listed.stdout.trimEnd().split("\n")).toHaveLength(3);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+create\\s+cli-b\\s+DONE`, "m"));
    expect(got.stdout).toMatch(/^status:\s+DONE$/m);
  });

  it("operations cancel rolls back a create; waiting for it then fails with exit 1", async () => {
    await cp.worker!.stop();
    try {
      const started = await cli(["instances", "create", "cli-cancel", "-o", "json"]);
      const id = JSON.parse(started.stdout).name.split("/").pop();
      const cancelled = await cli(["operations", "cancel", id]);
      expect(cancelled.code).toBe(0);
      expect(cancelled.stdout).toMatch(/Cancel requested/);
      const waited = await cli(["operations", "wait", id]);
      expect(waited.code).toBe(1);
      expectErrorLast(waited, /Operation was cancelled\. \(CANCELLED\)/);
    } finally {
      await cp.startWorker();
    }
    await gone("cli-cancel");
  });

  it("--wait runs out of time with exit 7 and says so", async () => {
    await cp.worker!.stop();
    try {
      const r = await cli(["instances", "create", "cli-slow", "--wait", "--timeout", "1s"]);
      expect(r.code).toBe(7);
      expectErrorLast(r, /^cacheplane: operation .* is not done after 1s .*\(DEADLINE_EXCEEDED\)$/);
    } finally {
      await cp.startWorker();
    }
    await cp.api("DELETE", "/v1/projects/default/locations/local1/instances/cli-slow");
    await gone("cli-slow");
  });

  it("shows a spinner with the statusDetail on a terminal", async () => {
    const r = await runCliInTty(["instances", "create", "cli-tty", "--wait"], env);
    expect(r.code).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the spinner is drawn with escapes
    expect(r.stdout).toMatch(/\r\x1b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] creating cli-tty: /);
    expect(r.stdout).toMatch(/state:\s+READY/);
    const deleted = await cli(["instances", "delete", "cli-tty", "--wait"]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe("Deleted instance cli-tty.\n");
  });

  it("keys: create (-o env), use, list, revoke", async () => {
    const created = await cli(["keys", "create", "ci pipeline", "-o", "env"]);
    expect(created.code).toBe(0);
    // The key, and its AWS credentials for the MemoryDB API, as lines a shell can eval.
    const env = parseEnv(created.stdout);
    expect(Object.keys(env).sort()).toEqual(["AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_SECRET_ACCESS_KEY", "CACHEPLANE_API_KEY"]);
    expect(env.AWS_ACCESS_KEY_ID).toMatch(/^AKCP[A-Z2-7]{16}$/);
    expect(env.AWS_DEFAULT_REGION).toBe("local1");
    const key = /^(cp_\S+)$/.exec(env.CACHEPLANE_API_KEY!)?.[1];
    expect(key).toBeDefined();
    const asNewKey = await cli(["instances", "list", "-o", "json"], { CACHEPLANE_API_KEY: key });
    expect(asNewKey.code).toBe(0);

    const listed = await cli(["keys", "list"]);
    const id = key!.split("_")[1]!;
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+ci pipeline\\s+default\\s+\\S+\\s+-$`, "m"));

    const revoked = await cli(["keys", "revoke", id]);
    expect(revoked.stdout).toBe(`Revoked key ${id} (ci pipeline).\n`);
    expect((await cli(["instances", "list"], { CACHEPLANE_API_KEY: key })).code).toBe(6);
  });

  it("locations list and status", async () => {
    const [locations, status] = await Promise.all([cli(["locations", "list", "-o", "json"]), cli(["status"], { CACHEPLANE_DATA_DIR: dataDir })]);
    expect(JSON.parse(locations.stdout)[0]).toMatchObject({ locationId: "local1" });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^cacheplane is up at ${cp.url}\\ninstances: 2 \\(2 READY\\)\\n$`));
  });

  it("finds the API through the cli.json that `up` writes when no flag or env names it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cacheplane-cfg-"));
    try {
      const keyFile = join(dir, "admin-key");
      await writeFile(keyFile, `${ADMIN_KEY}\n`);
      await writeFile(join(dir, "cli.json"), JSON.stringify({ url: cp.url, apiKeyFile: keyFile }));
      const viaConfig = await runCli(["instances", "get", "cli-b", "-o", "json"], { CACHEPLANE_DATA_DIR: dir });
      expect(viaConfig.code).toBe(0);
      expect(JSON.parse(viaConfig.stdout).name).toMatch(/instances\/cli-b$/);

      await writeFile(join(dir, "cli.json"), JSON.stringify({ url: cp.url }));
      const noKey = await runCli(["instances", "list"], { CACHEPLANE_DATA_DIR: dir });
      expect(noKey.code).toBe(2);
      expectOneErrorLine(noKey, /no API key: pass --api-key, set CACHEPLANE_API_KEY/);

      // Flags win over everything.
      const flags = await runCli(["instances", "list", "--url", cp.url, "--api-key", ADMIN_KEY, "-o", "json"], {
        CACHEPLANE_DATA_DIR: dir,
        CACHEPLANE_URL: "http://127.0.0.1:9",
      });
      expect(flags.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("zones: fail stops the nodes in a zone and recover brings them back; list shows each state; only an admin key may", async () => {
    const created = await cli(["instances", "create", "cli-zone", "--tier", "BASIC", "--memory-size-gb", "1", "--zone", "local1-c", "--wait", "-o", "env"]);
    expect(created.code, created.stderr).toBe(0);
    const url = new URL(parseEnv(created.stdout).REDIS_URL!);
    const failed = await cli(["zones", "fail", "local1-c"]);
    expect(failed).toMatchObject({ code: 0, stdout: "Zone local1-c is DOWN.\n", stderr: "" });
    expect((await cli(["zones", "list"])).stdout).toBe("ZONE      STATE\nlocal1-a  UP\nlocal1-b  UP\nlocal1-c  DOWN\n");
    await expect.poll(() => isPortOpen(url.hostname, Number(url.port)), { timeout: 30_000, interval: 100 }).toBe(false);

    const recovered = await cli(["zones", "recover", "projects/default/locations/local1/zones/local1-c", "-o", "json"]);
    expect(JSON.parse(recovered.stdout)).toMatchObject({ name: "projects/default/locations/local1/zones/local1-c", state: "UP" });
    await expect.poll(() => isPortOpen(url.hostname, Number(url.port)), { timeout: 30_000, interval: 100 }).toBe(true);
    expect(JSON.parse((await cli(["zones", "list", "-o", "json"])).stdout)).toEqual([
      { zone: "local1-a", state: "UP" },
      { zone: "local1-b", state: "UP" },
      { zone: "local1-c", state: "UP" },
    ]);

    const editor = parseEnv((await cli(["keys", "create", "zones", "--scope", "default", "-o", "env"])).stdout).CACHEPLANE_API_KEY!;
    const denied = await cli(["zones", "fail", "local1-a"], { CACHEPLANE_API_KEY: editor });
    expect(denied.code).toBe(6);
    expectOneErrorLine(denied, /PERMISSION_DENIED/);
    const unknown = await cli(["zones", "fail", "local1-z"]);
    expect(unknown.code).toBe(3);
    expect((await cli(["zones", "fail"])).code).toBe(2);
    expect((await cli(["instances", "delete", "cli-zone", "--wait"])).code).toBe(0);
  });

  it("deletes with --wait", async () => {
    const results = await Promise.all(["cli-a", "cli-b"].map((id) => cli(["instances", "delete", id, "--wait", "-o", "json"])));
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ done: true });
    }
    expect((await cli(["instances", "list"])).stdout).toBe("No instances.\n");
  });
});
