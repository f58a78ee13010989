// Locating the redis-server binary. The package never reads process.env: the app passes what it
// read (CACHEPLANE_REDIS_SERVER as redisServerPath, PATH as searchPath).

import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

export interface FindRedisServerOptions {
  /** An explicit binary (e.g. from CACHEPLANE_REDIS_SERVER); used as is, never searched. */
  redisServerPath?: string;
  /** A PATH-style list of directories; defaults to the usual system directories. */
  searchPath?: string;
}

const DEFAULT_SEARCH_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin:/opt/homebrew/bin";

export class RedisServerNotFoundError extends Error {
  override name = "RedisServerNotFoundError";
}

export const isExecutableFile = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/** Absolute path of redis-server, or a one-line RedisServerNotFoundError saying what to install. */
export function findRedisServer(options: FindRedisServerOptions = {}): string {
  if (options.redisServerPath) {
    if (isExecutableFile(options.redisServerPath)) return path.resolve(options.redisServerPath);
    throw new RedisServerNotFoundError(
      `redis-server not found at ${options.redisServerPath} (CACHEPLANE_REDIS_SERVER): point it at an executable redis-server, or install one with: apt-get install redis-server`,
    );
  }
  const searchPath = options.searchPath ?? DEFAULT_SEARCH_PATH;
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, "redis-server");
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new RedisServerNotFoundError(
    "redis-server not found on PATH: install it with `apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), or set CACHEPLANE_REDIS_SERVER to its path",
  );
}
