// Runs the Prisma CLI from tests with an async spawn (a sync one would block the event loop
// and deadlock anything this process serves, such as embedded PGlite).
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const schemaPath = join(repoRoot, "prisma/schema.prisma");
const cli = join(dirname(createRequire(import.meta.url).resolve("prisma/package.json")), "build/index.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `prisma <args>` at the repo root (so prisma.config.ts applies), against databaseUrl. */
export function runPrisma(args: string[], databaseUrl: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
