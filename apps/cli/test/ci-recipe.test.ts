// docs/ci-recipe.md, run: the workflow's own `run:` commands (read from the document), with
// `cacheplane` on PATH, a fresh data dir, a free port and $GITHUB_ENV in a temp file. The
// step that runs the user's tests is replaced by a check that REDIS_URL serves with AUTH.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killNodesUnder, processesUnder } from "../../../test/support/processes.js";
import { BIN } from "./run-cli.js";

interface Step {
  name?: string;
  run?: string;
  if?: string;
  uses?: string;
}

const RECIPE = new URL("../../../docs/ci-recipe.md", import.meta.url);
let dir: string;
let env: Record<string, string>;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function bash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("bash", ["-eo", "pipefail", "-c", script], { env, cwd: dir, timeout: 170_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function recipeSteps(): Promise<Step[]> {
  const doc = await readFile(RECIPE, "utf8");
  const block = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
  expect(block, "docs/ci-recipe.md has a yaml block").toBeDefined();
  const workflow = parseYaml(block!) as { jobs: Record<string, { steps: Step[] }> };
  return Object.values(workflow.jobs)[0]!.steps;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cacheplane-ci-"));
  const bin = join(dir, "bin");
  await mkdir(bin);
  await writeFile(join(bin, "cacheplane"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(join(bin, "cacheplane"), 0o755);
  await writeFile(join(dir, "github_env"), "");
  env = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: dir,
    GITHUB_ENV: join(dir, "github_env"),
    CACHEPLANE_DATA_DIR: join(dir, "data"),
    CACHEPLANE_PORT: String(await freePort()),
    CACHEPLANE_NODE_PORTS: "24100-24199",
  };
});

afterAll(async () => {
  if (!dir) return;
  // Whatever happened: stop the control plane, its queue redis-server and any data node.
  const pid = Number((await readFile(join(dir, "data", "cacheplane.pid"), "utf8").catch(() => "")).trim());
  if (pid > 0) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  await killNodesUnder(dir);
  await rm(dir, { recursive: true, force: true });
});

describe("the CI recipe in docs/ci-recipe.md", () => {
  it("starts cacheplane, creates a cache with --wait --output env, serves the tests, and cleans up", async () => {
    const steps = await recipeSteps();
    const named = (name: string) => {
      const step = steps.find((s) => s.name === name);
      expect(step?.run, `step '${name}'`).toBeTruthy();
      return step!;
    };
    const order = ["Start cacheplane", "Create a cache", "Run your tests", "Clean up"].map((n) => steps.indexOf(named(n)));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(named("Clean up").if).toBe("always()");

    const start = await bash(named("Start cacheplane").run!);
    expect(start.stderr).toBe("");
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(new RegExp(`^cacheplane is up at http://127\\.0\\.0\\.1:${env.CACHEPLANE_PORT} \\(pid \\d+; log: `));

    try {
      const create = await bash(named("Create a cache").run!);
      expect(create.code).toBe(0);
      expect(create.stdout).toBe("");
      expect(create.stderr).toMatch(/creating ci-cache: .*Completed/s);

      // "Run your tests": what a test would do with the environment the step file gave it.
      const exported = (await readFile(env.GITHUB_ENV!, "utf8")).trim().split("\n");
      expect(exported).toHaveLength(1);
      const url = /^REDIS_URL=(redis:\/\/:[^@\s]+@127\.0\.0\.1:(\d+))$/.exec(exported[0]!);
      expect(url).not.toBeNull();
      const port = Number(url![2]);
      expect(port).toBeGreaterThanOrEqual(24100);
      expect(port).toBeLessThanOrEqual(24199);
      const redis = new Redis(url![1]!, { maxRetriesPerRequest: 1 });
      try {
        expect(await redis.set("ci", "green")).toBe("OK");
        expect(await redis.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "allkeys-lru"]);
      } finally {
        redis.disconnect();
      }
      expect(await processesUnder(join(env.CACHEPLANE_DATA_DIR!, "nodes"))).toHaveLength(1);
    } finally {
      const cleanup = await bash(named("Clean up").run!);
      expect(cleanup.code).toBe(0);
      expect(cleanup.stdout).toMatch(/Deleted instance ci-cache\.\ncacheplane stopped \(pid \d+\)\.\n$/);
    }

    // The data node is gone with its instance, the control plane and its queue's redis-server
    // with `down`: nothing of this data dir runs any more.
    expect(await processesUnder(join(env.CACHEPLANE_DATA_DIR!, "nodes"))).toEqual([]);
    expect(await processesUnder(env.CACHEPLANE_DATA_DIR!)).toEqual([]);
    const status = await bash("cacheplane status");
    expect(status.code).toBe(5);
    expect(status.stderr).toMatch(/^cacheplane: cacheplane is not running \(no answer at http:\/\/127\.0\.0\.1:\d+\)\n$/);
  }, 180_000);
});
