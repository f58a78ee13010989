export * from "./catalogue.js";
export * from "./reconcile-queue.js";
