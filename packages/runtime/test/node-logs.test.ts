// NodeRuntime.logs on both drivers against real nodes, and the backwards file reader under it.
import { execFile } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerRuntime, InvalidNodeSpecError, rotateNodeLogs, tailLines, type NodeRuntime, type NodeSpec } from "../src/index.js";
import { tailNodeLog } from "../src/node-logs.js";
import { client, freePort, testNodes, testSpec } from "./helpers.js";

const exec = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const IMAGE = "cacheplane/redis-local:7.0";

describe("tailLines", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cacheplane-tail-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("gives the newest lines oldest first, across chunk boundaries, and [] for a missing file", async () => {
    const file = path.join(dir, "big.log");
    // ~1.3 MB: the last 10,000 lines span many 64 KiB chunks; a multi-byte character on every line.
    const lines = Array.from({ length: 30_000 }, (_, i) => `line ${i} é ${"x".repeat(i % 70)}`);
    writeFileSync(file, `${lines.join("\n")}\n`);
    const last = await tailLines(file, 10_000);
    expect(last).toHaveLength(10_000);
    expect(last[0]).toMatch(/^line 20000 é /);
    expect(last[9_999]).toMatch(/^line 29999 é /);
    expect(await tailLines(file, 1)).toEqual([`line 29999 é ${"x".repeat(29_999 % 70)}`]);
    expect(await tailLines(path.join(dir, "none.log"), 5)).toEqual([]);
  });

  it("keeps a last line still being written and empty lines, and stops at its byte bound", async () => {
    const file = path.join(dir, "partial.log");
    writeFileSync(file, "a\n\nb\nhalf");
    expect(await tailLines(file, 3)).toEqual(["", "b", "half"]);
    expect(await tailLines(file, 100)).toEqual(["a", "", "b", "half"]);
    appendFileSync(file, `\n${"z".repeat(100)}\nlast\n`);
    // 60 bytes: the 100-byte line is cut, so it is left out rather than shown half.
    expect(await tailLines(file, 100, 60)).toEqual(["last"]);
  });
});

describe("rotateNodeLogs", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "cacheplane-rotate-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("renames only the logs past the bound, replaces the older file, and leaves other entries alone", async () => {
    const logOf = (id: string) => path.join(root, id, "redis.log");
    for (const id of ["big-0", "small-0", "empty-0"]) mkdirSync(path.join(root, id));
    mkdirSync(path.join(root, "not a node"));
    writeFileSync(path.join(root, "not a node", "redis.log"), "x".repeat(500));
    writeFileSync(logOf("big-0"), "old 1\nold 2\n".padEnd(200, "o"));
    writeFileSync(logOf("small-0"), "small\n");

    expect(await rotateNodeLogs(root, 100)).toEqual(["big-0"]);
    expect(existsSync(logOf("big-0"))).toBe(false);
    expect(readFileSync(`${logOf("big-0")}.1`, "utf8")).toMatch(/^old 1\nold 2\n/);
    expect(existsSync(`${logOf("small-0")}.1`)).toBe(false);
    expect(existsSync(path.join(root, "not a node", "redis.log.1"))).toBe(false);
    expect(await rotateNodeLogs(root, 100)).toEqual([]); // nothing grew

    writeFileSync(logOf("big-0"), `${"n".repeat(150)}\nnew\n`);
    expect(await rotateNodeLogs(root, 100)).toEqual(["big-0"]);
    expect(readFileSync(`${logOf("big-0")}.1`, "utf8")).toMatch(/\nnew\n$/); // the older one is gone
    expect(await rotateNodeLogs(path.join(root, "none"), 100)).toEqual([]);
  });

  it("tails across a rotation, oldest first", async () => {
    const file = path.join(root, "t.log");
    writeFileSync(`${file}.1`, "a\nb\nc\n");
    writeFileSync(file, "d\ne\n");
    expect(await tailNodeLog(file, 2)).toEqual(["d", "e"]);
    expect(await tailNodeLog(file, 4)).toEqual(["b", "c", "d", "e"]);
    expect(await tailNodeLog(file, 10)).toEqual(["a", "b", "c", "d", "e"]);
    rmSync(file);
    expect(await tailNodeLog(file, 2)).toEqual(["b", "c"]); // rotated, nothing written since
  });
});

/** Start lines, tail=N, a live line, an unknown node and a bad id: the same on every driver. */
async function checkLogs(rt: NodeRuntime, spec: NodeSpec) {
  await rt.start(spec);
  const c = client(spec.port);
  await c.connect();
  // A script's redis.log line: what a client makes the engine log arrives as written (the api
  // redacts secrets; the driver shows what is there).
  await c.eval("redis.log(redis.LOG_WARNING, ARGV[1])", 0, `marker-${spec.id}`);
  c.disconnect();
  const all = await rt.logs(spec.id, { tail: 1000 });
  expect(all.some((l) => l.includes("Ready to accept connections"))).toBe(true);
  expect(all[all.length - 1]).toContain(`marker-${spec.id}`);
  const three = await rt.logs(spec.id, { tail: 3 });
  expect(three).toEqual(all.slice(-3));
  expect(await rt.logs(`${spec.id}9`, { tail: 10 })).toEqual([]);
  await expect(rt.logs("../etc", { tail: 10 })).rejects.toBeInstanceOf(InvalidNodeSpecError);
  await rt.destroy(spec);
  expect(await rt.logs(spec.id, { tail: 10 })).toEqual([]);
}

/** A start the engine refused: its reason (printed before a log file is open) is in the logs. */
async function checkFailedStart(rt: NodeRuntime, spec: NodeSpec) {
  await expect(rt.start({ ...spec, config: { maxmemory: "lots" } })).rejects.toThrow(/exited during start/);
  expect((await rt.logs(spec.id, { tail: 20 })).join("\n")).toMatch(/FATAL CONFIG FILE ERROR[\s\S]*maxmemory/);
  await rt.destroy(spec);
}

describe("node logs, process driver", () => {
  const nodes = testNodes();
  afterAll(() => nodes.cleanup());

  it("reads the node's redis.log: start lines, the newest N, nothing for a node that is not there", async () => {
    const rt = nodes.runtime();
    await checkLogs(rt, await nodes.spec());
    await checkFailedStart(rt, await nodes.spec());
  });
});

describe("node logs, docker driver", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "cacheplane-docker-logs-"));
  const rt = createDockerRuntime({ nodesRoot: root, images: { REDIS_7_0: IMAGE } });
  const specs: NodeSpec[] = [];
  const spec = async () => {
    const s = testSpec(root, { id: `dl${process.pid}-${specs.length}`, instanceUid: `dl${process.pid}`, port: await freePort() });
    specs.push(s);
    return s;
  };

  beforeAll(async () => {
    const up = await exec("docker", ["info"]).then(
      () => true,
      () => false,
    );
    if (!up) await exec(path.join(repo, "scripts/start-dockerd.sh"), { timeout: 240_000 });
    await exec(path.join(repo, "scripts/build-local-image.sh"), [IMAGE], { timeout: 120_000 });
  }, 300_000);
  afterAll(async () => {
    for (const s of specs) await rt.destroy(s).catch(() => {});
    await rt.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("reads the container's log file through its data dir, after what the container printed", async () => {
    await checkLogs(rt, await spec());
    await checkFailedStart(rt, await spec());
  });
});
