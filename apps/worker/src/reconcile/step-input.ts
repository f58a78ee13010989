// What every step runs with: the row as this pass read it, the nodes' directives, the lease.
// A file of its own so that steps, failover and the cluster steps need not import each other.
import type { Instance as InstanceRow, Node as NodeRow } from "@cacheplane/db";
import type { Lease } from "./lease.js";

export type Row = InstanceRow & { nodes: NodeRow[] };

export interface StepInput {
  row: Row;
  config: Record<string, string>;
  lease: Lease;
}
