// fetchRdb against real redis-server processes: the file it writes loads into a bare server
// with every key, and the source node writes nothing to its own disk (no dump.rdb appears).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { fetchRdb, RdbFetchError } from "../src/index.js";
import { freePort, portOpen, until } from "./helpers.js";

const started: ChildProcess[] = [];
const dirs: string[] = [];
const clients: Redis[] = [];
afterAll(() => {
  for (const c of clients) c.disconnect();
  for (const p of started) p.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function redisServer(args: string[] = [], password?: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rdb-sync-"));
  dirs.push(dir);
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...args], { stdio: "ignore" });
  started.push(child);
  await until(() => portOpen(port), Boolean, 5000);
  const client = new Redis({ port, password });
  clients.push(client);
  await until(
    () =>
      client.ping().then(
        (r) => r === "PONG",
        () => false,
      ),
    Boolean,
    5000,
  );
  return { dir, port, client };
}

describe("fetchRdb", () => {
  it("streams a dataset that a bare redis-server loads, writing nothing on the source", async () => {
    const source = await redisServer(["--requirepass", "s3cret"], "s3cret");
    const pipeline = source.client.pipeline();
    for (let i = 0; i < 20_000; i++) pipeline.set(`key:${i}`, `value-${i}`);
    pipeline.hset("a-hash", { f: "v" });
    await pipeline.exec();

    const out = path.join(source.dir, "..", `${path.basename(source.dir)}-fetched.rdb`);
    dirs.push(out);
    const { bytes } = await fetchRdb({ host: "127.0.0.1", port: source.port, password: "s3cret" }, out);
    expect(bytes).toBe(statSync(out).size);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe("REDIS");
    expect(existsSync(path.join(source.dir, "dump.rdb"))).toBe(false);

    const target = await redisServer(["--dbfilename", path.basename(out), "--dir", path.dirname(out)]);
    expect(await target.client.dbsize()).toBe(20_001);
    expect(await target.client.get("key:19999")).toBe("value-19999");
    expect(await target.client.hget("a-hash", "f")).toBe("v");
  });

  it("fails clearly with a wrong password and leaves no file", async () => {
    const source = await redisServer(["--requirepass", "right"], "right");
    const out = path.join(source.dir, "never.rdb");
    await expect(fetchRdb({ host: "127.0.0.1", port: source.port, password: "wrong" }, out)).rejects.toThrow(RdbFetchError);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.part`)).toBe(false);
  });
});
