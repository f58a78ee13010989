// The generated types must match the committed contract: regenerate with
// `npm run openapi && npm run generate -w @cacheplane/sdk` when this fails.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const sdkDir = fileURLToPath(new URL("..", import.meta.url));
const bin = fileURLToPath(new URL("../../../node_modules/.bin/openapi-typescript", import.meta.url));

describe("generated SDK types", () => {
  it("are up to date with openapi/openapi.json (openapi-typescript --check)", async () => {
    const result = await run(bin, ["../../openapi/openapi.json", "-o", "src/generated/openapi.ts", "--check"], { cwd: sdkDir }).then(
      () => ({ ok: true, out: "" }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${error.stdout ?? ""}${error.stderr ?? ""}` }),
    );
    expect(result.out).not.toMatch(/not up-to-date/);
    expect(result.ok).toBe(true);
  });

  it("cover every operationId in the contract", async () => {
    const doc = JSON.parse(await readFile(new URL("../../../openapi/openapi.json", import.meta.url), "utf8"));
    const generated = await readFile(new URL("../src/generated/openapi.ts", import.meta.url), "utf8");
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect(generated).toContain(`${id}: {`);
  });
});
