export { buildApp, API_VERSION, ENQUEUE_WAIT_MS, LOG_REDACT } from "./app.js";
export type { ApiContext, LocationConfig } from "./context.js";
// The default catalogue lives in core (the worker and the cli use it too); re-exported for callers of the api.
export { defaultCatalogue } from "@cacheplane/core";
export { bootstrap } from "./bootstrap.js";
export { generateKey, hashKey } from "./api-keys.js";
export { openApiDocument, renderOpenApi } from "./openapi.js";
export { createProcessRegistry } from "./monitoring/index.js";
