// The web console's static files (apps/console/dist) at /console. The page signs in with an API
// key the user types and calls /v1 like any client, so these files need no auth and the API no
// console-specific route.
// The folder is found relative to this file, which sits at apps/api/{src,dist}/routes/ both in
// the repo and when run from dist/, so `../../../console/dist/` is apps/console/dist either way:
// no setting, and no build-time dependency on the console package. An installed api without the
// console (npm pack of apps/api alone) answers 404 with the reason.
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";

export const CONSOLE_DIST = fileURLToPath(new URL("../../../console/dist/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** One flat folder: a name with no slash or leading dot can never leave it. */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,100}$/;

export function consoleRoutes(app: FastifyInstance, dist = CONSOLE_DIST) {
  const send = async (reply: FastifyReply, file: string) => {
    const type = TYPES[extname(file)];
    if (!SAFE_NAME.test(file) || !type) return reply.code(404).type("text/plain; charset=utf-8").send(`no console file ${file}\n`);
    let body: Buffer;
    try {
      body = await readFile(`${dist}${file}`);
    } catch {
      const missing = file === "index.html" ? "the console is not built" : `no console file ${file} in this build`;
      return reply.code(404).type("text/plain; charset=utf-8").send(`${missing} (looked in ${dist}); run \`npm run build\` in the cacheplane repository\n`);
    }
    // Files change with every build and are small: revalidate rather than cache stale code.
    return reply.type(type).header("cache-control", "no-cache").send(body);
  };
  // The page routes by the URL's hash, so /console (with or without a slash) is the whole app.
  app.get("/console", { schema: { hide: true } }, (_req, reply) => send(reply, "index.html"));
  app.get("/console/", { schema: { hide: true } }, (_req, reply) => send(reply, "index.html"));
  app.get<{ Params: { file: string } }>("/console/:file", { schema: { hide: true } }, (req, reply) => send(reply, req.params.file));
}
