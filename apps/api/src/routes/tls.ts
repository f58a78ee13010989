// In-transit encryption: …/clusters/{c}/certificateAuthority (Memorystore for Redis Cluster) and
// :rotateServerCa on instances and clusters (our addition). Handlers only map HTTP to the service.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { CertificateAuthority, ClusterParams, DeleteInstanceQuery, InstanceParams, Operation, RotateServerCaRequest } from "@cacheplane/contracts";
import type { TlsService } from "../services/tls-service.js";
import { errorResponses, security } from "./common.js";

const LOC = "/v1/projects/:project/locations/:location";
const rotateDescription =
  "cacheplane addition. A new CA is made and published beside the current one (serverCaCerts or certificateAuthority then list " +
  "both: clients should trust both), every node is made to trust it, then each node is issued a certificate by it, one at a " +
  "time and without a restart, and the old CA is retired last. A client that trusts both never sees a failed handshake. " +
  "FAILED_PRECONDITION without in-transit encryption; ABORTED while a rotation is in progress.";

export function tlsRoutes(app: FastifyInstance, tls: TlsService) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(`${LOC}/instances/:instance(^[a-z][a-z0-9-]*)::rotateServerCa`, {
    schema: {
      operationId: "rotateInstanceServerCa",
      summary: "Rotate the instance's server CA",
      description: rotateDescription,
      tags: ["Instances"],
      security,
      params: InstanceParams,
      querystring: DeleteInstanceQuery,
      body: RotateServerCaRequest.nullish(),
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => tls.rotate("INSTANCE", { project: req.params.project, location: req.params.location, id: req.params.instance }, req.query.requestId),
  });

  r.post(`${LOC}/clusters/:cluster(^[a-z][a-z0-9-]*)::rotateServerCa`, {
    schema: {
      operationId: "rotateClusterServerCa",
      summary: "Rotate the cluster's server CA",
      description: rotateDescription,
      tags: ["Clusters"],
      security,
      params: ClusterParams,
      querystring: DeleteInstanceQuery,
      body: RotateServerCaRequest.nullish(),
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => tls.rotate("CLUSTER", { project: req.params.project, location: req.params.location, id: req.params.cluster }, req.query.requestId),
  });

  r.get(`${LOC}/clusters/:cluster/certificateAuthority`, {
    schema: {
      operationId: "getClusterCertificateAuthority",
      summary: "Get the CAs to verify the cluster's nodes with",
      description: "Memorystore for Redis Cluster's GetClusterCertificateAuthority. FAILED_PRECONDITION without in-transit encryption.",
      tags: ["Clusters"],
      security,
      params: ClusterParams,
      response: { 200: CertificateAuthority, ...errorResponses },
    },
    handler: (req) => tls.certificateAuthority({ project: req.params.project, location: req.params.location, id: req.params.cluster }),
  });
}
