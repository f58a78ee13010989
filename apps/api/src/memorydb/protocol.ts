// The Amazon MemoryDB API on the wire: AWS JSON 1.1 at the root URL, so `--endpoint-url
// http://127.0.0.1:7700` is all an AWS SDK, the aws CLI or Terraform needs. Each request is
// `POST /` with `X-Amz-Target: AmazonMemoryDB.<Operation>`, signed with SigV4 by credentials
// issued for an API key; the key's role and the credentials' project apply as on the native API.
// Errors are `{"__type", "message"}` with x-amzn-ErrorType, never Google's envelope.
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isDatabaseUnavailable } from "@cacheplane/db";
import type { AuditWriter } from "../services/audit-writer.js";
import { canAccess } from "../plugins/auth.js";
import { grants } from "../plugins/access.js";
import type { AwsCredentialStore } from "./credentials.js";
import { fault, fromApiError, MemoryDbFault } from "./faults.js";
import { inputError, type MemoryDbCall, type OperationTable } from "./registry.js";
import { checkRequestTime, parseAuthorization, SignatureError, verifySignature } from "./sigv4.js";

const TARGET_PREFIX = "AmazonMemoryDB.";
const CONTENT_TYPE = "application/x-amz-json-1.1";
/** The service names a MemoryDB client signs for (the SDK's signing name, and the endpoint prefix). */
const SERVICES = new Set(["memorydb", "memory-db"]);

export interface MemoryDbRouteOptions {
  operations: OperationTable;
  credentials: AwsCredentialStore;
  /** The location: the one region requests may be signed for. */
  region: string;
  audit: AuditWriter;
  now?: () => Date;
}

declare module "fastify" {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

export async function memorydbRoutes(app: FastifyInstance, options: MemoryDbRouteOptions) {
  const now = options.now ?? (() => new Date());
  await app.register(async (scope) => {
    // The signature covers the exact bytes sent: keep them, and parse the JSON ourselves.
    for (const type of [CONTENT_TYPE, "application/json"]) {
      scope.addContentTypeParser(type, { parseAs: "buffer" }, (request, body, done) => {
        request.rawBody = body as Buffer;
        done(null, undefined);
      });
    }
    scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      if (error instanceof MemoryDbFault) return sendFault(reply, error);
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) return sendFault(reply, fault("SerializationException", status === 413 ? "Request body too large" : error.message));
      if (isDatabaseUnavailable(error)) return sendFault(reply, fault("ServiceUnavailable", "The service is unavailable. Please try again later.", 503));
      request.log.error({ err: error }, "unhandled error in the MemoryDB API");
      return sendFault(reply, fault("InternalFailure", "The request processing has failed because of an unknown error.", 500));
    });

    scope.post("/", { schema: { hide: true } }, async (request, reply) => {
      const requestId = randomUUID();
      reply.header("x-amzn-requestid", requestId);
      const target = headerOf(request, "x-amz-target");
      if (!target?.startsWith(TARGET_PREFIX)) throw fault("UnknownOperationException", "X-Amz-Target must name an operation: AmazonMemoryDB.<Operation>");
      const name = target.slice(TARGET_PREFIX.length);
      const call = await authenticate(request, options, now());
      const op = options.operations[name];
      if (!op) throw fault("UnknownOperationException", `Unknown operation ${name}`);
      let status = 200;
      try {
        // Inside the try: a refusal is exactly what the audit log is for.
        if (!grants(call.principal.role, op.access)) {
          throw fault(
            "AccessDeniedException",
            `User: ${call.principal.keyId} is not authorized to perform: memorydb:${name} (its role ${call.principal.role} may only read)`,
          );
        }
        const input = parseInput(request.rawBody);
        const parsed = op.input.safeParse(input);
        if (!parsed.success) throw inputError(parsed.error);
        const output = await op.run(parsed.data, call).catch((error: unknown) => {
          throw fromApiError(error);
        });
        return reply
          .code(200)
          .header("content-type", CONTENT_TYPE)
          .send(JSON.stringify(output ?? {}));
      } catch (error) {
        status = error instanceof MemoryDbFault ? error.status : 500;
        throw error;
      } finally {
        if (op.access !== "read") {
          options.audit.record({
            projectId: call.project,
            time: new Date(),
            keyId: call.principal.keyId,
            method: "POST",
            operation: `memorydb:${name}`,
            resource: "/",
            status,
          });
        }
      }
    });
  });
}

async function authenticate(request: FastifyRequest, options: MemoryDbRouteOptions, now: Date): Promise<MemoryDbCall> {
  try {
    const auth = parseAuthorization(headerOf(request, "authorization"));
    if (!SERVICES.has(auth.service)) throw new SignatureError("InvalidSignatureException", `Credential should be scoped to correct service: 'memorydb'.`);
    if (auth.region !== options.region) {
      throw new SignatureError("InvalidSignatureException", `Credential should be scoped to a valid region: this endpoint serves region ${options.region}.`);
    }
    checkRequestTime(signedRequestOf(request), auth, now);
    const credential = await options.credentials.lookup(auth.accessKeyId);
    if (!credential) throw fault("UnrecognizedClientException", "The security token included in the request is invalid.");
    verifySignature(signedRequestOf(request), auth, credential.secret);
    // The project is bound when the credentials are issued; a key that lost it since is refused.
    if (!canAccess(credential.principal, credential.project)) throw fault("AccessDeniedException", `the API key may not access project ${credential.project}`);
    return { principal: credential.principal, project: credential.project, region: auth.region };
  } catch (error) {
    if (error instanceof SignatureError) throw fault(error.type, error.message, error.type === "MissingAuthenticationTokenException" ? 403 : 400);
    throw error;
  }
}

function signedRequestOf(request: FastifyRequest) {
  const [path, query = ""] = request.raw.url!.split("?", 2) as [string, string?];
  return { method: request.method, path, query, headers: request.headers, body: request.rawBody ?? Buffer.alloc(0) };
}

function parseInput(body: Buffer | undefined): unknown {
  if (!body || body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw fault("SerializationException", "The request body is not valid JSON");
  }
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendFault(reply: FastifyReply, error: MemoryDbFault) {
  return reply.code(error.status).header("content-type", CONTENT_TYPE).header("x-amzn-errortype", error.type).send(JSON.stringify(error.toBody()));
}
