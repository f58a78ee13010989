// `up`, `down` and `status` trust a pid file only while it names the process that wrote it: a
// crashed cacheplane's file, whose pid now belongs to another process or to a zombie, must neither
// block the next `up` nor make `down` signal a stranger.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pidPath, readPid, writeRunFiles } from "../src/config-file.js";
import { isRunning } from "../src/process-identity.js";
import { runCli } from "./run-cli.js";

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function dataDir() {
  const dir = await mkdtemp(join(tmpdir(), "cacheplane-pid-"));
  dirs.push(dir);
  return dir;
}

function stranger(): ChildProcess {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  children.push(child);
  return child;
}

/** A zombie: sh backgrounds a short sleep, then execs a long one that never reaps it. */
async function zombie(): Promise<number> {
  const sh = spawn("sh", ["-c", "sleep 0.1 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
  children.push(sh);
  const pid = Number(await new Promise<string>((resolve) => sh.stdout!.once("data", (d) => resolve(String(d).trim()))));
  for (let i = 0; i < 50 && isRunning(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return pid;
}

describe("the pid file", () => {
  it("names this process while it runs", async () => {
    const dir = await dataDir();
    await writeRunFiles(dir, { url: "http://127.0.0.1:1" });
    expect(await readPid(dir)).toBe(process.pid);
  });

  it("is ignored when its pid now belongs to another process", async () => {
    const dir = await dataDir();
    const other = stranger();
    // What a crashed cacheplane left, its pid since reused: the identity recorded is not the stranger's.
    await writeFile(pidPath(dir), `${other.pid}\nsome-boot-id:12345\n`);
    expect(await readPid(dir)).toBeUndefined();

    const down = await runCli(["down"], { CACHEPLANE_DATA_DIR: dir });
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/not running/);
    expect(isRunning(other.pid!)).toBe(true);
  });

  it("is ignored when its pid is a zombie", async () => {
    const dir = await dataDir();
    const pid = await zombie();
    expect(isRunning(pid)).toBe(false);
    expect(() => process.kill(pid, 0)).not.toThrow(); // what the old check believed
    await writeFile(pidPath(dir), `${pid}\n`);
    expect(await readPid(dir)).toBeUndefined();
  });
});
