// Runs the built `cacheplane` command as a user would: a child process, its exit code,
// stdout and stderr, with only the environment the test gives it.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const BIN = fileURLToPath(new URL("../bin/cacheplane.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: timeoutMs, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Under a pseudo-terminal (util-linux `script`), as in an interactive shell. */
export function runCliInTty(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  return new Promise((resolve) => {
    execFile(
      "script",
      ["-qfec", command, "/dev/null"],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

/** `NAME=value` lines as an object; fails on any other line. */
export function parseEnv(stdout: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of stdout.trimEnd().split("\n")) {
    const m = /^([A-Z][A-Z0-9_]*)=(\S+)$/.exec(line);
    expect(m, `env line '${line}'`).not.toBeNull();
    vars[m![1]!] = m![2]!;
  }
  return vars;
}

/** One human line on stderr, nothing on stdout. */
export function expectOneErrorLine(result: { stdout: string; stderr: string }, pattern: RegExp) {
  expect(result.stdout).toBe("");
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr).toMatch(/^cacheplane: /);
  expect(result.stderr).toMatch(pattern);
}

/** Many commands through one redis-cli (one per stdin line), one reply line each; with `cluster`
 *  it follows MOVED (-c) and its "-> Redirected to slot" notes are left out. */
export function redisCliLines(url: string, commands: string[], cluster = false): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile("redis-cli", [...(cluster ? ["-c"] : []), "-u", url], { timeout: 20_000 }, (error, stdout) =>
      error
        ? reject(error)
        : resolve(
            stdout
              .trimEnd()
              .split("\n")
              .filter((line) => !line.startsWith("-> Redirected")),
          ),
    );
    child.stdin!.end(`${commands.join("\n")}\n`);
  });
}
