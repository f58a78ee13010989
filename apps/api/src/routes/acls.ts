// /v1/projects/{project}/locations/{location}/acls — named sets of users (our addition, after
// MemoryDB's ACLs) that instances and clusters name in aclName. Synchronous: each method answers
// with the ACL itself. Handlers only map HTTP to the service.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { Acl, AclParams, CreateAclQuery, Empty, ListAclsResponse, LocationParams, PageQuery, UpdateAclQuery } from "@cacheplane/contracts";
import type { AclService } from "../services/acls-service.js";
import { errorResponses, security } from "./common.js";

const BASE = "/v1/projects/:project/locations/:location/acls";
const tags = ["Users and ACLs"];

export function aclRoutes(app: FastifyInstance, acls: AclService) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(BASE, {
    schema: {
      operationId: "createAcl",
      summary: "Create an ACL: a named set of users (cacheplane addition, after MemoryDB's CreateACL)",
      description: "Synchronous. Every user named must exist (NOT_FOUND). open-access exists already.",
      tags,
      security,
      params: LocationParams,
      querystring: CreateAclQuery,
      body: Acl,
      response: { 200: Acl, ...errorResponses },
    },
    handler: (req) => acls.create({ ...req.params, acl: req.query.aclId }, req.body),
  });

  r.get(BASE, {
    schema: {
      operationId: "listAcls",
      summary: "List ACLs, open-access among them",
      tags,
      security,
      params: LocationParams,
      querystring: PageQuery,
      response: { 200: ListAclsResponse, ...errorResponses },
    },
    handler: (req) => acls.list(req.params.project, req.params.location, req.query.pageSize, req.query.pageToken),
  });

  r.get(`${BASE}/:acl`, {
    schema: {
      operationId: "getAcl",
      summary: "Get an ACL and the instances and clusters that use it",
      tags,
      security,
      params: AclParams,
      response: { 200: Acl, ...errorResponses },
    },
    handler: (req) => acls.get(req.params),
  });

  r.patch(`${BASE}/:acl`, {
    schema: {
      operationId: "updateAcl",
      summary: "Replace an ACL's users (updateMask=userNames)",
      description:
        "Synchronous. Every node of every instance and cluster using the ACL gets the change within a second (an ACL_APPLIED event " +
        "on each): users added are set, users left out are removed. open-access cannot be changed (FAILED_PRECONDITION).",
      tags,
      security,
      params: AclParams,
      querystring: UpdateAclQuery,
      body: Acl,
      response: { 200: Acl, ...errorResponses },
    },
    handler: (req) => acls.update(req.params, req.body, req.query.updateMask),
  });

  r.delete(`${BASE}/:acl`, {
    schema: {
      operationId: "deleteAcl",
      summary: "Delete an ACL",
      description: "Refused (FAILED_PRECONDITION) while an instance or cluster uses it, and for open-access.",
      tags,
      security,
      params: AclParams,
      response: { 200: Empty, ...errorResponses },
    },
    handler: (req) => acls.remove(req.params),
  });
}
