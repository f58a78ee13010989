import type { MemoryDbServices, OperationTable } from "../registry.js";

export function parameterGroupsOperations(_services: MemoryDbServices): OperationTable {
  return {};
}
