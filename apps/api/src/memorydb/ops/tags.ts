import type { MemoryDbServices, OperationTable } from "../registry.js";

export function tagsOperations(_services: MemoryDbServices): OperationTable {
  return {};
}
