import type { MemoryDbServices, OperationTable } from "../registry.js";

export function usersAclsOperations(_services: MemoryDbServices): OperationTable {
  return {};
}
