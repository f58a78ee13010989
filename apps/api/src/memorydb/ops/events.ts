import type { MemoryDbServices, OperationTable } from "../registry.js";

export function eventsOperations(_services: MemoryDbServices): OperationTable {
  return {};
}
