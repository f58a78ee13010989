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
      .array(z.string().max(63).refine((p) => p === "*" || PROJECT_ID.test(p), "must be a project id or '*'"))
      .min(1)
      .max(50)
      .meta({ description: "Projects the key may act on; '*' is every project. An admin key is for every project: [\"*\"]." }),
    role: ApiKeyRole.optional().meta({ description: "Default editor. admin needs projects [\"*\"]; a viewer or editor may have '*' too." }),
  })
  .meta({ id: "CreateApiKeyRequest" });

export const CreatedApiKey = ApiKey.extend({
  keyString: z.string().meta({ description: "The secret. Shown only in this response." }),
}).meta({ id: "CreatedApiKey" });

export const ListApiKeysResponse = z
  .object({ apiKeys: z.array(ApiKey), nextPageToken: z.string().optional() })
  .meta({ id: "ListApiKeysResponse" });
