import type { MemoryDbServices, OperationTable } from "../registry.js";

export function unavailableOperations(_services: MemoryDbServices): OperationTable {
  return {};
}
