// A bare redis-server loading an RDB file, on a unix socket (no port to collide with nodes):
// proof that a file cacheplane wrote is an RDB any Redis loads.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { Redis } from "ioredis";
import { waitFor } from "./processes.js";

export async function loadRdbInBareRedis(rdbPath: string): Promise<{ redis: Redis; stop(): Promise<void> }> {
  const sockDir = await mkdtemp(join(tmpdir(), "bare-redis-"));
  const socket = join(sockDir, "redis.sock");
  const child = spawn(
    "redis-server",
    ["--port", "0", "--unixsocket", socket, "--dir", dirname(rdbPath), "--dbfilename", basename(rdbPath), "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const redis = new Redis({ path: socket, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 20 });
  redis.on("error", () => undefined);
  await waitFor("the bare redis-server to load the RDB", async () => (await redis.ping().catch(() => "")) === "PONG", 20_000);
  return {
    redis,
    async stop() {
      redis.disconnect();
      child.kill("SIGKILL");
      await rm(sockDir, { recursive: true, force: true });
    },
  };
}
