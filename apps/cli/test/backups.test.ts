// `cacheplane backups …`, `instances import|export` and `clusters create --from-backup` against a
// real control plane: stdout, stderr, exit codes, files in the bucket, and keys read back with
// redis-cli from the caches a backup was restored into. One instance's backup carries most
// assertions. Commands run in this process (the command groups main.ts dispatches to, with its
// error line), since a child costs a second of CPU; the real command runs where only it can
// show something: the top-level help, and the one-line error and exit code of a child.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { backups } from "../src/commands/backups.js";
import { clusters } from "../src/commands/clusters.js";
import { instances } from "../src/commands/instances.js";
import { operations } from "../src/commands/operations.js";
import type { Io } from "../src/context.js";
import { loadCliEnv } from "../src/env.js";
import { exitCodeOf, messageOf } from "../src/exit-codes.js";
import { expectOneErrorLine, parseEnv, redisCliLines, runCli, type CliResult } from "./run-cli.js";

const LOC = "projects/default/locations/local1";
const KEYS = Array.from({ length: 40 }, (_, i) => `k:${i}`);
const VALUES = KEYS.map((k) => `v-${k}`);

let cp: TestControlPlane;
let dataDir: string;
let env: Record<string, string>;
const cli = (args: string[]) => runCli(args, env);

beforeAll(async () => {
  cp = await startTestControlPlane();
  dataDir = await mkdtemp(join(tmpdir(), "cacheplane-cli-backups-"));
  env = { CACHEPLANE_URL: cp.url, CACHEPLANE_API_KEY: ADMIN_KEY, CACHEPLANE_DATA_DIR: dataDir };
});
afterAll(async () => {
  await cp?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const GROUPS: Record<string, (argv: string[], io: Io) => Promise<void>> = { backups, clusters, instances, operations };

/** `cacheplane <group> …` in this process: stdout, stderr (progress, then main.ts's one error line) and the exit code. */
async function run(args: string[]): Promise<CliResult> {
  const [group, ...rest] = args;
  let stdout = "";
  let stderr = "";
  const io: Io = {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
    errIsTTY: false,
    env: loadCliEnv(env),
  };
  try {
    await GROUPS[group!]!(rest, io);
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: exitCodeOf(error), stdout, stderr: `${stderr}cacheplane: ${messageOf(error)}\n` };
  }
}

const getAll = (url: string, cluster = false) =>
  redisCliLines(
    url,
    KEYS.map((k) => `get ${k}`),
    cluster,
  );

let srcUrl = "";
let dstUrl = "";
let full = ""; // the backup's full name
let short = ""; // <collection>/<backup id>, as `backups list` prints it

describe("cacheplane backups", () => {
  it("has --help on the group and every command, from each command's flag table", async () => {
    const subcommands = ["create", "list", "get", "delete", "export"];
    const [group, ...runs] = await Promise.all([run(["backups", "--help"]), ...subcommands.map((s) => run(["backups", s, "--help"]))]);
    for (const s of subcommands) expect(group.stdout).toMatch(new RegExp(`^  ${s}( <name>)? `, "m"));
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: cacheplane backups /);
    }
    for (const flag of ["--instance ID", "--cluster ID", "--backup-id ID", "--ttl DUR", "--request-id ID", "--wait", "--timeout DUR"])
      expect(runs[0]!.stdout).toContain(`  ${flag}  `);
    expect(runs[1]!.stdout).toContain("  --collection UID  ");
    expect(runs[4]!.stdout).toContain("  --bucket BUCKET  ");
    const [importHelp, exportHelp, clusterCreate, instancesGroup] = await Promise.all([
      run(["instances", "import", "--help"]),
      run(["instances", "export", "-h"]),
      run(["clusters", "create", "--help"]),
      run(["instances", "--help"]),
    ]);
    expect(importHelp.stdout).toContain("  --uri URI  ");
    expect(importHelp.stdout).toContain("  --backup NAME  ");
    expect(exportHelp.stdout).toContain("  --uri URI  ");
    expect(clusterCreate.stdout).toContain("  --from-backup NAME  ");
    expect(instancesGroup.stdout).toMatch(/^ {2}import <id> /m);
    // And through the real command, as a user types it.
    const top = await cli(["--help"]);
    expect(top.stdout).toMatch(/^ {2}backups {5}create \| list \| get \| delete \| export/m);
    expect(top.stdout).toMatch(/^ {2}instances {3}.* \| import \| export$/m);
  });

  it("rejects bad usage with the usage code 2 and one line, before the API", async () => {
    const cases: [string[], RegExp][] = [
      [["backups", "create"], /exactly one of --instance or --cluster/],
      [["backups", "create", "--instance", "a", "--cluster", "b"], /exactly one of --instance or --cluster/],
      [["backups", "create", "--instance", "a", "--ttl", "1w"], /--ttl must be a duration such as 7d/],
      [["backups", "create", "--instance", "a", "-o", "env"], /needs --wait/],
      [["backups", "create", "a"], /unexpected argument 'a'/],
      [["backups", "get", "seed"], /must be a backup's full name or <collection>\/<backup id>/],
      [["backups", "get"], /missing name/],
      [["backups", "export", "x/seed"], /--bucket is required/],
      [["backups", "list", "-o", "env"], /--output must be one of table, json/],
      [["backups", "restore", "x"], /unknown command 'backups restore'/],
      [["instances", "import", "a"], /exactly one of --uri or --backup/],
      [["instances", "import", "a", "--uri", "gs://b/o", "--backup", "c/d"], /exactly one of --uri or --backup/],
      [["instances", "import", "a", "--backup", "nope"], /--backup must be a backup's full name/],
      [["instances", "export", "a"], /--uri is required/],
      [["clusters", "create", "a", "--shard-count", "1", "--from-backup", "x"], /--from-backup must be a backup's full name/],
    ];
    for (const [args, pattern] of cases) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expectOneErrorLine(r, pattern);
    }
  });

  it("backs an instance up with --wait -o env: CACHEPLANE_BACKUP is its full name; refusals have their exit codes", async () => {
    const [src, dst] = await Promise.all([
      run(["instances", "create", "src", "--wait", "-o", "env"]),
      run(["instances", "create", "dst", "--wait", "-o", "env"]),
    ]);
    expect(src.code, src.stderr).toBe(0);
    expect(dst.code, dst.stderr).toBe(0);
    srcUrl = parseEnv(src.stdout).REDIS_URL!;
    dstUrl = parseEnv(dst.stdout).REDIS_URL!;
    expect(
      await redisCliLines(
        srcUrl,
        KEYS.map((k) => `set ${k} v-${k}`),
      ),
    ).toEqual(KEYS.map(() => "OK"));
    expect(await redisCliLines(dstUrl, ["set only-dst 1"])).toEqual(["OK"]);

    const r = await cli(["backups", "create", "--instance", "src", "--backup-id", "seed", "--ttl", "7d", "--wait", "-o", "env"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^backing up src: .+\(\d+\.\ds\)$/m);
    const vars = parseEnv(r.stdout);
    expect(Object.keys(vars)).toEqual(["CACHEPLANE_BACKUP"]);
    full = vars.CACHEPLANE_BACKUP!;
    const m = new RegExp(`^${LOC}/backupCollections/([0-9a-f-]+)/backups/seed$`).exec(full);
    expect(m, full).not.toBeNull();
    short = `${m![1]}/seed`;

    const [tooShort, noSource, duplicate] = await Promise.all([
      run(["backups", "create", "--instance", "src", "--ttl", "12h"]),
      run(["backups", "create", "--cluster", "no-such"]),
      run(["backups", "create", "--instance", "src", "--backup-id", "seed", "--wait"]),
    ]);
    expect(tooShort.code).toBe(2);
    expectOneErrorLine(tooShort, /ttl.*1 day.*\(INVALID_ARGUMENT\)/);
    expect(noSource.code).toBe(3);
    expectOneErrorLine(noSource, /clusters\/no-such not found \(NOT_FOUND\)/);
    expect(duplicate.code).toBe(4);
    expectOneErrorLine(duplicate, /backups\/seed already exists \(ALREADY_EXISTS\)/);
  });

  it("lists as a table (short names) and JSON, and gets by short or full name", async () => {
    const uid = short.split("/")[0]!;
    const [table, asJson, one, oneJson, collection, other] = await Promise.all([
      run(["backups", "list"]),
      run(["backups", "list", "-o", "json"]),
      run(["backups", "get", short]),
      run(["backups", "get", full, "-o", "json"]),
      run(["backups", "list", "--collection", uid, "-o", "json"]),
      run(["backups", "list", "--collection", "no-such-collection"]),
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^BACKUP\s+SOURCE\s+SHARDS\s+SIZE\s+STATE\s+CREATED\s+EXPIRES$/m);
    expect(table.stdout).toMatch(new RegExp(`^${short}\\s+instance src\\s+1\\s+[\\d.]+K?B\\s+ACTIVE\\s+\\S+\\s+\\S+$`, "m"));
    expect(JSON.parse(asJson.stdout).map((b: { name: string }) => b.name)).toEqual([full]);
    expect(one.stdout).toMatch(new RegExp(`^name:\\s+${full}$`, "m"));
    expect(one.stdout).toMatch(/^state:\s+ACTIVE$/m);
    expect(one.stdout).toMatch(new RegExp(`^source:\\s+${LOC}/instances/src$`, "m"));
    const backup = JSON.parse(oneJson.stdout);
    expect(backup).toMatchObject({ name: full, instance: `${LOC}/instances/src`, shardCount: 1, backupFiles: [{ fileName: "shard-0001.rdb" }] });
    expect(Date.parse(backup.expireTime) - Date.parse(backup.createTime)).toBeGreaterThan(7 * 86_400_000 - 10_000);
    expect(Date.parse(backup.expireTime) - Date.parse(backup.createTime)).toBeLessThan(7 * 86_400_000 + 10_000);
    expect(JSON.parse(collection.stdout)).toHaveLength(1);
    expect(other.code).toBe(3);
  });

  it("imports the backup into another instance and restores it into a new 2-shard cluster, in parallel", async () => {
    const [imported, cluster] = await Promise.all([
      run(["instances", "import", "dst", "--backup", short, "--wait", "-o", "env"]),
      cli(["clusters", "create", "restored", "--shard-count", "2", "--node-type", "redis_shared_core_nano", "--from-backup", full, "--wait", "-o", "env"]),
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/^importing into dst: /m);
    expect(parseEnv(imported.stdout)).toEqual({ REDIS_URL: dstUrl });
    expect(await getAll(dstUrl)).toEqual(VALUES);
    expect(await redisCliLines(dstUrl, ["get only-dst", "dbsize"])).toEqual(["", String(KEYS.length)]);

    expect(cluster.code, cluster.stderr).toBe(0);
    const clusterUrl = parseEnv(cluster.stdout).REDIS_URL!;
    expect(await getAll(clusterUrl, true)).toEqual(VALUES);
    const restored = (await cp.api("GET", `/v1/${LOC}/clusters/restored`)).body;
    expect(restored).toMatchObject({ state: "ACTIVE", shardCount: 2 });

    const missing = await cli(["instances", "import", "dst", "--backup", `${short.split("/")[0]}/gone`, "--wait"]);
    expect(missing.code).toBe(3);
    expectOneErrorLine(missing, /backups\/gone not found \(NOT_FOUND\)/);
  }, 90_000);

  it("exports an instance to a bucket and imports that file back with --uri", async () => {
    const exported = await run(["instances", "export", "src", "--uri", "gs://cli-bucket/dumps/src.rdb", "--wait"]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe("Exported instance src to gs://cli-bucket/dumps/src.rdb.\n");
    expect((await readFile(join(cp.bucketsRoot, "cli-bucket", "dumps", "src.rdb"))).subarray(0, 5).toString()).toBe("REDIS");

    expect(await redisCliLines(dstUrl, ["set only-dst 2"])).toEqual(["OK"]);
    const started = await run(["instances", "import", "dst", "--uri", "gs://cli-bucket/dumps/src.rdb", "-o", "json"]);
    expect(started.code, started.stderr).toBe(0);
    const op = JSON.parse(started.stdout);
    expect(op).toMatchObject({ done: false, metadata: { verb: "import", target: `${LOC}/instances/dst` } });
    const waited = await run(["operations", "wait", op.name.split("/").pop(), "-o", "json"]);
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ done: true, response: { state: "READY" } });
    expect(await redisCliLines(dstUrl, ["get only-dst", "get k:39"])).toEqual(["", "v-k:39"]);
  });

  it("exports the backup as plain RDB, deletes it; then it is not found", async () => {
    const exported = await run(["backups", "export", short, "--bucket", "cli-exports", "--wait"]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/^exporting .*seed: /m);
    expect(exported.stdout).toBe("gs://cli-exports/seed/shard-0001.rdb\n");
    const file = await readFile(join(cp.bucketsRoot, "cli-exports", "seed", "shard-0001.rdb"));
    expect(file.subarray(0, 5).toString()).toBe("REDIS");
    expect(file.includes(Buffer.from("v-k:39"))).toBe(true);

    const deleted = await run(["backups", "delete", short, "--wait"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe(`Deleted backup ${short}.\n`);
    const [gone, empty] = await Promise.all([run(["backups", "get", short]), run(["backups", "list"])]);
    expect(gone.code).toBe(3);
    expectOneErrorLine(gone, /backups\/seed not found \(NOT_FOUND\)/);
    expect(empty.stdout).toBe("No backups.\n");
  });
});
