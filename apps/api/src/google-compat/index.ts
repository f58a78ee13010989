// The Memorystore v1 API as Google's own client library (@google-cloud/redis, REST transport)
// speaks it, accepted at the edge of the native /v1 routes, in one place: the routes, contracts
// and services never see the difference. What is mapped, and why:
// - system parameters `$alt` / `$prettyPrint` are taken out of the query (system-parameters.ts);
// - with `enum-encoding=int`, the body is read as proto3 JSON: enum numbers become names, and
//   fields at their default or output-only (a fetched resource sent back) are dropped, per method
//   (proto-shapes.ts, proto-json.ts);
// - a bodiless DELETE with a JSON content type is a request without a body (empty-body.ts).
// Update masks need nothing here: updateMask already takes the snake_case paths Google sends, and
// the client's bodies use the protos' JSON names, which are the native camelCase ones.
// Answers need nothing either: the client decodes enum names as well as numbers.
import type { FastifyInstance } from "fastify";
import { hasNoBody } from "./empty-body.js";
import { fromProtoJson } from "./proto-json.js";
import { ANY_MESSAGE, REQUEST_BODIES } from "./proto-shapes.js";
import { takeSystemParameters } from "./system-parameters.js";

const isNativeApi = (url: string) => url.startsWith("/v1/");

export function installGoogleCompat(app: FastifyInstance) {
  app.addHook("onRequest", async (request) => {
    if (isNativeApi(request.url) && hasNoBody(request.headers)) delete request.raw.headers["content-type"];
  });

  // Before validation, after parsing: the contracts then check the request as if sent natively.
  app.addHook("preValidation", async (request) => {
    if (!isNativeApi(request.url)) return;
    const { intEnums } = takeSystemParameters(request.query as Record<string, unknown>);
    if (!intEnums || request.body === undefined) return;
    const operationId = request.routeOptions.schema?.operationId;
    const shape = (operationId ? REQUEST_BODIES[operationId]?.shape : undefined) ?? ANY_MESSAGE;
    request.body = fromProtoJson(request.body, shape);
  });
}
