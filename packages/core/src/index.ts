export * from "./names.js";
export * from "./state-machine.js";
export * from "./placement.js";
export * from "./node-config.js";
export * from "./plan.js";
export * from "./instance-view.js";
export * from "./slots.js";
export * from "./cluster-plan.js";
