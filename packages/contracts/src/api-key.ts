// API keys (our addition; Google manages keys in a separate API). The secret is returned once,
// by create, and stored only as a hash.
import { z } from "zod";
import { PROJECT_ID } from "./ids.js";

export const API_KEY_ID = /^(?:[0-9a-f]{12}|admin)$/;
export const ApiKeyParams = z.object({ key: z.string().regex(API_KEY_ID, "must be a key id: 12 hex digits, or admin") });

/** What a key may do, checked before any lookup (apps/api plugins/access.ts has the table). */
export const API_KEY_ROLES = ["admin", "editor", "viewer"] as const;
export const ApiKeyRole = z.enum(API_KEY_ROLES).meta({
  id: "ApiKeyRole",
  description:
    "admin: everything in every project, API keys and maintenance-version releases included. " +
    "editor: read, create, update and delete in its projects, and read secrets (AUTH strings). " +
    "viewer: read only in its projects; no secrets.",
});
export type ApiKeyRole = z.infer<typeof ApiKeyRole>;

export const ApiKey = z
  .object({
    name: z.string().meta({ description: "apiKeys/{id}" }),
    displayName: z.string(),
    projects: z.array(z.string()).meta({ description: "Projects the key may act on; '*' is every project." }),
    role: ApiKeyRole,
    createTime: z.iso.datetime(),
    revokeTime: z.iso.datetime().optional(),
  })
  .meta({ id: "ApiKey" });

export const CreateApiKeyRequest = z
  .strictObject({
    displayName: z.string().min(1).max(100),
    projects: z
      .array(
        z
          .string()
          .max(63)
          .refine((p) => p === "*" || PROJECT_ID.test(p), "must be a project id or '*'"),
      )
      .min(1)
      .max(50)
      .meta({ description: "Projects the key may act on; '*' is every project. An admin key is for every project: [\"*\"]." }),
    role: ApiKeyRole.optional().meta({ description: "Default editor. admin needs projects [\"*\"]; a viewer or editor may have '*' too." }),
  })
  .meta({ id: "CreateApiKeyRequest" });

/** For the MemoryDB API (SigV4): shown only when issued. */
export const AwsCredentials = z
  .object({
    accessKeyId: z.string(),
    secretAccessKey: z.string().meta({ description: "The secret. Shown only in this response; kept sealed under the master key." }),
    project: z.string().meta({ description: "The project (the AWS account) that MemoryDB requests signed with these credentials act in." }),
  })
  .meta({ id: "AwsCredentials" });

export const CreatedApiKey = ApiKey.extend({
  keyString: z.string().meta({ description: "The secret. Shown only in this response." }),
  awsCredentials: AwsCredentials.meta({
    description:
      "AWS-style credentials of the same key, for the MemoryDB API at POST / (SigV4, region = the location). They act in the key's " +
      "first project (\"default\" for a '*' key); POST /v1/apiKeys/{key}:issueAwsCredentials issues new ones, for another project too.",
  }),
}).meta({ id: "CreatedApiKey" });

export const IssueAwsCredentialsRequest = z
  .strictObject({
    project: z
      .string()
      .max(63)
      .regex(PROJECT_ID, "must be a project id")
      .optional()
      .meta({ description: "The project the credentials act in: one the key may access. Default: the key's first project (\"default\" for a '*' key)." }),
  })
  .meta({ id: "IssueAwsCredentialsRequest" });

export const ListApiKeysResponse = z.object({ apiKeys: z.array(ApiKey), nextPageToken: z.string().optional() }).meta({ id: "ListApiKeysResponse" });
