// The server CAs of a TLS deployment as the wire shows them (contracts' TlsCertificate and
// CertificateAuthority), from their stored records: certificates only, never a key.
import { createHash } from "node:crypto";

export interface CaCertRecord {
  serialNumber: string;
  certPem: string;
  createTime: Date;
  expireTime: Date;
}

const derOf = (pem: string) => Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ""), "base64");

/** Memorystore for Redis' serverCaCerts: oldest first. */
export function serverCaCertsView(cas: readonly CaCertRecord[]) {
  return [...cas]
    .sort((a, b) => a.createTime.getTime() - b.createTime.getTime())
    .map((ca) => ({
      serialNumber: ca.serialNumber,
      cert: ca.certPem,
      createTime: ca.createTime.toISOString(),
      expireTime: ca.expireTime.toISOString(),
      sha1Fingerprint: createHash("sha1").update(derOf(ca.certPem)).digest("hex"),
    }));
}

/** Memorystore for Redis Cluster's CertificateAuthority: one chain per CA, oldest first. */
export function certificateAuthorityView(project: string, location: string, cluster: string, cas: readonly CaCertRecord[]) {
  return {
    name: `projects/${project}/locations/${location}/clusters/${cluster}/certificateAuthority`,
    managedServerCa: { caCerts: serverCaCertsView(cas).map((ca) => ({ certificates: [ca.cert] })) },
  };
}
