// X.509 for transitEncryptionMode SERVER_AUTHENTICATION: a certificate authority per instance or
// cluster, and each node's server certificate signed by it, made in-process.
//
// Library: @peculiar/x509 over Node's own WebCrypto. It is pure TypeScript (no install scripts,
// Node >= 20), maintained by the PKI.js authors, and builds certificates from typed extensions;
// the keys and signatures are Node's native crypto, so an ECDSA P-256 key pair and a signature
// take well under a millisecond (node-forge, the other pure-JS option, signs only with RSA, in
// JavaScript: an RSA 2048 key alone costs it about a second). Its DI container (tsyringe) needs
// the Reflect metadata polyfill, imported here once. Shelling out to `openssl` is not an option:
// the worker must not depend on a binary, and keys must never pass through argv or temp files.
//
// Keys are ECDSA P-256 (redis-server with OpenSSL 3 and every client we support accept them).
// Node certificates carry serverAuth and clientAuth: the cluster bus always asks the connecting
// node for a client certificate, and a node presents its server certificate there.
import "reflect-metadata";
import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;
/** Clocks of the machines involved may differ a little: certificates are valid from a bit earlier. */
const BACKDATE_MS = 5 * 60_000;
/** Memorystore's server CAs live 10 years; node certificates are re-issued long before a year ends. */
export const CA_VALID_DAYS = 3650;
export const NODE_CERT_VALID_DAYS = 365;

export interface KeyedCertificate {
  certPem: string;
  /** PKCS#8 PEM. A secret: never logged, never returned by an API. */
  keyPem: string;
}

export interface CertificateFacts {
  /** Upper-case hex, as Node and OpenSSL print it. */
  serialNumber: string;
  /** SHA-1 of the DER, upper-case hex with colons (Memorystore's sha1Fingerprint). */
  sha1Fingerprint: string;
  /** SHA-256 of the DER, upper-case hex with colons: how the control plane names a CA. */
  fingerprint256: string;
  notBefore: Date;
  notAfter: Date;
}

const serial = () => {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f; // a positive INTEGER, as RFC 5280 requires
  return bytes.toString("hex");
};

const generateKeys = () => webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]) as Promise<CryptoKeyPair>;

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  return createPrivateKey({ key: der, format: "der", type: "pkcs8" }).export({ format: "pem", type: "pkcs8" }) as string;
}

const importKeyPem = (pem: string) => {
  const der = createPrivateKey(pem).export({ format: "der", type: "pkcs8" });
  return webcrypto.subtle.importKey("pkcs8", der, ALGORITHM, false, ["sign"]);
};

const pemOf = (cert: x509.X509Certificate) => `${cert.toString("pem")}\n`;

/** A new self-signed CA (path length 0: it signs node certificates only). */
export async function createCertificateAuthority(opts: { commonName: string; validDays?: number; now?: Date }): Promise<KeyedCertificate & CertificateFacts> {
  const now = opts.now ?? new Date();
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [opts.commonName] }, { O: ["cacheplane"] }],
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + (opts.validDays ?? CA_VALID_DAYS) * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPem = pemOf(cert);
  return { certPem, keyPem: await exportKeyPem(keys.privateKey), ...certificateFacts(certPem) };
}

/** A node's server certificate: its IP addresses and DNS names as subjectAltNames (clients
 *  verify the address they dialled against them), signed by `ca`. */
export async function issueNodeCertificate(opts: {
  ca: KeyedCertificate;
  commonName: string;
  ipAddresses: readonly string[];
  dnsNames?: readonly string[];
  validDays?: number;
  now?: Date;
}): Promise<KeyedCertificate & CertificateFacts> {
  const now = opts.now ?? new Date();
  const caCert = new x509.X509Certificate(opts.ca.certPem);
  const [keys, signingKey] = await Promise.all([generateKeys(), importKeyPem(opts.ca.keyPem)]);
  const names: x509.JsonGeneralName[] = [
    ...[...new Set(opts.ipAddresses)].map((value) => ({ type: "ip" as const, value })),
    ...[...new Set(opts.dnsNames ?? [])].map((value) => ({ type: "dns" as const, value })),
  ];
  const notAfter = Math.min(now.getTime() + (opts.validDays ?? NODE_CERT_VALID_DAYS) * DAY_MS, caCert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: [{ CN: [opts.commonName] }, { O: ["cacheplane"] }],
    issuer: caCert.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPem = pemOf(cert);
  return { certPem, keyPem: await exportKeyPem(keys.privateKey), ...certificateFacts(certPem) };
}

/** Serial, fingerprints and validity of a PEM certificate (Node's own parser). */
export function certificateFacts(certPem: string): CertificateFacts {
  const cert = new X509Certificate(certPem);
  return {
    serialNumber: cert.serialNumber.toUpperCase(),
    sha1Fingerprint: cert.fingerprint,
    fingerprint256: cert.fingerprint256,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}
