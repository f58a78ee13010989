import type { MemoryDbServices, OperationTable } from "../registry.js";

export function clustersOperations(_services: MemoryDbServices): OperationTable {
  return {};
}
