// The CLI's own environment, parsed once (the control plane's settings are packages/config's).
// Checked by hand rather than with zod on purpose: zod is three quarters of a megabyte of the
// bundle, and every command would parse it at start-up for five variables.
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export interface CliEnv {
  url?: string | undefined;
  apiKey?: string | undefined;
  dataDir: string;
  project: string;
  location: string;
  /** The full environment, to hand to a detached `cacheplane up`. */
  raw: Record<string, string | undefined>;
}

export class CliEnvError extends Error {}

/** The variable's value, or `fallback` when unset; an empty or too long value is refused. */
function text(env: Record<string, string | undefined>, name: string, max: number, fallback?: string): string | undefined {
  const value = env[name];
  if (value === undefined) return fallback;
  if (value.length === 0) throw new CliEnvError(`${name}: must not be empty`);
  if (value.length > max) throw new CliEnvError(`${name}: must be at most ${max} characters`);
  return value;
}

function url(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  if (!URL.canParse(value)) throw new CliEnvError(`${name}: must be a URL such as http://127.0.0.1:7700`);
  return value;
}

export function loadCliEnv(env: Record<string, string | undefined> = process.env): CliEnv {
  return {
    url: url(env, "CACHEPLANE_URL"),
    apiKey: text(env, "CACHEPLANE_API_KEY", 500),
    dataDir: resolve(text(env, "CACHEPLANE_DATA_DIR", 4096, join(homedir(), ".cacheplane"))!),
    project: text(env, "CACHEPLANE_PROJECT", 63, "default")!,
    location: text(env, "CACHEPLANE_LOCATION", 63, "local1")!,
    raw: env,
  };
}
