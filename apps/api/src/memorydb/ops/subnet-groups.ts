import type { MemoryDbServices, OperationTable } from "../registry.js";

export function subnetGroupsOperations(_services: MemoryDbServices): OperationTable {
  return {};
}
