// `cacheplane instances|clusters upgrade`, `reschedule-maintenance`, the --maintenance-window and
// --maintenance-version flags and `cacheplane maintenance-versions` against a real control plane
// whose catalogue has several builds (copies of the host's redis-server). Commands run in this
// process, as in backups.test.ts; the real command runs where only it can show something: the
// top-level help, the progress lines of an upgrade --wait, and one-line errors with exit codes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY } from "../../../test/support/control-plane.js";
import { BASE, NEXT, PATCH, runningEngine, useEnginesControlPlane } from "../../../test/support/engines.js";
import { waitFor } from "../../../test/support/processes.js";
import { clusters } from "../src/commands/clusters.js";
import { instances } from "../src/commands/instances.js";
import { maintenanceVersions } from "../src/commands/maintenance-versions.js";
import type { Io } from "../src/context.js";
import { loadCliEnv } from "../src/env.js";
import { exitCodeOf, messageOf } from "../src/exit-codes.js";
import { expectOneErrorLine, runCli, type CliResult } from "./run-cli.js";

const LOC = "projects/default/locations/local1";
const DAY_MS = 86_400_000;
const WEEKDAYS = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"];
// Windows three and four days from now: never open while the test runs.
const day3 = new Date(Date.now() + 3 * DAY_MS);
const day4 = new Date(Date.now() + 4 * DAY_MS);
const WINDOW = `${WEEKDAYS[day3.getUTCDay()]}@03:00`;
const LATER_WINDOW = `${WEEKDAYS[day4.getUTCDay()]}@22:30`;
const windowStart = new Date(Date.UTC(day3.getUTCFullYear(), day3.getUTCMonth(), day3.getUTCDate(), 3)).toISOString();

const suite = useEnginesControlPlane("process");
let dataDir: string;
let env: Record<string, string>;
const cli = (args: string[]) => runCli(args, env);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "cacheplane-cli-maintenance-"));
  env = { CACHEPLANE_URL: suite.cp.url, CACHEPLANE_API_KEY: ADMIN_KEY, CACHEPLANE_DATA_DIR: dataDir };
});
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const GROUPS: Record<string, (argv: string[], io: Io) => Promise<void>> = { clusters, instances, "maintenance-versions": maintenanceVersions };

/** `cacheplane <group> …` in this process: stdout, stderr (progress, then main.ts's one error line) and the exit code. */
async function run(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
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
    env: loadCliEnv({ ...env, ...extraEnv }),
  };
  try {
    await GROUPS[group!]!(rest, io);
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: exitCodeOf(error), stdout, stderr: `${stderr}cacheplane: ${messageOf(error)}\n` };
  }
}
const ok = (r: CliResult) => {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
const field = (name: string, value: string) => new RegExp(`^${name}:\\s+${value.replace(/[()]/g, "\\$&")}$`, "m");

describe("cacheplane upgrades and maintenance", () => {
  it("has the commands and flags in every --help, from the command tables", async () => {
    const [inst, clus, mv, create, update, upgrade, resched, clusterCreate, clusterUpdate] = await Promise.all([
      run(["instances", "--help"]),
      run(["clusters", "--help"]),
      run(["maintenance-versions", "--help"]),
      run(["instances", "create", "--help"]),
      run(["instances", "update", "--help"]),
      run(["instances", "upgrade", "--help"]),
      run(["instances", "reschedule-maintenance", "--help"]),
      run(["clusters", "create", "--help"]),
      run(["clusters", "update", "--help"]),
    ]);
    for (const group of [inst, clus]) {
      expect(group.stdout).toMatch(/^ {2}upgrade <id> +Upgrade to a newer engine version/m);
      expect(group.stdout).toMatch(/^ {2}reschedule-maintenance <id> +Move the \w+'s scheduled maintenance/m);
    }
    expect(mv.stdout).toMatch(/^ {2}list +List the maintenance versions/m);
    expect(mv.stdout).toMatch(/^ {2}release <version> +Release a maintenance version/m);
    for (const help of [create, update, clusterCreate, clusterUpdate]) expect(help.stdout).toContain("  --maintenance-window DAY@HH:MM  ");
    for (const help of [update, clusterUpdate]) expect(help.stdout).toMatch(/^ {2}--maintenance-version V +/m);
    expect(create.stdout).not.toContain("--maintenance-version");
    for (const help of [create, upgrade, clusterCreate]) {
      expect(help.stdout.replace(/\s+/g, " ")).toContain(
        "--redis-version VERSION REDIS_6_X, REDIS_7_0, REDIS_7_2, REDIS_7_4, VALKEY_7_2, VALKEY_8_0, VALKEY_8_1",
      );
    }
    expect(resched.stdout).toMatch(/^ {2}--type TYPE +IMMEDIATE, NEXT_AVAILABLE_WINDOW, SPECIFIC_TIME/m);
    expect(resched.stdout).toMatch(/^ {2}--time ISO +with SPECIFIC_TIME/m);
    const top = await cli(["--help"]);
    expect(top.stdout).toMatch(/^ {14}upgrade \| reschedule-maintenance$/m);
    expect(top.stdout).toMatch(/^ {2}maintenance-versions {2}list \| release/m);
  });

  it("rejects bad values with the usage code 2 before any call (nothing listens at the URL given)", async () => {
    const offline = { CACHEPLANE_URL: "http://127.0.0.1:1" };
    const cases: [string[], RegExp][] = [
      [
        ["instances", "create", "x", "--maintenance-window", "FUNDAY@03:00"],
        /--maintenance-window must be DAY@HH:MM in UTC, DAY from MONDAY to SUNDAY, e\.g\. SUNDAY@03:00 \(got 'FUNDAY@03:00'\)/,
      ],
      [["instances", "create", "x", "--maintenance-window", "SUNDAY@3:00"], /--maintenance-window must be DAY@HH:MM/],
      [["instances", "update", "x", "--maintenance-window", "SUNDAY@24:00"], /--maintenance-window must be DAY@HH:MM/],
      [["clusters", "create", "x", "--shard-count", "1", "--maintenance-window", "FUNDAY@03:00"], /--maintenance-window must be DAY@HH:MM/],
      [["clusters", "update", "x", "--maintenance-window", "SUNDAY"], /--maintenance-window must be DAY@HH:MM/],
      [["instances", "update", "x", "--maintenance-version", "latest"], /--maintenance-version must be a maintenance version such as 20261115_00_00/],
      [["instances", "reschedule-maintenance", "x", "--type", "SOON"], /--type must be one of IMMEDIATE, NEXT_AVAILABLE_WINDOW, SPECIFIC_TIME \(got 'SOON'\)/],
      [["clusters", "reschedule-maintenance", "x", "--type", "SOON"], /--type must be one of IMMEDIATE, NEXT_AVAILABLE_WINDOW, SPECIFIC_TIME/],
      [["instances", "reschedule-maintenance", "x"], /--type is required/],
      [["instances", "reschedule-maintenance", "x", "--type", "SPECIFIC_TIME"], /--type SPECIFIC_TIME needs --time/],
      [["instances", "reschedule-maintenance", "x", "--type", "IMMEDIATE", "--time", "2026-11-20T03:00:00Z"], /--time goes with --type SPECIFIC_TIME only/],
      [["instances", "reschedule-maintenance", "x", "--type", "SPECIFIC_TIME", "--time", "2026-11-20T03:00"], /--time must be a date and time with its zone/],
      [["instances", "reschedule-maintenance", "x", "--type", "SPECIFIC_TIME", "--time", "next tuesday"], /--time must be a date and time with its zone/],
      [["instances", "reschedule-maintenance", "x", "--type", "IMMEDIATE", "-o", "env"], /--output must be one of table, json/],
      [["instances", "upgrade", "x"], /--redis-version is required/],
      [
        ["instances", "upgrade", "x", "--redis-version", "REDIS_9"],
        /--redis-version must be one of REDIS_6_X, REDIS_7_0, REDIS_7_2, REDIS_7_4, VALKEY_7_2, VALKEY_8_0, VALKEY_8_1/,
      ],
      [["instances", "upgrade", "x", "--redis-version", "REDIS_7_2", "-o", "env"], /-o env needs --wait/],
      [["clusters", "upgrade", "x", "--wait"], /--redis-version is required/],
      [["clusters", "create", "x", "--shard-count", "1", "--redis-version", "7.2"], /--redis-version must be one of/],
      [["maintenance-versions", "release", "1201"], /must be a maintenance version such as 20261115_00_00/],
      [["maintenance-versions", "release"], /missing version/],
      [["maintenance-versions", "list", "-o", "env"], /--output must be one of table, json/],
      [["maintenance-versions", "apply"], /unknown command 'maintenance-versions apply'/],
    ];
    for (const [args, pattern] of cases) {
      const r = await run(args, offline);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
    const real = await runCli(["instances", "reschedule-maintenance", "x", "--type", "SOON"], { ...env, ...offline });
    expect(real.code).toBe(2);
    expectOneErrorLine(real, /--type must be one of/);
  });

  it("upgrade --wait shows the operation's progress and prints the instance on its new engine; a downgrade is refused", async () => {
    ok(await run(["instances", "create", "up1", "--wait"]));
    const r = await cli(["instances", "upgrade", "up1", "--redis-version", "redis_7_2", "--wait"]);
    expect(r.code, r.stderr).toBe(0);
    const progress = r.stderr.trimEnd().split("\n");
    expect(progress[0]).toMatch(new RegExp(`^upgrading up1: Upgrading to REDIS_7_2 \\(${NEXT.maintenanceVersion}\\) \\(\\d+\\.\\ds\\)$`));
    // Then one line per change of statusDetail (the node being upgraded, …), each with the time so far.
    for (const line of progress) expect(line).toMatch(/^upgrading up1: \S.* \(\d+\.\ds\)$/);
    expect(r.stdout).toMatch(field("state", "READY"));
    expect(r.stdout).toMatch(field("redisVersion", "REDIS_7_2"));
    expect(r.stdout).toMatch(field("maintenanceVersion", NEXT.maintenanceVersion));
    expect(r.stdout).toMatch(field("maintenanceWindow", "any time (no maintenance policy)"));
    expect(r.stdout).toMatch(new RegExp(`^nodes:\\s+\\[".+ PRIMARY READY 127\\.0\\.\\d+\\.\\d+:\\d+ REDIS_7_2 \\(${NEXT.maintenanceVersion}\\)"\\]$`, "m"));
    const instance = (await suite.cp.api("GET", `/v1/${LOC}/instances/up1`)).body;
    expect(await runningEngine(suite.cp, instance.nodes[0].id)).toBe(suite.engines.expected(NEXT));

    const [down, same, resched] = await Promise.all([
      cli(["instances", "upgrade", "up1", "--redis-version", "REDIS_7_0"]),
      run(["instances", "upgrade", "up1", "--redis-version", "REDIS_7_2"]),
      cli(["instances", "reschedule-maintenance", "up1", "--type", "IMMEDIATE"]),
    ]);
    expect(down.code).toBe(1);
    expectOneErrorLine(down, /^cacheplane: downgrades are not supported: instance up1 runs REDIS_7_2, which is newer than REDIS_7_0 \(FAILED_PRECONDITION\)$/m);
    expect(same.code).toBe(1);
    expect(same.stderr).toMatch(/already runs REDIS_7_2 \(FAILED_PRECONDITION\)/);
    // Nothing is scheduled: the API's reason, and where a schedule comes from.
    expect(resched.code).toBe(1);
    expectOneErrorLine(
      resched,
      new RegExp(
        `^cacheplane: no maintenance is scheduled for ${LOC}/instances/up1 — one is scheduled once a newer maintenance version is released \\('cacheplane maintenance-versions list'\\) \\(FAILED_PRECONDITION\\)$`,
        "m",
      ),
    );
  });

  it("clusters upgrade --wait: redisVersion and each node's version in the node table", async () => {
    const created = ok(await run(["clusters", "create", "cmw", "--shard-count", "1", "--maintenance-window", WINDOW, "--wait"]));
    expect(created).toMatch(field("redisVersion", BASE.redisVersion));
    expect(created).toMatch(field("maintenanceWindow", `${WINDOW} UTC`));
    expect(created).toMatch(/^SHARD\s+SLOTS\s+NODE\s+ROLE\s+STATE\s+ADDRESS\s+ZONE\s+VERSION$/m);
    expect(created).toMatch(
      new RegExp(`^0001\\s+0-16383\\s+\\S+\\s+PRIMARY\\s+READY\\s+\\S+\\s+local1-\\w\\s+REDIS_7_0 \\(${BASE.maintenanceVersion}\\)$`, "m"),
    );
    const upgraded = await run(["clusters", "upgrade", "cmw", "--redis-version", "REDIS_7_2", "--wait"]);
    const shown = ok(upgraded);
    expect(upgraded.stderr).toMatch(new RegExp(`^upgrading cmw: Upgrading to REDIS_7_2 \\(${NEXT.maintenanceVersion}\\)`, "m"));
    expect(shown).toMatch(field("redisVersion", "REDIS_7_2"));
    expect(shown).toMatch(field("maintenanceVersion", NEXT.maintenanceVersion));
    expect(shown).toMatch(new RegExp(`^0001\\s+0-16383\\s+.+\\s+REDIS_7_2 \\(${NEXT.maintenanceVersion}\\)$`, "m"));
    const [down, resched] = await Promise.all([
      run(["clusters", "upgrade", "cmw", "--redis-version", "REDIS_7_0", "--wait"]),
      run(["clusters", "reschedule-maintenance", "cmw", "--type", "NEXT_AVAILABLE_WINDOW"]),
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/downgrades are not supported: the cluster runs REDIS_7_2, which is newer than REDIS_7_0 \(FAILED_PRECONDITION\)/);
    expect(resched.code).toBe(1);
    expect(resched.stderr).toMatch(/no maintenance is scheduled for .*clusters\/cmw/);
  }, 90_000);

  it("create and update take --maintenance-window; update replaces the policy", async () => {
    const created = ok(await run(["instances", "create", "mw", "--maintenance-window", WINDOW.toLowerCase(), "--wait"]));
    expect(created).toMatch(field("maintenanceWindow", `${WINDOW} UTC`));
    expect(created).toMatch(field("maintenanceVersion", BASE.maintenanceVersion));
    expect(created).not.toMatch(/^maintenanceSchedule:/m);
    expect(created).not.toMatch(/^availableMaintenanceVersions:/m);
    const updated = ok(await run(["instances", "update", "mw", "--maintenance-window", LATER_WINDOW, "--maintenance-window", WINDOW, "--wait"]));
    expect(updated).toMatch(field("maintenanceWindow", `${LATER_WINDOW}, ${WINDOW} UTC`));
    const policy = (await suite.cp.api("GET", `/v1/${LOC}/instances/mw`)).body.maintenancePolicy;
    expect(policy.weeklyMaintenanceWindow.map((w: { day: string; startTime: object }) => [w.day, w.startTime])).toEqual([
      [LATER_WINDOW.split("@")[0], { hours: 22, minutes: 30, seconds: 0, nanos: 0 }],
      [WINDOW.split("@")[0], { hours: 3, minutes: 0, seconds: 0, nanos: 0 }],
    ]);
  });

  it("maintenance-versions list shows the catalogue; release, then list shows it RELEASED", async () => {
    const listed = ok(await run(["maintenance-versions", "list"]));
    expect(listed.split("\n")[0]).toMatch(/^VERSION\s+ENGINE VERSIONS\s+STATE\s+RELEASE TIME$/);
    expect(listed).toMatch(new RegExp(`^${BASE.maintenanceVersion}\\s+REDIS_7_0\\s+RELEASED\\s+-$`, "m"));
    expect(listed).toMatch(new RegExp(`^${NEXT.maintenanceVersion}\\s+REDIS_7_2,REDIS_7_4\\s+RELEASED\\s+-$`, "m"));
    expect(listed).toMatch(new RegExp(`^${PATCH.maintenanceVersion}\\s+REDIS_7_0\\s+AVAILABLE\\s+-$`, "m"));
    expect(JSON.parse(ok(await run(["maintenance-versions", "list", "-o", "json"]))).map((v: { maintenanceVersion: string }) => v.maintenanceVersion)).toEqual([
      BASE.maintenanceVersion,
      NEXT.maintenanceVersion,
      PATCH.maintenanceVersion,
    ]);

    expect((await run(["maintenance-versions", "release", "20991231_00_00"])).code).toBe(3);

    const released = await cli(["maintenance-versions", "release", PATCH.maintenanceVersion]);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stdout).toMatch(new RegExp(`^Released ${PATCH.maintenanceVersion} \\(REDIS_7_0\\) at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\.\n$`));
    const after = ok(await run(["maintenance-versions", "list"]));
    expect(after).toMatch(new RegExp(`^${PATCH.maintenanceVersion}\\s+REDIS_7_0\\s+RELEASED\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`, "m"));
  });

  it("release needs a key with access to every project (exit 6)", async () => {
    const created = await suite.cp.api("POST", "/v1/apiKeys", { displayName: "cli-maintenance", projects: ["default"] });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const denied = await run(["maintenance-versions", "release", "20991231_00_00"], { CACHEPLANE_API_KEY: created.body.keyString });
    expect(denied.code, denied.stderr).toBe(6);
    expect(denied.stderr).toMatch(/\(PERMISSION_DENIED\)$/m);
  });

  it("get shows the schedule the release made; reschedule-maintenance moves it; update --maintenance-version applies it now", async () => {
    const scheduled = await waitFor(
      "mw's maintenance schedule",
      async () => {
        const r = await run(["instances", "get", "mw"]);
        return /^maintenanceSchedule:/m.test(r.stdout) ? r.stdout : false;
      },
      10_000,
    );
    expect(scheduled).toMatch(field("availableMaintenanceVersions", PATCH.maintenanceVersion));
    expect(scheduled).toMatch(
      new RegExp(`^maintenanceSchedule:\\s+${PATCH.maintenanceVersion} from ${windowStart} to \\S+ \\(can be moved until \\S+\\)$`, "m"),
    );
    const deadline = (await suite.cp.api("GET", `/v1/${LOC}/instances/mw`)).body.maintenanceSchedule.scheduleDeadlineTime;

    // A time with an offset is sent as UTC.
    const at = new Date(Date.now() + 2 * DAY_MS);
    at.setUTCMilliseconds(0);
    const local = `${new Date(at.getTime() + 2 * 3_600_000).toISOString().slice(0, 19)}+02:00`;
    const moved = await run(["instances", "reschedule-maintenance", "mw", "--type", "specific_time", "--time", local]);
    expect(ok(moved)).toBe(`Maintenance of mw (${PATCH.maintenanceVersion}) now starts ${at.toISOString()}; it can be moved until ${deadline}.\n`);
    const late = await run([
      "instances",
      "reschedule-maintenance",
      "mw",
      "--type",
      "SPECIFIC_TIME",
      "--time",
      new Date(Date.parse(deadline) + DAY_MS).toISOString(),
    ]);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/scheduleTime.*\(INVALID_ARGUMENT\)/);

    const applied = ok(await run(["instances", "update", "mw", "--maintenance-version", PATCH.maintenanceVersion, "--wait"]));
    expect(applied).toMatch(field("state", "READY"));
    expect(applied).toMatch(field("maintenanceVersion", PATCH.maintenanceVersion));
    expect(applied).not.toMatch(/^maintenanceSchedule:/m);
    expect(applied).not.toMatch(/^availableMaintenanceVersions:/m);
    expect(applied).toMatch(new RegExp(`^nodes:.* REDIS_7_0 \\(${PATCH.maintenanceVersion}\\)"\\]$`, "m"));
    const instance = (await suite.cp.api("GET", `/v1/${LOC}/instances/mw`)).body;
    expect(await runningEngine(suite.cp, instance.nodes[0].id)).toBe(suite.engines.expected(PATCH));
  });
});
