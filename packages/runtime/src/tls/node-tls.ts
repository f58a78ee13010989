// A TLS node's files and directives (NodeSpec.tls), shared by both drivers.
//
// Files live in the node's data dir, so the docker driver's bind mount carries them into the
// container under the same relative paths:
//   tls/ca-<digest>.crt  the CAs the node trusts (replication and cluster-bus peers are verified
//                        against them). Named by its content, so CONFIG GET tls-ca-cert-file tells
//                        which bundle a running node has loaded (NodeObservation.tls.trust).
//   tls/node.crt         the node's certificate, and
//   tls/node.key         its private key (0600, like every file here).
// The endpoint port speaks TLS only: `port 0` (no plaintext listener) and `tls-port` on the
// node's port, for every address it binds. Replication, the cluster bus and MIGRATE use TLS too
// (tls-replication, tls-cluster: Redis picks TLS for MIGRATE by tls-cluster, also outside
// cluster mode). Clients need no certificate of their own (tls-auth-clients no); the cluster bus
// still asks every peer for one, which is why node certificates also carry clientAuth.
// CONFIG SET of a tls-*-file directive reloads the files even when the path is unchanged, so a
// node takes a new certificate or trust bundle live, with no restart.
import { createHash, X509Certificate } from "node:crypto";
import { access, chmod, mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Redis } from "ioredis";
import { peerCertificateOf } from "../redis-admin.js";
import type { NodeTls, NodeTlsObservation } from "../node-runtime.js";
import { splitPemBundle } from "./pem.js";

/** Directives the driver writes for a TLS node; a spec may not set them. */
export const TLS_DIRECTIVES = [
  "tls-port",
  "tls-cert-file",
  "tls-key-file",
  "tls-key-file-pass",
  "tls-client-cert-file",
  "tls-client-key-file",
  "tls-ca-cert-file",
  "tls-ca-cert-dir",
  "tls-auth-clients",
  "tls-replication",
  "tls-cluster",
] as const;

/** A short digest of a CA bundle's certificates (order and PEM line endings do not matter). */
export function caBundleDigest(caPem: string): string {
  const hash = createHash("sha256");
  for (const der of splitPemBundle(caPem)
    .map((pem) => new X509Certificate(pem).raw.toString("hex"))
    .sort())
    hash.update(der);
  return hash.digest("hex").slice(0, 16);
}

/** The TLS files of a node whose data dir is `dataDir` (as the node or this process sees it). */
export function tlsFiles(dataDir: string, tls: Pick<NodeTls, "caPem">) {
  const dir = path.join(dataDir, "tls");
  return { dir, ca: path.join(dir, `ca-${caBundleDigest(tls.caPem)}.crt`), cert: path.join(dir, "node.crt"), key: path.join(dir, "node.key") };
}

/** The bundle digest in a tls-ca-cert-file path this module wrote; undefined for any other. */
export const trustOfCaFile = (caFile: string | undefined) => /(?:^|\/)ca-([0-9a-f]{16})\.crt$/.exec(caFile ?? "")?.[1];

/** The TLS directives of a node's redis.conf and of its live CONFIG SET; `dataDir` is the data
 *  dir as the node sees it (/data in a container). */
export function tlsDirectives(tls: NodeTls, dataDir: string): Record<string, string> {
  const files = tlsFiles(dataDir, tls);
  return {
    "tls-cert-file": files.cert,
    "tls-key-file": files.key,
    "tls-ca-cert-file": files.ca,
    "tls-auth-clients": "no",
    "tls-replication": "yes",
    "tls-cluster": "yes",
  };
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

async function writeAtomically(file: string, text: string) {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, file);
}

export class MissingCertificateError extends Error {
  override name = "MissingCertificateError";
}

/**
 * Writes the node's TLS files into `dataDir` (this process's path of it): the trust bundle, and
 * the certificate and key when the spec carries them (a newly issued certificate). Returns the
 * files written, which `handOver` lets the docker driver give to the node's user. Throws
 * MissingCertificateError when neither the spec nor the dir has a certificate.
 */
export async function writeNodeTls(tls: NodeTls, dataDir: string): Promise<{ written: string[]; issued: boolean }> {
  const files = tlsFiles(dataDir, tls);
  await mkdir(files.dir, { recursive: true, mode: 0o700 });
  await chmod(files.dir, 0o700);
  const written: string[] = [files.dir];
  if (!(await exists(files.ca))) {
    await writeAtomically(files.ca, tls.caPem);
    written.push(files.ca);
  }
  const issued = tls.certPem !== undefined && tls.keyPem !== undefined;
  if (issued) {
    // Both before the node loads either: at its start, or at the CONFIG SET that follows.
    await writeAtomically(files.key, tls.keyPem!);
    await writeAtomically(files.cert, tls.certPem!);
    written.push(files.key, files.cert);
  } else if (!(await exists(files.cert)) || !(await exists(files.key))) {
    throw new MissingCertificateError(`no TLS certificate for this node in ${files.dir}, and the spec carries none`);
  }
  return { written, issued };
}

/** Removes trust bundles other than the spec's, once the node has loaded it. */
export async function pruneCaBundles(tls: NodeTls, dataDir: string): Promise<void> {
  const files = tlsFiles(dataDir, tls);
  const keep = path.basename(files.ca);
  const names = await readdir(files.dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n !== keep && /^ca-[0-9a-f]{16}\.crt$/.test(n)).map((n) => rm(path.join(files.dir, n), { force: true })));
}

/** ioredis/tls options to reach a TLS node: verify its certificate against the spec's CAs and
 *  its address against the certificate's subjectAltNames (Node's default check). */
export const clientTls = (tls: Pick<NodeTls, "caPem"> | undefined) => (tls ? { ca: tls.caPem } : undefined);

/**
 * What the node's certificate is, as seen in the handshake of an admin connection (the truth a
 * client sees, not what a file says): which CA of the bundle issued it (its SHA-256
 * fingerprint), its IP subjectAltNames, when it expires. undefined for a plaintext connection.
 */
export function servedCertificate(redis: Redis, tls: NodeTls): Omit<NodeTlsObservation, "trust"> | undefined {
  const leaf = peerCertificateOf(redis);
  if (!leaf) return undefined;
  const issuer = splitPemBundle(tls.caPem)
    .map((pem) => new X509Certificate(pem))
    .find((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
  const addresses = (leaf.subjectAltName ?? "")
    .split(", ")
    .filter((n) => n.startsWith("IP Address:"))
    .map((n) => n.slice("IP Address:".length));
  return {
    ...(issuer ? { issuer: issuer.fingerprint256 } : {}),
    serialNumber: leaf.serialNumber.toUpperCase(),
    addresses,
    validTo: new Date(leaf.validTo).getTime(),
  };
}
