import { defineConfig } from "vitest/config";

// Tests talk to real Postgres, Redis and redis-server nodes; files run in parallel forks,
// each with its own database and queue prefix, so they never share state.
export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
