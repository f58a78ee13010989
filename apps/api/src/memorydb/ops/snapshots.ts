import type { MemoryDbServices, OperationTable } from "../registry.js";

export function snapshotsOperations(_services: MemoryDbServices): OperationTable {
  return {};
}
