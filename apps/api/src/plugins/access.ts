// What each method needs, and which roles have it. A route declares its need as
// `config: { access }`; without one, the HTTP method decides (GET reads, anything else writes),
// so a route added without thinking about roles is never open to a viewer by omission.
//
//   access  roles                  routes that declare it
//   read    viewer, editor, admin  (every GET by default) + POST …/operations/{op}:wait
//   write   editor, admin          (every other method by default)
//   secret  editor, admin          GET …/instances/{i}/authString
//   admin   admin                  /v1/apiKeys (all four), POST /v1/maintenanceVersions/{v}:release,
//                                  POST …/zones/{z}:fail|:recover (a zone is every project's)
//
// Project scope is separate: every role acts only on its key's projects ('*' is every project;
// admin is every project by definition). plugins/auth.ts enforces both before the handler.
import type { FastifyRequest } from "fastify";
import type { ApiKeyRole } from "@cacheplane/contracts";

export type Access = "read" | "write" | "secret" | "admin";

declare module "fastify" {
  interface FastifyContextConfig {
    /** What the route needs; default from the method (GET/HEAD read, else write). */
    access?: Access;
  }
}

// Least to most, so a refusal names the smallest role that would do.
const GRANTS: Record<ApiKeyRole, readonly Access[]> = {
  viewer: ["read"],
  editor: ["read", "write", "secret"],
  admin: ["read", "write", "secret", "admin"],
};

const CAN: Record<ApiKeyRole, string> = {
  admin: "may do everything",
  editor: "may read, change and read secrets in its projects",
  viewer: "may only read",
};

export function accessOf(request: FastifyRequest): Access {
  const declared = request.routeOptions.config.access;
  if (declared) return declared;
  return request.method === "GET" || request.method === "HEAD" ? "read" : "write";
}

export const grants = (role: ApiKeyRole, access: Access) => GRANTS[role].includes(access);

/** The PERMISSION_DENIED message for a role that lacks the access, naming both. */
export function refusal(role: ApiKeyRole, access: Access, operation: string | undefined): string {
  const roles = (Object.keys(GRANTS) as ApiKeyRole[]).filter((r) => grants(r, access));
  return `this key's role ${role} ${CAN[role]}; ${operation ?? "this method"} needs ${access} access (role ${roles.join(" or ")})`;
}
