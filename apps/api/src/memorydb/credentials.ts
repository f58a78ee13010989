// AWS-style credentials for API keys: an access key id and a secret access key that the MemoryDB
// API's clients sign with (SigV4). The secret must be read again to check a signature, so it is
// sealed under the master key (ApiContext.secrets), never hashed; it is shown once, when issued.
// Issuing again replaces a key's credentials; revoking the key revokes them with it.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@cacheplane/db";
import { roleOf, type Principal } from "../api-keys.js";
import type { SecretBox } from "../context.js";

const PURPOSE = "aws-secret-access-key";
const TTL_MS = 2_000;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** The project (AWS account) requests signed with them act in. */
  project: string;
}

export interface VerifiedCredential {
  principal: Principal;
  project: string;
  secret: string;
}

/** AKCP + 16 base32 characters, shaped like AWS's own AKIA… ids; the secret is 40 characters. */
function generate(): { accessKeyId: string; secretAccessKey: string } {
  const id = [...randomBytes(16)].map((b) => BASE32[b & 31]).join("");
  return { accessKeyId: `AKCP${id}`, secretAccessKey: randomBytes(30).toString("base64").replace(/\+/g, "A").replace(/\//g, "B") };
}

export function createAwsCredentialStore(prisma: PrismaClient, secrets: SecretBox, log: { warn(fields: object, message: string): void }) {
  /** A secret sealed under another master key (CACHEPLANE_MASTER_KEY changed, or another data
   *  dir) cannot be checked: the credentials are refused as unknown, and the operator told why. */
  function openSecret(accessKeyId: string, sealed: string): string | undefined {
    try {
      return secrets.open(PURPOSE, sealed);
    } catch {
      log.warn({ accessKeyId }, "AWS credentials sealed under another master key: refused; issue new ones (POST /v1/apiKeys/{key}:issueAwsCredentials)");
      return undefined;
    }
  }

  const cache = new Map<string, { value: VerifiedCredential; expires: number }>();
  return {
    async issue(keyId: string, project: string): Promise<AwsCredentials> {
      const { accessKeyId, secretAccessKey } = generate();
      const sealedSecret = secrets.seal(PURPOSE, secretAccessKey);
      await prisma.$transaction([
        prisma.awsCredential.deleteMany({ where: { keyId } }),
        prisma.awsCredential.create({ data: { accessKeyId, keyId, project, sealedSecret } }),
      ]);
      cache.clear();
      return { accessKeyId, secretAccessKey, project };
    },

    /** The key, project and secret behind an access key id; undefined when unknown or revoked. */
    async lookup(accessKeyId: string): Promise<VerifiedCredential | undefined> {
      const hit = cache.get(accessKeyId);
      if (hit && hit.expires > Date.now()) return hit.value;
      const row = await prisma.awsCredential.findUnique({ where: { accessKeyId } });
      const key = row ? await prisma.apiKey.findUnique({ where: { id: row.keyId } }) : null;
      if (!row || !key || key.revokeTime) return undefined;
      const secret = openSecret(accessKeyId, row.sealedSecret);
      if (secret === undefined) return undefined;
      const value = { principal: { keyId: key.id, projects: key.projects, role: roleOf(key.role) }, project: row.project, secret };
      if (cache.size >= 1_000) cache.clear();
      cache.set(accessKeyId, { value, expires: Date.now() + TTL_MS });
      return value;
    },

    clear: () => cache.clear(),
  };
}
export type AwsCredentialStore = ReturnType<typeof createAwsCredentialStore>;
