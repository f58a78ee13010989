// The edges' small state files (JSON, 0600): what a balancer was told and publishes, what kernel
// rules should exist. Written whole through a rename, so a reader never sees half of one.
import { readFile, rename, writeFile } from "node:fs/promises";

export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

export async function writeAtomically(path: string, value: unknown) {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}
