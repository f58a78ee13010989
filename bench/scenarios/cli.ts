// Create from the command line, as a CI job would: from invoking
// `cacheplane instances create <id> --tier BASIC --memory-size-gb 1 --wait --output env` (a new
// node process: start-up, imports, POST, :wait) to `REDIS_URL=` on its stdout. The delete
// is not timed.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { median, type LatencyScenario, type Spec } from "../harness.js";
import { HOST, REPO, deleteInstance, exited, randomTag, tempDir, type Plane } from "../lib.js";

const CLI = join(REPO, "apps/cli/bin/cacheplane.js");

export async function cliCreate(plane: Plane, spec: Spec, runs: number): Promise<LatencyScenario> {
  const home = await tempDir("cacheplane-bench-cli-"); // no cli.json of a real `up` is read
  const tag = randomTag();
  const firstOutput: number[] = [];
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 1,
      baseline: spec.baseline,
      target: spec.target,
      run: async (i) => {
        const instanceId = `bench-cli-${tag}-${i < 0 ? `w${-i}` : i}`;
        const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: home, CACHEPLANE_URL: plane.url, CACHEPLANE_API_KEY: plane.key };
        const args = [CLI, "instances", "create", instanceId, "--tier", "BASIC", "--memory-size-gb", "1", "--wait", "--output", "env"];
        const t0 = performance.now();
        const child = spawn(process.execPath, args, { cwd: home, env, stdio: ["ignore", "pipe", "pipe"] });
        try {
          let stdout = "";
          let stderr = "";
          let tFirst: number | undefined;
          const ms = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no REDIS_URL within 60 s; stderr: ${stderr.slice(-300)}`)), 60_000);
            child.stderr.on("data", (d) => {
              tFirst ??= performance.now() - t0;
              stderr += d;
            });
            child.stdout.on("data", (d) => {
              tFirst ??= performance.now() - t0;
              stdout += d;
              if (/^REDIS_URL=\S+$/m.test(stdout)) {
                clearTimeout(timer);
                resolve(performance.now() - t0);
              }
            });
            child.once("exit", (code) => {
              clearTimeout(timer);
              if (!/^REDIS_URL=/m.test(stdout)) reject(new Error(`cacheplane exited ${code} without REDIS_URL; stderr: ${stderr.slice(-300)}`));
            });
          });
          const url = new URL(/^REDIS_URL=(\S+)$/m.exec(stdout)![1]!);
          if (url.hostname !== HOST) throw new Error(`REDIS_URL ${url} is not on loopback`);
          if (i >= 0 && tFirst !== undefined) firstOutput.push(tFirst);
          return ms;
        } finally {
          if (!(await exited(child, 10_000))) child.kill("SIGKILL");
          await deleteInstance(plane, instanceId);
        }
      },
      extra: () => ({ firstOutputMs: median(firstOutput) }),
    },
  };
}

/** `argv` run to its exit, `runs` times: `node -e 0` is the floor any Node command starts from. */
function startup(spec: Spec, runs: number, argv: string[]): LatencyScenario {
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 1,
      baseline: spec.baseline,
      target: spec.target,
      run: async () => {
        const t0 = performance.now();
        const child = spawn(process.execPath, argv, { stdio: "ignore" });
        if (!(await exited(child, 30_000))) {
          child.kill("SIGKILL");
          throw new Error(`node ${argv.join(" ")} did not exit within 30 s`);
        }
        if (child.exitCode !== 0) throw new Error(`node ${argv.join(" ")} exited ${child.exitCode}`);
        return performance.now() - t0;
      },
    },
  };
}

/** The baseline: Node itself, starting and exiting. */
export const nodeStartup = (spec: Spec, runs: number) => startup(spec, runs, ["-e", "0"]);

/** What any CLI command costs before it does anything: `cacheplane --help` to its exit (the built
 *  bundle's entry only; every command's module loads past this point). */
export const cliStartup = (spec: Spec, runs: number) => startup(spec, runs, [CLI, "--help"]);
