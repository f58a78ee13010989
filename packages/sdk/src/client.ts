// createCacheplaneClient: base URL and API key once, then typed calls grouped by resource.
// `client.api` is the raw openapi-fetch client for anything the helpers do not cover.
import { untypedRequest, createApiClient, dataOf, type ApiClient, type HttpOptions } from "./http.js";
import { backupsApi } from "./backups.js";
import { clustersApi } from "./clusters.js";
import { instancesApi } from "./instances.js";
import { maintenanceVersionsApi } from "./maintenance-versions.js";
import { apiKeyId } from "./names.js";
import { operationsApi } from "./operations.js";
import { paginate } from "./paging.js";
import { zonesApi } from "./zones.js";
import type { ApiKey, CreateApiKeyRequest, CreatedApiKey, Location } from "./types.js";

export interface ClientOptions extends HttpOptions {
  /** Default project for instance, cluster, backup and operation calls (default `default`). */
  project?: string;
  /** Default location (default `local1`). */
  location?: string;
}

export function createCacheplaneClient(options: ClientOptions) {
  const api: ApiClient = createApiClient(options);
  const scope = { project: options.project ?? "default", location: options.location ?? "local1" };
  const operations = operationsApi(api, scope);
  const backups = backupsApi(api, scope);
  const instances = instancesApi(api, scope, operations, backups);
  const clusters = clustersApi(api, scope, operations, backups);
  const maintenanceVersions = maintenanceVersionsApi(api);
  const zones = zonesApi(api, scope);

  const locations = {
    async list(opts: { pageSize?: number; pageToken?: string } = {}) {
      return dataOf(await api.GET("/v1/projects/{project}/locations", { params: { path: { project: scope.project }, query: opts } }));
    },
    all(): AsyncGenerator<Location, void, undefined> {
      return paginate(async (pageToken) => {
        const page = await locations.list(pageToken ? { pageToken } : {});
        return { items: page.locations, nextPageToken: page.nextPageToken };
      });
    },
  };

  const apiKeys = {
    /** The secret (`keyString`) is in this answer only. */
    async create(request: CreateApiKeyRequest): Promise<CreatedApiKey> {
      return dataOf(await api.POST("/v1/apiKeys", { body: request }));
    },
    async list(opts: { pageSize?: number; pageToken?: string } = {}) {
      return dataOf(await api.GET("/v1/apiKeys", { params: { query: opts } }));
    },
    all(): AsyncGenerator<ApiKey, void, undefined> {
      return paginate(async (pageToken) => {
        const page = await apiKeys.list(pageToken ? { pageToken } : {});
        return { items: page.apiKeys, nextPageToken: page.nextPageToken };
      });
    },
    async get(idOrName: string): Promise<ApiKey> {
      return dataOf(await api.GET("/v1/apiKeys/{key}", { params: { path: { key: apiKeyId(idOrName) } } }));
    },
    /** It stops working at once. */
    async revoke(idOrName: string): Promise<ApiKey> {
      return dataOf(await api.DELETE("/v1/apiKeys/{key}", { params: { path: { key: apiKeyId(idOrName) } } }));
    },
  };

  return {
    api,
    project: scope.project,
    location: scope.location,
    url: options.url,
    instances,
    clusters,
    backups,
    operations,
    locations,
    zones,
    apiKeys,
    maintenanceVersions,
    /** True when the control plane answers its health check (no key needed). */
    async health(opts: { signal?: AbortSignal } = {}): Promise<boolean> {
      try {
        await untypedRequest(options, "GET", "/healthz", undefined, opts.signal);
        return true;
      } catch {
        return false;
      }
    },
  };
}
export type CacheplaneClient = ReturnType<typeof createCacheplaneClient>;
