export * from "./ids.js";
export * from "./errors.js";
export * from "./redis-configs.js";
export * from "./instance.js";
export * from "./operation.js";
export * from "./location.js";
export * from "./requests.js";
export * from "./api-key.js";
