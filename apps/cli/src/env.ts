// The CLI's own environment, parsed once (the control plane's settings are packages/config's).
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";

const CliEnvSchema = z.object({
  CACHEPLANE_URL: z.string().url("must be a URL such as http://127.0.0.1:7700").optional(),
  CACHEPLANE_API_KEY: z.string().min(1).max(500).optional(),
  CACHEPLANE_DATA_DIR: z.string().min(1).default(join(homedir(), ".cacheplane")),
  CACHEPLANE_PROJECT: z.string().min(1).max(63).default("default"),
  CACHEPLANE_LOCATION: z.string().min(1).max(63).default("local1"),
});

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

export function loadCliEnv(env: Record<string, string | undefined> = process.env): CliEnv {
  const parsed = CliEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliEnvError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    url: e.CACHEPLANE_URL,
    apiKey: e.CACHEPLANE_API_KEY,
    dataDir: resolve(e.CACHEPLANE_DATA_DIR),
    project: e.CACHEPLANE_PROJECT,
    location: e.CACHEPLANE_LOCATION,
    raw: env,
  };
}
