// Operations: get, list, cancel, delete, and wait — the AIP-151 long-poll `:wait` in a loop,
// with an overall timeout, an AbortSignal and progress callbacks.
import { CacheplaneError, OperationError } from "./errors.js";
import { dataOf, type ApiClient } from "./http.js";
import { parseName, type Scope } from "./names.js";
import { paginate } from "./paging.js";
import type { Operation } from "./types.js";

export interface WaitOptions {
  /** Give up after this long (default 5 minutes) with a DEADLINE_EXCEEDED CacheplaneError. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with each fresh view of the Operation (its `metadata.statusDetail` says what it is doing). */
  onProgress?: (operation: Operation) => void;
  /** With onProgress, how often to refresh (default 500 ms); otherwise each long-poll lasts up to 30 s. */
  progressIntervalMs?: number;
  /** Return a failed Operation instead of throwing an OperationError (default true: throw). */
  throwOnError?: boolean;
}

const LONG_POLL_MS = 30_000;

export function operationsApi(api: ApiClient, scope: Scope) {
  const path = (idOrName: string) => {
    const n = parseName("operations", idOrName, scope);
    return { project: n.project, location: n.location, operation: n.id };
  };

  const ops = {
    async get(idOrName: string, opts: { signal?: AbortSignal } = {}): Promise<Operation> {
      return dataOf(
        await api.GET("/v1/projects/{project}/locations/{location}/operations/{operation}", { params: { path: path(idOrName) }, signal: opts.signal }),
      );
    },

    /** One page, newest first. */
    async list(opts: { pageSize?: number; pageToken?: string; signal?: AbortSignal } = {}) {
      return dataOf(
        await api.GET("/v1/projects/{project}/locations/{location}/operations", {
          params: { path: scope, query: { pageSize: opts.pageSize, pageToken: opts.pageToken } },
          signal: opts.signal,
        }),
      );
    },

    /** Every operation, page after page. */
    all(opts: { pageSize?: number } = {}): AsyncGenerator<Operation, void, undefined> {
      return paginate(async (pageToken) => {
        const page = await ops.list({ pageSize: opts.pageSize, ...(pageToken ? { pageToken } : {}) });
        return { items: page.operations ?? [], nextPageToken: page.nextPageToken };
      });
    },

    /** Asks to cancel (best effort; a create is rolled back). */
    async cancel(idOrName: string): Promise<void> {
      await api.POST("/v1/projects/{project}/locations/{location}/operations/{operation}:cancel", { params: { path: path(idOrName) }, body: {} });
    },

    async delete(idOrName: string): Promise<void> {
      await api.DELETE("/v1/projects/{project}/locations/{location}/operations/{operation}", { params: { path: path(idOrName) } });
    },

    /** Resolves with the done Operation; throws OperationError when it ended with an error. */
    async wait(operation: string | Operation, opts: WaitOptions = {}): Promise<Operation> {
      const timeoutMs = opts.timeoutMs ?? 300_000;
      const deadline = Date.now() + timeoutMs;
      const name = typeof operation === "string" ? operation : operation.name;
      let current = typeof operation === "string" ? undefined : operation;
      for (;;) {
        if (current) {
          opts.onProgress?.(current);
          if (current.done) {
            if (current.error && opts.throwOnError !== false) throw new OperationError(current);
            return current;
          }
        }
        opts.signal?.throwIfAborted();
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          const last = current?.metadata.statusDetail;
          throw CacheplaneError.of("DEADLINE_EXCEEDED", `operation ${name} is not done after ${timeoutMs / 1000}s${last ? ` (last: ${last})` : ""}`);
        }
        const chunk = Math.max(50, Math.min(remaining, opts.onProgress ? (opts.progressIntervalMs ?? 500) : LONG_POLL_MS));
        current = dataOf(
          await api.POST("/v1/projects/{project}/locations/{location}/operations/{operation}:wait", {
            params: { path: path(name), query: { timeout: `${(chunk / 1000).toFixed(3)}s` } },
            body: {},
            signal: opts.signal,
          }),
        );
      }
    },
  };
  return ops;
}
export type OperationsApi = ReturnType<typeof operationsApi>;
