export { buildApp, API_VERSION } from "./app.js";
export type { ApiContext, LocationConfig } from "./context.js";
export { bootstrap } from "./bootstrap.js";
export { generateKey, hashKey } from "./api-keys.js";
export { openApiDocument, renderOpenApi } from "./openapi.js";
