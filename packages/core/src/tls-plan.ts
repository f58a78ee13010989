// transitEncryptionMode SERVER_AUTHENTICATION as plan steps: the deployment's certificate
// authorities, and each node's certificate and trust bundle. No I/O; the worker keeps the CAs
// (their keys sealed) and issues the certificates.
//
// A CA is ACTIVE (it signs node certificates; one at a time), TRUSTED (published in
// serverCaCerts and in every node's trust bundle, but signing nothing) or RETIRED (gone from
// both). Rotation (our addition) goes so that a client holding every published CA never sees a
// failed handshake, and no node ever presents a certificate a peer cannot verify:
//   1. a new CA is made TRUSTED: published, and added to every node's trust bundle;
//   2. once every node trusts it, it becomes ACTIVE (the old one TRUSTED);
//   3. every node is issued a new certificate by it, one at a time, live (no restart);
//   4. once no node serves the old CA's certificate, the old CA is RETIRED and every node's
//      trust bundle drops it.
// Each step is decided from the CA records and what the nodes serve, so a worker killed
// anywhere resumes where the nodes are.
import type { ObservedNode, Step } from "./plan.js";

export type CaState = "ACTIVE" | "TRUSTED" | "RETIRED";

export interface CaRecord {
  uid: string;
  state: CaState;
  /** SHA-256 fingerprint of its certificate (as NodeObservation.tls.issuer names it). */
  fingerprint: string;
  /** ms since the epoch. */
  createTime: number;
}

export interface DesiredTls {
  /** The deployment's CAs that are not RETIRED. */
  cas: readonly CaRecord[];
  /** Digest of the bundle every node must trust: the certificates of `cas`. */
  trust: string;
  /** Addresses every node's certificate carries besides the node's own: the endpoint and read
   *  endpoint of an instance, the discovery endpoint of a cluster (any node may come to hold them). */
  addresses: readonly string[];
  /** A certificate that expires before this (ms since the epoch) is issued again. */
  renewBefore: number;
  /** A rotation asked for at this time (ms since the epoch) and not finished. */
  rotationRequestedAt?: number | undefined;
}

/** What a node's TLS observation lacks, if anything. */
export interface NodeTlsObserved {
  issuer?: string | undefined;
  addresses: string[];
  validTo: number;
  trust?: string | undefined;
}

const activeOf = (tls: DesiredTls) => tls.cas.find((c) => c.state === "ACTIVE");
/** TRUSTED CAs made after the ACTIVE one are on their way in (step 1); older ones on their way out (step 4). */
const incomingOf = (tls: DesiredTls, active: CaRecord) => tls.cas.filter((c) => c.state === "TRUSTED" && c.createTime > active.createTime);
const outgoingOf = (tls: DesiredTls, active: CaRecord) => tls.cas.filter((c) => c.state === "TRUSTED" && c.createTime <= active.createTime);

/** The first step of a TLS deployment: a CA to sign its nodes' certificates, before any node. */
export function tlsBootstrap(tls: DesiredTls | undefined): Step | undefined {
  if (!tls || activeOf(tls)) return undefined;
  // A TRUSTED CA left by a rotation whose ACTIVE one is gone is promoted rather than replaced.
  const trusted = [...tls.cas].sort((a, b) => b.createTime - a.createTime)[0];
  return trusted ? { kind: "activateCa", caUid: trusted.uid } : { kind: "createCa", activate: true };
}

/**
 * What a running node needs: "certificate" (issued by a CA that is not ACTIVE, lacking an address,
 * or expiring soon: issueCertificate, which also brings its trust bundle), "trust" (it has not
 * loaded the bundle of the deployment's CAs: configureNode), or nothing.
 */
export function nodeTlsDrift(tls: DesiredTls, node: Pick<ObservedNode, "host" | "tls">): "certificate" | "trust" | undefined {
  const seen = node.tls;
  const active = activeOf(tls);
  if (!seen || !active) return undefined; // not observed (yet): nothing to compare
  const covers = [node.host, ...tls.addresses].every((a) => seen.addresses.includes(a));
  if (seen.issuer !== active.fingerprint || !covers || seen.validTo < tls.renewBefore) return "certificate";
  if (seen.trust !== tls.trust) return "trust";
  return undefined;
}

/** The rotation's next deployment-wide step, once every node has converged (see the file's top). */
export function rotationSteps(tls: DesiredTls | undefined): Step[] {
  const active = tls && activeOf(tls);
  if (!tls || !active) return [];
  const incoming = incomingOf(tls, active).sort((a, b) => b.createTime - a.createTime)[0];
  if (incoming) return [{ kind: "activateCa", caUid: incoming.uid }];
  const outgoing = outgoingOf(tls, active);
  if (outgoing.length > 0) return [{ kind: "retireCa", caUids: outgoing.map((c) => c.uid) }];
  if (tls.rotationRequestedAt !== undefined && active.createTime < tls.rotationRequestedAt) return [{ kind: "createCa", activate: false }];
  return [];
}
