// What every API command needs: where to write, and a client for the right control plane.
// The URL comes from --url, else CACHEPLANE_URL, else the cli.json `cacheplane up` wrote; the
// key likewise, from the config's key file only when the URL came from the config too.
import { readFile } from "node:fs/promises";
import { createCacheplaneClient, type CacheplaneClient } from "@cacheplane/sdk";
import { readConfig } from "./config-file.js";
import type { CliEnv } from "./env.js";
import { UsageError } from "./exit-codes.js";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (spinner) or not (plain progress lines). */
  errIsTTY: boolean;
  env: CliEnv;
}

export interface ConnectionFlags {
  url?: string | undefined;
  "api-key"?: string | undefined;
  project?: string | undefined;
  location?: string | undefined;
}

export const DEFAULT_URL = "http://127.0.0.1:7700";

export async function resolveConnection(flags: ConnectionFlags, env: CliEnv): Promise<{ url: string; apiKey?: string | undefined }> {
  const url = flags.url ?? env.url;
  const apiKey = flags["api-key"] ?? env.apiKey;
  if (url) return { url, apiKey };
  const config = await readConfig(env.dataDir);
  if (!config) return { url: DEFAULT_URL, apiKey };
  const fromFile = apiKey ?? (config.apiKeyFile ? (await readFile(config.apiKeyFile, "utf8").catch(() => "")).trim() || undefined : undefined);
  return { url: config.url, apiKey: fromFile };
}

export async function connect(flags: ConnectionFlags, io: Io): Promise<CacheplaneClient> {
  const { url, apiKey } = await resolveConnection(flags, io.env);
  if (flags.url !== undefined && !/^https?:\/\/[^/]+/.test(flags.url)) throw new UsageError(`--url must be a URL such as ${DEFAULT_URL} (got '${flags.url}')`);
  if (!apiKey) {
    throw new UsageError("no API key: pass --api-key, set CACHEPLANE_API_KEY, or run `cacheplane up` (it saves the admin key for the CLI)");
  }
  return createCacheplaneClient({ url, apiKey, project: flags.project ?? io.env.project, location: flags.location ?? io.env.location });
}
