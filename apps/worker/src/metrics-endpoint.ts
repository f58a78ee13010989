// A worker running as a process of its own (docker-compose) serves its registry — reconcile
// durations and Node's process series — at http://127.0.0.1:{CACHEPLANE_WORKER_METRICS_PORT}/metrics.
// Loopback only: nothing here is per project, but the worker has no API keys to check, so a
// CACHEPLANE_METRICS_TOKEN, when set, is required as the bearer token.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { collectDefaultMetrics, Registry } from "prom-client";

/** The process's one registry, with Node's process series. */
export function createWorkerRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

export async function serveMetrics(registry: Registry, port: number, token?: string): Promise<Server> {
  const expected = token ? digest(token) : undefined;
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    const presented = /^Bearer\s+(\S{1,200})$/i.exec(req.headers.authorization ?? "")?.[1];
    if (expected && !(presented && timingSafeEqual(digest(presented), expected))) {
      res
        .writeHead(401, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { code: 401, message: "missing or wrong metrics token", status: "UNAUTHENTICATED", details: [] } }));
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { "content-type": registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  return server;
}
