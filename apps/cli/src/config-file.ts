// The files `cacheplane up` leaves in its data dir for the other commands: `cli.json` (where
// the API is and which file holds the admin key) and `cacheplane.pid` (for `down`).
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface CliConfig {
  url: string;
  apiKeyFile?: string | undefined;
}

export const configPath = (dataDir: string) => join(dataDir, "cli.json");
export const pidPath = (dataDir: string) => join(dataDir, "cacheplane.pid");
export const logPath = (dataDir: string) => join(dataDir, "cacheplane.log");

export async function writeRunFiles(dataDir: string, config: CliConfig, pid = process.pid) {
  await writeFile(configPath(dataDir), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await writeFile(pidPath(dataDir), `${pid}\n`);
}

/** Removes the pid file if it is still ours (a newer `up` may have replaced it); cli.json stays. */
export async function removeRunFiles(dataDir: string, pid = process.pid) {
  if ((await readPid(dataDir)) === pid) await rm(pidPath(dataDir), { force: true });
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

export async function readPid(dataDir: string): Promise<number | undefined> {
  const pid = Number((await readFile(pidPath(dataDir), "utf8").catch(() => "")).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
