// The SDK and the CLI as another project gets them: `npm pack` tarballs installed into a fresh
// project outside the repository (no workspace links, no TypeScript loader), then used against
// a running control plane from a plain .mjs file, a CommonJS require, a .ts file checked by tsc,
// a browser bundle, and the installed `cacheplane` command.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const TSC = join(REPO, "node_modules/typescript/bin/tsc");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) =>
    execFile(
      command,
      args,
      { cwd, env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env }, timeout: 180_000, maxBuffer: 8 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    ),
  );
}

async function ok(command: string, args: string[], cwd: string, env?: Record<string, string>): Promise<string> {
  const r = await run(command, args, cwd, env);
  expect(r.code, `${command} ${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(0);
  return r.stdout;
}

let cp: TestControlPlane;
let project: string;
let client: Record<string, string>;

beforeAll(async () => {
  cp = await startTestControlPlane();
  client = { CACHEPLANE_URL: cp.url, CACHEPLANE_API_KEY: ADMIN_KEY };
  project = await mkdtemp(join(tmpdir(), "cacheplane-consumer-"));
  const packs = join(project, "packs");
  await mkdir(packs);
  await ok("npm", ["pack", "--silent", "--pack-destination", packs, "-w", "@cacheplane/sdk", "-w", "@cacheplane/cli"], REPO);
  const tarballs = (await readdir(packs)).sort();
  expect(tarballs).toEqual(["cacheplane-cli-0.1.0.tgz", "cacheplane-sdk-0.1.0.tgz"]);
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // --prefer-offline: openapi-fetch (the SDK's one dependency) comes from npm's cache when it is there.
  await ok("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...tarballs.map((t) => join(packs, t))], project);
}, 240_000);

afterAll(async () => {
  await cp?.stop();
  if (project) await rm(project, { recursive: true, force: true });
});

describe("the packed SDK and CLI in a project of their own", () => {
  it("installs only what they need: the SDK brings openapi-fetch, the CLI nothing", async () => {
    const installed = (await readdir(join(project, "node_modules"))).filter((n) => !n.startsWith("."));
    expect(installed.sort()).toEqual(["@cacheplane", "openapi-fetch", "openapi-typescript-helpers"]);
    expect((await readdir(join(project, "node_modules/@cacheplane"))).sort()).toEqual(["cli", "sdk"]);
    const sdkFiles = await readdir(join(project, "node_modules/@cacheplane/sdk/dist"));
    expect(sdkFiles).toEqual(expect.arrayContaining(["index.js", "index.cjs", "index.d.ts", "testing.js"]));
    expect(sdkFiles.some((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toBe(false);
  });

  it("works from a plain .mjs file: create an instance, wait, read it, delete it", async () => {
    await writeFile(
      join(project, "app.mjs"),
      `import { createCacheplaneClient } from "@cacheplane/sdk";
const cp = createCacheplaneClient({ url: process.env.CACHEPLANE_URL, apiKey: process.env.CACHEPLANE_API_KEY });
const instance = await cp.instances.createAndWait("from-mjs", { tier: "BASIC", memorySizeGb: 1 });
const again = await cp.instances.get("from-mjs");
await cp.operations.wait((await cp.instances.delete("from-mjs")).name);
console.log(JSON.stringify({ state: instance.state, port: again.port }));`,
    );
    const out = JSON.parse(await ok(process.execPath, ["app.mjs"], project, client));
    expect(out.state).toBe("READY");
    expect(out.port).toBeGreaterThan(0);
  });

  it("works through require(), with the same errors", async () => {
    await writeFile(
      join(project, "app.cjs"),
      `const { createCacheplaneClient, CacheplaneError } = require("@cacheplane/sdk");
const cp = createCacheplaneClient({ url: process.env.CACHEPLANE_URL, apiKey: process.env.CACHEPLANE_API_KEY });
cp.instances.get("no-such-instance").catch((e) => console.log(e instanceof CacheplaneError, e.status));`,
    );
    expect((await ok(process.execPath, ["app.cjs"], project, client)).trim()).toBe("true NOT_FOUND");
  });

  it("gives TypeScript its full types: a correct program checks, a wrong field does not", async () => {
    const tsconfig = {
      compilerOptions: {
        strict: true,
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        noEmit: true,
        skipLibCheck: false,
        types: ["node"],
        typeRoots: [join(REPO, "node_modules/@types")],
      },
      files: ["app.ts"],
    };
    await writeFile(join(project, "tsconfig.json"), JSON.stringify(tsconfig));
    const program = (field: string) => `import { createCacheplaneClient, type Instance } from "@cacheplane/sdk";
const cp = createCacheplaneClient({ url: process.env.CACHEPLANE_URL!, apiKey: process.env.CACHEPLANE_API_KEY! });
const instance: Instance = await cp.instances.get("x");
const tier: "BASIC" | "STANDARD_HA" | undefined = instance.${field};
export { tier };\n`;
    await writeFile(join(project, "app.ts"), program("tier"));
    await ok(process.execPath, [TSC, "-p", "tsconfig.json"], project);
    await writeFile(join(project, "app.ts"), program("tierr"));
    const wrong = await run(process.execPath, [TSC, "-p", "tsconfig.json"], project);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toMatch(/Property 'tierr' does not exist on type/);
  });

  it("bundles for a browser: no Node built-in, and the bundle talks to the API with fetch alone", async () => {
    await writeFile(
      join(project, "browser.mjs"),
      `import { createCacheplaneClient } from "@cacheplane/sdk";
globalThis.result = createCacheplaneClient({ url: globalThis.API_URL, apiKey: globalThis.API_KEY }).locations.list();`,
    );
    const out = await build({
      entryPoints: [join(project, "browser.mjs")],
      bundle: true,
      platform: "browser",
      format: "iife",
      write: false,
      absWorkingDir: project,
      logLevel: "silent",
    });
    const code = out.outputFiles[0]!.text;
    expect(code).not.toMatch(/require\("node:|from "node:/);
    // A page's globals only: fetch and its types, URL, AbortController; no process, no require.
    const page: Record<string, unknown> = {
      fetch,
      Headers,
      Request,
      Response,
      URL,
      URLSearchParams,
      AbortController,
      TextEncoder,
      TextDecoder,
      setTimeout,
      clearTimeout,
      console,
      API_URL: cp.url,
      API_KEY: ADMIN_KEY,
    };
    runInNewContext(code, page);
    const { locations } = (await page.result) as { locations: { locationId: string }[] };
    expect(locations.map((l) => l.locationId)).toContain("local1");
  });

  it("installs a `cacheplane` command that drives the control plane", async () => {
    const bin = join(project, "node_modules/.bin/cacheplane");
    expect(await ok(bin, ["--help"], project)).toMatch(/^Usage: cacheplane <command>/);
    const env = await ok(bin, ["instances", "create", "from-cli", "--wait", "-o", "env"], project, client);
    expect(env).toMatch(/^REDIS_URL=redis:\/\/127\.0\.0\.1:\d+$/m);
    const listed = JSON.parse(await ok(bin, ["instances", "list", "-o", "json"], project, client));
    expect(listed.map((i: { name: string }) => i.name.split("/").pop())).toContain("from-cli");
    await ok(bin, ["instances", "delete", "from-cli", "--wait"], project, client);
    const missing = await run(bin, ["instances", "get", "from-cli"], project, client);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/not found \(NOT_FOUND\)/);
  });

  it("says plainly that `up` needs the control plane's packages, which the CLI alone does not carry", async () => {
    const bin = join(project, "node_modules/.bin/cacheplane");
    const r = await run(bin, ["up"], project, { CACHEPLANE_DATA_DIR: join(project, "data") });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cacheplane: `up` runs the control plane from a cacheplane checkout/m);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
  });

  it("ships no TypeScript source and no test file", async () => {
    const manifest = JSON.parse(await readFile(join(project, "node_modules/@cacheplane/cli/package.json"), "utf8"));
    expect(manifest.dependencies ?? {}).toEqual({});
    const files = await readdir(join(project, "node_modules/@cacheplane/cli"), { recursive: true });
    expect(files.filter((f) => /\.ts$|test/.test(String(f)))).toEqual([]);
  });
});
