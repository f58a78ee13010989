// The control plane's database: Prisma Client (generated, driver adapter, no native engine),
// the runtime migration runner and the embedded Postgres of the all-in-one mode.
export { createPrisma, CONNECT_TIMEOUT_MS, type CreatePrismaOptions } from "./client.js";
export { isDatabaseUnavailable } from "./unavailable.js";
export { migrate, type MigrateOptions, type MigrateResult } from "./migrate.js";
export { readMigrations, defaultMigrationsDir, type MigrationFile } from "./migrations.js";
export { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from "./embedded.js";
export { markDeletion, requestDeletion, SpecChangedError, type DeletionRequest } from "./repos/deletion.js";
export { requestBackup, SourceChangedError, type BackupRequest } from "./repos/backup-request.js";
export { readReleases, recordRelease } from "./repos/maintenance-releases.js";
export { latestSamples, pruneSamples, recordSamples, samplesOf, type NodeSampleRow, type SampledRole } from "./repos/node-samples.js";
export { createPooledReads, createPrismaReads, type InstanceReads, type InstanceWithNodes } from "./repos/instance-reads.js";
export { createSingleConnectionClients, type SingleConnectionClients } from "./single-connection.js";
// Generated types and values (PrismaClient, Prisma, model types): import them from here only.
export * from "../generated/client/index.js";
