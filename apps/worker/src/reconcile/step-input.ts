// What every step runs with: the row as this pass read it, the nodes' directives, the lease.
// A file of its own so that steps, failover and the cluster steps need not import each other.
import type { Instance as InstanceRow, Node as NodeRow } from "@cacheplane/db";
import type { Lease } from "./lease.js";
import type { WithTrust } from "../tls/deployment-tls.js";
import type { WithAcl } from "../acl/deployment-acl.js";

/** `trust`: a TLS deployment's published CAs, loaded with the row (tls/ca-store.ts); `acl`: its
 *  users, loaded each pass (acl/deployment-acl.ts). */
export type Row = InstanceRow & { nodes: NodeRow[] } & WithTrust & WithAcl;

export interface StepInput {
  row: Row;
  config: Record<string, string>;
  lease: Lease;
}
