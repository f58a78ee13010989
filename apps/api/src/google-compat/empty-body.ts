// Google's client sends DELETE (and GET) with `Content-Type: application/json` and no body.
// HTTP says such a request has no body (RFC 9112 §6.3: neither Content-Length nor
// Transfer-Encoding), but fastify parses by the content type and refuses the empty JSON with
// FST_ERR_CTP_EMPTY_JSON_BODY. So a bodiless request's content type is dropped before parsing.
import type { IncomingHttpHeaders } from "node:http";

/** True when the request carries no body at all, whatever its Content-Type says. */
export function hasNoBody(headers: IncomingHttpHeaders): boolean {
  return headers["transfer-encoding"] === undefined && (headers["content-length"] === undefined || headers["content-length"] === "0");
}
