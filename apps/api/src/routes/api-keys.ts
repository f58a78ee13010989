// /v1/apiKeys — our addition, for the CLI's `keys` commands and CI pipelines. Admin keys only.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import {
  ApiKey,
  ApiKeyParams,
  AwsCredentials,
  CreateApiKeyRequest,
  CreatedApiKey,
  IssueAwsCredentialsRequest,
  ListApiKeysResponse,
  PageQuery,
} from "@cacheplane/contracts";
import type { ApiKeyService } from "../services/api-key-service.js";
import { errorResponses, security } from "./common.js";

const tags = ["API keys"];
const config = { access: "admin" } as const;

export function apiKeyRoutes(app: FastifyInstance, keys: ApiKeyService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post("/v1/apiKeys", {
    config,
    schema: {
      operationId: "createApiKey",
      summary: "Create an API key with a role, scoped to projects (the secret is shown once)",
      description: 'role defaults to editor; an admin key needs projects ["*"] (else INVALID_ARGUMENT). Needs an admin key.',
      tags,
      security,
      body: CreateApiKeyRequest,
      response: { 200: CreatedApiKey, ...errorResponses },
    },
    handler: async (req, reply) => {
      reply.header("cache-control", "no-store");
      return keys.create(req.principal, req.body);
    },
  });
  r.get("/v1/apiKeys", {
    config,
    schema: {
      operationId: "listApiKeys",
      summary: "List API keys (never their secrets)",
      tags,
      security,
      querystring: PageQuery,
      response: { 200: ListApiKeysResponse, ...errorResponses },
    },
    handler: (req) => keys.list(req.principal, req.query.pageSize, req.query.pageToken),
  });
  r.get("/v1/apiKeys/:key", {
    config,
    schema: { operationId: "getApiKey", summary: "Get an API key", tags, security, params: ApiKeyParams, response: { 200: ApiKey, ...errorResponses } },
    handler: (req) => keys.get(req.principal, req.params.key),
  });
  r.post("/v1/apiKeys/:key(^(?:[0-9a-f]{12}|admin))::issueAwsCredentials", {
    config,
    schema: {
      operationId: "issueAwsCredentials",
      summary: "Issue AWS-style credentials for a key, for the MemoryDB API (the secret is shown once)",
      description:
        "Replaces the key's credentials (the old ones stop working at once). They act in `project` (default: the key's first project, " +
        "\"default\" for a '*' key), which the key must be allowed; requests signed with them (SigV4) carry the key's role. Needs an admin key.",
      tags,
      security,
      params: ApiKeyParams,
      body: IssueAwsCredentialsRequest,
      response: { 200: AwsCredentials, ...errorResponses },
    },
    handler: async (req, reply) => {
      reply.header("cache-control", "no-store");
      return keys.issueAwsCredentials(req.principal, req.params.key, req.body.project);
    },
  });
  r.delete("/v1/apiKeys/:key", {
    config,
    schema: {
      operationId: "revokeApiKey",
      summary: "Revoke an API key; it stops working at once",
      tags,
      security,
      params: ApiKeyParams,
      response: { 200: ApiKey, ...errorResponses },
    },
    handler: (req) => keys.revoke(req.principal, req.params.key),
  });
}
