// The certificate authorities of a TLS deployment, as the worker keeps them: one row each in
// CertificateAuthority, the certificate in the clear (it is published), the private key sealed
// (AES-256-GCM) under the project's data key, the same key that seals its backups. The key is
// opened only here, only to sign a node certificate, and never logged.
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import { caBundleDigest, certificateFacts, createCertificateAuthority, type KeyedCertificate } from "@cacheplane/runtime";
import type { CaState } from "@cacheplane/core";
import type { WorkerContext } from "../context.js";
import { projectDataKey } from "../backups/storage.js";

export interface StoredCa {
  uid: string;
  state: CaState;
  certPem: string;
  sealedKey: string;
  fingerprint: string;
  createTime: Date;
}

/** What every connection to a TLS deployment's nodes, and every node, trusts. */
export interface DeploymentTrust {
  /** ACTIVE and TRUSTED, oldest first. */
  cas: StoredCa[];
  /** Their certificates, one PEM bundle. */
  bundlePem: string;
  /** caBundleDigest(bundlePem): what NodeObservation.tls.trust reports once a node loaded it. */
  digest: string;
}

/** Bound into every sealed key, with the CA's uid: a sealed key cannot be moved to another CA. */
const aad = (caUid: string) => Buffer.from(`cacheplane ca key v1:${caUid}`);

function seal(dataKey: Buffer, caUid: string, keyPem: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", dataKey, iv, { authTagLength: 16 });
  cipher.setAAD(aad(caUid));
  const ciphertext = Buffer.concat([cipher.update(keyPem, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

function unseal(dataKey: Buffer, caUid: string, sealed: string): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || !ciphertext) throw new Error(`the sealed key of CA ${caUid} is malformed`);
  const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(iv, "base64url"), { authTagLength: 16 });
  decipher.setAAD(aad(caUid));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new Error(`the sealed key of CA ${caUid} does not open under the project's data key`);
  }
}

const toStored = (row: { uid: string; state: string; certPem: string; sealedKey: string; createTime: Date }): StoredCa => ({
  uid: row.uid,
  state: row.state as CaState,
  certPem: row.certPem,
  sealedKey: row.sealedKey,
  fingerprint: certificateFacts(row.certPem).fingerprint256,
  createTime: row.createTime,
});

export function trustOf(cas: StoredCa[]): DeploymentTrust {
  const bundlePem = cas.map((c) => c.certPem).join("");
  return { cas, bundlePem, digest: caBundleDigest(bundlePem) };
}

/** The published CAs of each deployment (one query for all of them). */
export async function loadTrust(ctx: WorkerContext, instanceUids: readonly string[]): Promise<Map<string, DeploymentTrust>> {
  if (instanceUids.length === 0) return new Map();
  const rows = await ctx.prisma.certificateAuthority.findMany({
    where: { instanceUid: { in: [...instanceUids] }, state: { in: ["ACTIVE", "TRUSTED"] } },
    orderBy: { createTime: "asc" },
  });
  const byUid = new Map<string, StoredCa[]>(instanceUids.map((uid) => [uid, []]));
  for (const row of rows) byUid.get(row.instanceUid)?.push(toStored(row));
  return new Map([...byUid].map(([uid, cas]) => [uid, trustOf(cas)]));
}

/** A new CA for the deployment, its key sealed: ACTIVE (the first) or TRUSTED (a rotation's). */
export async function createCa(ctx: WorkerContext, row: { uid: string; projectId: string; instanceId: string }, state: "ACTIVE" | "TRUSTED") {
  const uid = randomUUID();
  const ca = await createCertificateAuthority({ commonName: `cacheplane server CA ${row.instanceId}` });
  const dataKey = await projectDataKey(ctx.prisma, ctx.backups, row.projectId);
  await ctx.prisma.certificateAuthority.create({
    data: {
      uid,
      instanceUid: row.uid,
      serialNumber: ca.serialNumber,
      certPem: ca.certPem,
      sealedKey: seal(dataKey, uid, ca.keyPem),
      state,
      expireTime: ca.notAfter,
    },
  });
  return { uid, serialNumber: ca.serialNumber };
}

/** The ACTIVE CA with its key opened, to sign with. */
export async function signingCa(ctx: WorkerContext, projectId: string, trust: DeploymentTrust): Promise<KeyedCertificate> {
  const active = trust.cas.find((c) => c.state === "ACTIVE");
  if (!active) throw new Error("the deployment has no ACTIVE certificate authority yet");
  const dataKey = await projectDataKey(ctx.prisma, ctx.backups, projectId);
  return { certPem: active.certPem, keyPem: unseal(dataKey, active.uid, active.sealedKey) };
}
