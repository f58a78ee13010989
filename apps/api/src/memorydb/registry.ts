// The MemoryDB operations as a table: name → what it needs (read or write access), its input
// schema (zod, MemoryDB's PascalCase members) and the handler. Each family of operations lives
// in ops/<family>.ts and translates to the same services the native API uses, so a cluster made
// here is the native API's cluster; the facade keeps no state of its own beyond what MemoryDB has
// and Memorystore lacks (parameter and subnet groups, tags).
import { z } from "zod";
import type { Principal } from "../api-keys.js";
import type { ServiceContext } from "../context.js";
import type { AclService } from "../services/acls-service.js";
import type { BackupService } from "../services/backup-service.js";
import type { ClusterService } from "../services/cluster-service.js";
import type { DataJobService } from "../services/data-job-service.js";
import type { MaintenanceService } from "../services/maintenance-service.js";
import type { UserService } from "../services/users-service.js";
import { invalidParameterValue } from "./faults.js";

/** Who is asking, where: the project is the AWS account of the credentials that signed it. */
export interface MemoryDbCall {
  principal: Principal;
  project: string;
  /** The region the request was signed for: the location. */
  region: string;
}

/** The native services the operations translate to, built once by buildApp. */
export interface MemoryDbServices {
  ctx: ServiceContext;
  clusters: ClusterService;
  backups: BackupService;
  dataJobs: DataJobService;
  users: UserService;
  acls: AclService;
  maintenance: MaintenanceService;
}

export interface OperationDef {
  access: "read" | "write";
  input: z.ZodType;
  run(input: unknown, call: MemoryDbCall): Promise<unknown>;
}

export type OperationTable = Record<string, OperationDef>;

export function operation<S extends z.ZodType>(
  access: "read" | "write",
  input: S,
  run: (input: z.output<S>, call: MemoryDbCall) => Promise<unknown>,
): OperationDef {
  return { access, input, run: (value, call) => run(value as z.output<S>, call) };
}

/** Input members as MemoryDB bounds them. Unknown members are ignored, as AWS does for members a
 *  newer SDK sends. */
export const Name = z.string().min(1).max(255);
export const MaxResults = z.number().int().min(1).max(100).optional();
export const NextToken = z.string().max(2048).optional();
export const Tags = z
  .array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256).optional() }))
  .max(50)
  .optional();

/** The zod failure of an input, in AWS's words. */
export function inputError(error: z.ZodError) {
  const parts = error.issues.map((issue) => {
    const at = issue.path.join(".") || "request";
    return issue.code === "invalid_type" && issue.input === undefined
      ? `Value null at '${at}' failed to satisfy constraint: Member must not be null`
      : `Value at '${at}' failed to satisfy constraint: ${issue.message}`;
  });
  const count = parts.length;
  return invalidParameterValue(`${count} validation error${count === 1 ? "" : "s"} detected: ${parts.join("; ")}`);
}
