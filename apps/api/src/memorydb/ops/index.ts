// Every MemoryDB operation, by family. Each family translates to the native services.
import type { MemoryDbServices, OperationTable } from "../registry.js";
import { clustersOperations } from "./clusters.js";
import { eventsOperations } from "./events.js";
import { parameterGroupsOperations } from "./parameter-groups.js";
import { serviceUpdatesOperations } from "./service-updates.js";
import { snapshotsOperations } from "./snapshots.js";
import { subnetGroupsOperations } from "./subnet-groups.js";
import { tagsOperations } from "./tags.js";
import { unavailableOperations } from "./unavailable.js";
import { usersAclsOperations } from "./users-acls.js";

export function memorydbOperations(services: MemoryDbServices): OperationTable {
  return {
    ...clustersOperations(services),
    ...snapshotsOperations(services),
    ...usersAclsOperations(services),
    ...parameterGroupsOperations(services),
    ...subnetGroupsOperations(services),
    ...eventsOperations(services),
    ...serviceUpdatesOperations(services),
    ...tagsOperations(services),
    ...unavailableOperations(services),
  };
}
