// In-transit encryption (transitEncryptionMode SERVER_AUTHENTICATION): the server CAs a client
// verifies nodes against, as Memorystore shows them: `serverCaCerts` on an Instance (Memorystore
// for Redis), `…/clusters/{c}/certificateAuthority` for a cluster (Memorystore for Redis Cluster).
import { z } from "zod";

/** Memorystore for Redis' TlsCertificate. */
export const TlsCertificate = z
  .object({
    serialNumber: z.string().meta({ description: "Serial number, as shown in the certificate (upper-case hex)." }),
    cert: z.string().meta({ description: "PEM representation of the CA certificate." }),
    createTime: z.iso.datetime(),
    expireTime: z.iso.datetime(),
    sha1Fingerprint: z.string().meta({ description: "SHA-1 of the certificate (DER), lower-case hex." }),
  })
  .meta({ id: "TlsCertificate" });
export type TlsCertificate = z.infer<typeof TlsCertificate>;

/** Memorystore for Redis Cluster's CertificateAuthority. */
export const CertificateAuthority = z
  .object({
    name: z.string().meta({ description: "projects/{project}/locations/{location}/clusters/{cluster}/certificateAuthority" }),
    managedServerCa: z
      .object({
        caCerts: z.array(z.object({ certificates: z.array(z.string()).meta({ description: "PEM, the CA first." }) }).meta({ id: "CertChain" })),
      })
      .meta({ id: "ManagedCertificateAuthority", description: "Every CA a client should trust; during a rotation, the old one and the new one." }),
  })
  .meta({ id: "CertificateAuthority" });

/** cacheplane addition: rotate the server CA of an instance or cluster (no fields). */
export const RotateServerCaRequest = z.strictObject({}).meta({ id: "RotateServerCaRequest" });
