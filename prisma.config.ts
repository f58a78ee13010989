// Prisma CLI configuration. The CLI runs its schema engine as WebAssembly through a
// driver adapter (engine "js"), so `prisma generate`, `migrate diff`, `migrate deploy` and
// `migrate status` need no native engine download (this machine reaches only npm).
// The adapter is @prisma/adapter-pg 7.x on purpose: 6.19's fails migrate with
// "Column type 'name' could not be deserialized". See packages/db/src/cli-adapter.ts.
import { defineConfig } from "prisma/config";
import { CliPgAdapterFactory } from "./packages/db/src/cli-adapter.js";

// The 6.19 CLI still needs the schema's `url = env("DATABASE_URL")` and the variable set
// (else it tries to download a query engine); the adapter is what actually connects.
process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/test";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  adapter: async () => new CliPgAdapterFactory(process.env.DATABASE_URL!),
});
