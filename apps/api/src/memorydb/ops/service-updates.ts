import type { MemoryDbServices, OperationTable } from "../registry.js";

export function serviceUpdatesOperations(_services: MemoryDbServices): OperationTable {
  return {};
}
