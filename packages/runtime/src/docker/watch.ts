// Docker's event stream, filtered to the `die` of this control plane's containers, kept open
// across engine restarts: the supervisor learns of a dead node at once instead of at its next
// probe. Deaths missed while the stream was down are caught up from the engine's event history
// (`since`) and, when the engine itself restarted (its history is gone), by a sweep of the
// stopped containers.

import type Dockerode from "dockerode";
import { silentLogger, type RuntimeLogger } from "../logger.js";
import { LABELS } from "./container-spec.js";

export interface WatchOptions {
  /** Label filters of the containers to watch (managedFilters(nodesRoot)). */
  labels: string[];
  logger?: RuntimeLogger;
  /** First reconnect delay; doubled per failure up to maxBackoffMs. Defaults 100 / 5000 ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface Watch {
  /** Resolves once the event stream is first connected (never rejects; it keeps retrying). */
  readonly ready: Promise<void>;
  /** Stops watching (idempotent); no onDeath call happens after it returns. */
  close(): void;
}

interface DockerEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/**
 * Calls onDeath(nodeId) for every `die` of a watched container (a crash, `docker kill`, an OOM
 * kill, a stop, and also the force-remove of destroy(): the callback should re-observe, not
 * assume). After the stream was lost it also reports, once, every watched container found not
 * running, since their `die` may have happened while nobody listened. onDeath must not throw.
 */
export function watchContainerDeaths(docker: Dockerode, onDeath: (nodeId: string) => void, options: WatchOptions): Watch {
  const log = options.logger ?? silentLogger;
  const minBackoff = options.minBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 5000;
  let closed = false;
  let backoff = minBackoff;
  let timer: NodeJS.Timeout | undefined;
  let abort: AbortController | undefined;
  let stream: NodeJS.ReadableStream | undefined;
  /** Seconds timestamp of the last event seen (or of the last successful connect). */
  let since: number | undefined;
  let lostAt: number | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const emit = (nodeId: string | undefined) => {
    if (closed || !nodeId) return;
    try {
      onDeath(nodeId);
    } catch (err) {
      log.error({ node: nodeId, err: (err as Error).message }, "watch: onDeath threw");
    }
  };

  const handle = (event: DockerEvent) => {
    if (typeof event.time === "number") since = event.time;
    const action = event.Action ?? event.status;
    if ((event.Type ?? "container") !== "container" || action !== "die") return;
    emit(event.Actor?.Attributes?.[LABELS.node]);
  };

  /** After a gap: report watched containers that are not running. */
  const sweep = async () => {
    try {
      const containers = await docker.listContainers({ all: true, filters: { label: options.labels, status: ["exited", "dead", "created"] } });
      for (const c of containers) emit(c.Labels?.[LABELS.node]);
    } catch (err) {
      log.warn({ err: (err as Error).message }, "watch: cannot list containers after reconnect");
    }
  };

  const schedule = () => {
    if (closed) return;
    const delay = backoff;
    backoff = Math.min(backoff * 2, maxBackoff);
    timer = setTimeout(connect, delay);
    timer.unref?.();
  };

  const drop = (s: NodeJS.ReadableStream) => {
    s.removeAllListeners();
    s.on("error", () => {}); // a late error of a dropped stream must not become an uncaught one
    (s as unknown as { destroy?: () => void }).destroy?.();
  };

  /** The stream `from` (or a connect attempt, when undefined) failed: reconnect after a backoff. */
  const lost = (from: NodeJS.ReadableStream | undefined, why: string) => {
    if (closed) return;
    if (from) {
      if (from !== stream) return; // "end" then "close" of the same stream: once is enough
      drop(from);
      stream = undefined;
    }
    lostAt ??= Date.now();
    log.warn({ why, retryInMs: backoff }, "watch: docker event stream lost; reconnecting");
    schedule();
  };

  async function connect() {
    timer = undefined;
    if (closed) return;
    abort = new AbortController();
    const recovering = lostAt !== undefined;
    try {
      const filters: Record<string, string[]> = { type: ["container"], event: ["die"], label: options.labels };
      const s = (await docker.getEvents({
        filters,
        // Replays what the engine still remembers from the gap (nothing after an engine restart).
        ...(recovering && since !== undefined && { since }),
        abortSignal: abort.signal,
      } as Dockerode.GetEventsOptions)) as NodeJS.ReadableStream;
      if (closed) return drop(s);
      stream = s;
      backoff = minBackoff;
      markReady();
      since ??= Math.floor(Date.now() / 1000);
      let buffer = "";
      s.on("data", (chunk: Buffer | string) => {
        buffer += chunk.toString();
        for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line) continue;
          try {
            handle(JSON.parse(line) as DockerEvent);
          } catch {
            log.warn({}, "watch: unreadable docker event");
          }
        }
      });
      s.once("end", () => lost(s, "stream ended"));
      s.once("close", () => lost(s, "stream closed"));
      s.once("error", (err: Error) => lost(s, err.message));
      if (recovering) {
        log.info({ downMs: Date.now() - lostAt! }, "watch: docker event stream back");
        lostAt = undefined;
        await sweep();
      }
    } catch (err) {
      lost(undefined, (err as Error).message);
    }
  }

  void connect();

  return {
    ready,
    close() {
      if (closed) return;
      closed = true;
      markReady();
      if (timer) clearTimeout(timer);
      if (stream) drop(stream);
      stream = undefined;
      abort?.abort();
    },
  };
}
