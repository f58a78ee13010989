// /v1/projects/{project}/locations/{location}/users — Redis ACL users (our addition, after
// MemoryDB's users). Synchronous: each method answers with the User itself. Handlers only map
// HTTP to the service.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import {
  CreateUserQuery,
  Empty,
  ListUsersQuery,
  ListUsersResponse,
  LocationParams,
  UpdateUserQuery,
  User,
  UserParams,
  UserRequest,
} from "@cacheplane/contracts";
import type { UserService } from "../services/users-service.js";
import { errorResponses, security } from "./common.js";

const BASE = "/v1/projects/:project/locations/:location/users";
const tags = ["Users and ACLs"];
const noStore = { "cache-control": "no-store" };

export function userRoutes(app: FastifyInstance, users: UserService) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(BASE, {
    schema: {
      operationId: "createUser",
      summary: "Create a Redis ACL user (cacheplane addition, after MemoryDB's CreateUser)",
      description:
        "Synchronous: answers with the User. Its passwords are write-only: kept only as the SHA-256 Redis accepts, never shown " +
        "(passwordCount is). A rule the access string cannot have is INVALID_ARGUMENT naming it. 'default' is reserved.",
      tags,
      security,
      params: LocationParams,
      querystring: CreateUserQuery,
      body: UserRequest,
      response: { 200: User, ...errorResponses },
    },
    handler: async (req, reply) => {
      reply.headers(noStore);
      return users.create({ ...req.params, user: req.query.userId }, req.body);
    },
  });

  r.get(BASE, {
    schema: {
      operationId: "listUsers",
      summary: "List Redis ACL users",
      tags,
      security,
      params: LocationParams,
      querystring: ListUsersQuery,
      response: { 200: ListUsersResponse, ...errorResponses },
    },
    handler: (req) => users.list(req.params.project, req.params.location, req.query.pageSize, req.query.pageToken),
  });

  r.get(`${BASE}/:user`, {
    schema: {
      operationId: "getUser",
      summary: "Get a Redis ACL user (never its passwords)",
      tags,
      security,
      params: UserParams,
      response: { 200: User, ...errorResponses },
    },
    handler: (req) => users.get(req.params),
  });

  r.patch(`${BASE}/:user`, {
    schema: {
      operationId: "updateUser",
      summary: "Update accessString and/or authenticationMode (updateMask)",
      description:
        "Synchronous. The change reaches every node of every instance and cluster whose ACL holds the user within a second (an " +
        "ACL_APPLIED event on each). authenticationMode replaces the passwords: [old, new] lets both log in while clients move, then [new].",
      tags,
      security,
      params: UserParams,
      querystring: UpdateUserQuery,
      body: UserRequest,
      response: { 200: User, ...errorResponses },
    },
    handler: async (req, reply) => {
      reply.headers(noStore);
      return users.update(req.params, req.body, req.query.updateMask);
    },
  });

  r.delete(`${BASE}/:user`, {
    schema: {
      operationId: "deleteUser",
      summary: "Delete a Redis ACL user",
      description: "As MemoryDB's DeleteUser: the user leaves every ACL it is in, and so every node (its connections are cut).",
      tags,
      security,
      params: UserParams,
      response: { 200: Empty, ...errorResponses },
    },
    handler: (req) => users.remove(req.params),
  });
}
