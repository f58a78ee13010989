// transitEncryptionMode SERVER_AUTHENTICATION for one deployment: whether it is on, what plan()
// is given (tls-plan.ts in core), the certificates its nodes are issued, and the TLS options of
// every connection the worker opens to its nodes.
import { READ_ENDPOINT_HOST, type DesiredTls } from "@cacheplane/core";
import type { Instance as InstanceRow, Node as NodeRow } from "@cacheplane/db";
import { issueNodeCertificate, type NodeSpec } from "@cacheplane/runtime";
import type { WorkerContext } from "../context.js";
import { signingCa, type DeploymentTrust } from "./ca-store.js";

export type { DeploymentTrust } from "./ca-store.js";

/** A row as a reconcile pass reads it, with its published CAs when TLS is on. */
export type WithTrust = { trust?: DeploymentTrust | undefined };

/** Instances say SERVER_AUTHENTICATION, clusters TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION. */
export const isTls = (row: Pick<InstanceRow, "spec">) =>
  /(^|_)SERVER_AUTHENTICATION$/.test(String((row.spec as { transitEncryptionMode?: string }).transitEncryptionMode ?? ""));

/** A certificate this close to its end is issued again. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

/** Addresses every node's certificate carries besides its own: any node may come to hold the
 *  instance's endpoint (and serve its read endpoint), or a cluster's discovery endpoint. */
export function endpointAddresses(row: Pick<InstanceRow, "kind" | "host">, nodeHost: string): string[] {
  return row.kind === "CLUSTER" ? [row.host ?? nodeHost] : [nodeHost, READ_ENDPOINT_HOST];
}

export function desiredTls(row: InstanceRow & WithTrust, nodeHost: string, rotationRequestedAt: Date | undefined, now = Date.now()): DesiredTls | undefined {
  if (!isTls(row)) return undefined;
  const trust = row.trust ?? { cas: [], bundlePem: "", digest: "" };
  return {
    cas: trust.cas.map((c) => ({ uid: c.uid, state: c.state, fingerprint: c.fingerprint, createTime: c.createTime.getTime() })),
    trust: trust.digest,
    addresses: endpointAddresses(row, nodeHost),
    renewBefore: now + RENEW_BEFORE_MS,
    rotationRequestedAt: rotationRequestedAt?.getTime(),
  };
}

/** The TLS part of a node's spec: what it trusts; the certificate comes only with `issue`. */
export function nodeTls(row: InstanceRow & WithTrust): NodeSpec["tls"] {
  if (!isTls(row)) return undefined;
  if (!row.trust) throw new Error(`deployment ${row.uid} uses TLS but its certificate authorities were not loaded`);
  return { caPem: row.trust.bundlePem };
}

/** TLS options of an admin connection (AdminTarget.tls, RdbSource.tls) to this deployment's nodes. */
export const adminTls = (row: InstanceRow & WithTrust) => {
  const tls = nodeTls(row);
  return tls ? { tls: { ca: tls.caPem } } : {};
};

/** The spec with a new certificate for the node from the ACTIVE CA: its own address and the
 *  deployment's endpoint addresses as subjectAltNames. A spec without TLS is returned as it is. */
export async function withIssuedCertificate(
  ctx: WorkerContext,
  row: InstanceRow & WithTrust,
  node: Pick<NodeRow, "id" | "host">,
  spec: NodeSpec,
): Promise<NodeSpec> {
  if (!spec.tls || !row.trust) return spec;
  const ca = await signingCa(ctx, row.projectId, row.trust);
  const cert = await issueNodeCertificate({ ca, commonName: node.id, ipAddresses: [node.host, ...endpointAddresses(row, ctx.nodeHost)] });
  return { ...spec, tls: { ...spec.tls, certPem: cert.certPem, keyPem: cert.keyPem } };
}
