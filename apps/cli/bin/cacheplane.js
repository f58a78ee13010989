#!/usr/bin/env node
// The `cacheplane` command: the bundle `npm run build` writes (apps/cli/dist). Nothing here loads
// TypeScript at run time.
try {
  await import("../dist/cacheplane.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/cacheplane.js")) throw error;
  process.stderr.write("cacheplane: this checkout is not built yet: run `npm run build` in it (scripts/quickstart.sh does)\n");
  process.exit(1);
}
