#!/usr/bin/env node
// `npm run build`: every workspace to JavaScript with type declarations, then the two
// artefacts people install, bundled with esbuild:
// - @cacheplane/sdk's CommonJS entry points (dist/*.cjs), so `require("@cacheplane/sdk")` works
//   beside `import`. They carry openapi-fetch inside: its own CommonJS build exports a default
//   that esbuild's interop cannot call, and a bundled copy cannot disagree with itself.
// - the `cacheplane` command (apps/cli/dist): its own code and the SDK in one ESM bundle
//   split per command, so `cacheplane --help` loads one small file and a resource command only
//   its chunk. The control plane that `up` runs (api, worker, db, …) is not bundled: `up` imports
//   those packages' built dist/ at run time, and an installed CLI without them says so.
// - the web console (apps/console/dist): app.js, app.css and index.html for the browser, the SDK
//   bundled in from its sources; the api serves that folder at /console.
// Plain JavaScript on purpose: the build must run before anything is built.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const at = (path) => `${root}${path}`;

const tsc = spawnSync(process.execPath, [at("node_modules/typescript/bin/tsc"), "-b", at("tsconfig.build.json")], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

await build({
  entryPoints: { index: at("packages/sdk/src/index.ts"), testing: at("packages/sdk/src/testing.ts") },
  outdir: at("packages/sdk/dist"),
  outExtension: { ".js": ".cjs" },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  logLevel: "warning",
});

/** What the CLI bundle carries; every other package import stays an import (the control plane). */
const BUNDLED = new Set(["@cacheplane/sdk", "openapi-fetch"]);
const packageOf = (spec) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);

rmSync(at("apps/cli/dist"), { recursive: true, force: true });
await build({
  entryPoints: { cacheplane: at("apps/cli/src/main.ts") },
  outdir: at("apps/cli/dist"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  conditions: ["source"],
  chunkNames: "chunks/[name]-[hash]",
  plugins: [
    {
      name: "control-plane-external",
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.has(packageOf(args.path)) ? undefined : { path: args.path, external: true }));
      },
    },
  ],
  logLevel: "warning",
});

// The console: one browser bundle (Preact, uPlot and the SDK inside; CSS imported by the code
// lands in app.css beside it) and its page. Minified, since a browser downloads it.
rmSync(at("apps/console/dist"), { recursive: true, force: true });
mkdirSync(at("apps/console/dist"), { recursive: true });
await build({
  entryPoints: { app: at("apps/console/src/main.tsx") },
  outdir: at("apps/console/dist"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022"],
  conditions: ["source"],
  jsx: "automatic",
  jsxImportSource: "preact",
  minify: true,
  sourcemap: "linked",
  logLevel: "warning",
});
copyFileSync(at("apps/console/src/index.html"), at("apps/console/dist/index.html"));
