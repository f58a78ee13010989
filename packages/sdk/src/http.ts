// The typed HTTP layer: openapi-fetch over the generated `paths`, with middleware that adds the
// API key and turns every non-2xx answer (or no answer) into a CacheplaneError.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import { connectionError, errorFromResponse } from "./errors.js";
import type { paths } from "./types.js";

export type ApiClient = Client<paths>;

export interface HttpOptions {
  /** Where the control plane listens, e.g. `http://127.0.0.1:7700`. */
  url: string;
  apiKey: string;
  /** A fetch to use instead of the global one (proxies, tests). */
  fetch?: typeof globalThis.fetch;
}

const isAbort = (error: unknown) => error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");

function errorMapping(url: string): Middleware {
  return {
    async onResponse({ response }) {
      if (!response.ok) throw await errorFromResponse(response);
      return undefined;
    },
    onError({ error }) {
      if (isAbort(error)) return error as Error;
      return connectionError(url, error);
    },
  };
}

export const baseUrlOf = (url: string) => url.replace(/\/+$/, "");

export function createApiClient(options: HttpOptions): ApiClient {
  const baseUrl = baseUrlOf(options.url);
  const client = createClient<paths>({
    baseUrl,
    headers: { authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  client.use(errorMapping(baseUrl));
  return client;
}

/** For routes not (yet) in the contract: same auth, same error mapping. */
export async function untypedRequest<T>(options: HttpOptions, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const url = `${baseUrlOf(options.url)}${path}`;
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method,
      headers: { authorization: `Bearer ${options.apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw connectionError(baseUrlOf(options.url), error);
  }
  if (!response.ok) throw await errorFromResponse(response);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The typed calls answer `{data}` on 2xx (errors were thrown by the middleware). */
export const dataOf = <T>(result: { data?: T }): T => result.data as T;
