// The files `cacheplane up` leaves in its data dir for the other commands: `cli.json` (where
// the API is and which file holds the admin key) and `cacheplane.pid` (for `down`): the pid and
// the process's identity, so a pid reused by another process never passes for a running cacheplane.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { identityOf, isRunning, isSameProcess } from "./process-identity.js";

export interface CliConfig {
  url: string;
  apiKeyFile?: string | undefined;
}

export const configPath = (dataDir: string) => join(dataDir, "cli.json");
export const pidPath = (dataDir: string) => join(dataDir, "cacheplane.pid");
export const logPath = (dataDir: string) => join(dataDir, "cacheplane.log");

export async function writeRunFiles(dataDir: string, config: CliConfig, pid = process.pid) {
  await writeFile(configPath(dataDir), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await writeFile(pidPath(dataDir), `${pid}\n${identityOf(pid) ?? ""}\n`);
}

/** Removes the pid file if it is still ours (a newer `up` may have replaced it); cli.json stays. */
export async function removeRunFiles(dataDir: string, pid = process.pid) {
  if ((await readPidFile(dataDir))?.pid === pid) await rm(pidPath(dataDir), { force: true });
}

export async function readConfig(dataDir: string): Promise<CliConfig | undefined> {
  const text = await readFile(configPath(dataDir), "utf8").catch(() => undefined);
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<CliConfig>;
    return typeof parsed.url === "string" ? { url: parsed.url, apiKeyFile: parsed.apiKeyFile } : undefined;
  } catch {
    return undefined;
  }
}

async function readPidFile(dataDir: string): Promise<{ pid: number; identity: string | undefined } | undefined> {
  const [first = "", second = ""] = (await readFile(pidPath(dataDir), "utf8").catch(() => "")).split("\n");
  const pid = Number(first.trim());
  return Number.isInteger(pid) && pid > 0 ? { pid, identity: second.trim() || undefined } : undefined;
}

/** The pid of the cacheplane that `up` started from this data dir, when it still runs: a pid file
 *  left by a crash names a process that is gone, a zombie, or another process, and is ignored. */
export async function readPid(dataDir: string): Promise<number | undefined> {
  const file = await readPidFile(dataDir);
  return file && isSameProcess(file.pid, file.identity) ? file.pid : undefined;
}

/** Still running (a zombie is not). */
export const isAlive = isRunning;
