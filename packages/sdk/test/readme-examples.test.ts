// The README's examples are programs: each runs here against a real control plane.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";

let cp: TestControlPlane;
let dir: string;
const examples = new Map<string, string>();

beforeAll(async () => {
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  for (const m of readme.matchAll(/<!-- example: ([a-z-]+) -->\n```ts\n([\s\S]*?)```/g)) examples.set(m[1]!, m[2]!);
  cp = await startTestControlPlane();
  dir = await mkdtemp(join(tmpdir(), "cacheplane-readme-"));
  // Resolve `@cacheplane/sdk` and `ioredis` as a user's project would.
  await symlink(fileURLToPath(new URL("../../../node_modules", import.meta.url)), join(dir, "node_modules"));
});
afterAll(async () => {
  await cp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function runExample(name: string): Promise<string> {
  const source = examples.get(name);
  expect(source, `README example '${name}'`).toBeDefined();
  const file = join(dir, `${name}.mts`);
  await writeFile(file, source!);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", file],
      { cwd: dir, env: { PATH: process.env.PATH, CACHEPLANE_URL: cp.url, CACHEPLANE_API_KEY: ADMIN_KEY }, timeout: 90_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${name} failed: ${stderr || error.message}`)) : resolve(stdout)),
    );
  });
}

describe("README examples", () => {
  it("has the examples this test expects", () => {
    expect([...examples.keys()].sort()).toEqual(["cluster", "errors", "keys", "paging", "progress", "quick-start", "zone-outage"]);
  });

  it("quick start", async () => {
    const out = await runExample("quick-start");
    expect(out).toMatch(/^projects\/default\/locations\/local1\/instances\/readme-cache READY 127\.0\.0\.1:\d+$/m);
    expect(out).toMatch(/^hello = world$/m);
    expect(out).toMatch(/^deleted$/m);
  });

  it("cluster", async () => {
    const out = await runExample("cluster");
    expect(out).toMatch(/^ACTIVE 0001:0-5461 0002:5462-10922 0003:10923-16383$/m);
    expect(out).toMatch(/^keys: 4 on 3 primaries$/m);
    expect(out).toMatch(/^event: CREATE_REQUESTED$/m);
    expect(out).toMatch(/^deleted$/m);
  });

  it("errors", async () => {
    const out = await runExample("errors");
    expect(out).toMatch(/^NOT_FOUND 404 .*does-not-exist/m);
    expect(out).toMatch(/^INVALID_ARGUMENT \[ 'memorySizeGb' \]$/m);
  });

  it("progress", async () => {
    const out = await runExample("progress");
    expect(out).toMatch(/^progress: /m);
    expect(out).toMatch(/^done: true READY$/m);
  });

  it("paging", async () => {
    const out = await runExample("paging");
    expect(out.match(/^(create|delete) projects\/default\/locations\/local1\/instances\/\S+ done$/gm)?.length).toBeGreaterThanOrEqual(4);
    expect(out).toMatch(/^zones: local1-a,local1-b,local1-c$/m);
    expect(out).toMatch(/^instances on the first page: \d+$/m);
  });

  it("keys", async () => {
    const out = await runExample("keys");
    expect(out).toMatch(/^scoped key sees \d+ instances$/m);
    expect(out).toMatch(/^revoked apiKeys\/[0-9a-f]+$/m);
  });

  it("zone outage", async () => {
    const out = await runExample("zone-outage");
    expect(out).toMatch(/^replicas with the write: 1$/m);
    expect(out).toMatch(/^zones: local1-a=DOWN local1-b=UP local1-c=UP$/m);
    expect(out).toMatch(/^primary moved from local1-a to local1-[bc] - hello = world$/m);
    expect(out).toMatch(/^deleted$/m);
    expect((await cp.prisma.zone.findMany({ where: { state: "DOWN" } })).map((z) => z.zone)).toEqual([]);
  });
});
