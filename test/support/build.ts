// Vitest's global setup: builds the workspaces (incrementally: about a second when nothing
// changed) before any test file runs, so the suites that start what users run — the bundled
// `cacheplane` command, the SDK from its dist/, packed tarballs — never test a stale build.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const BUILD = fileURLToPath(new URL("../../scripts/build.mjs", import.meta.url));

export default async function setup(): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [BUILD], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`npm run build failed:\n${stdout}${stderr}`)) : resolve(),
    ),
  );
}
