// GET …/instances/{id}/nodes/{node}/logs and …/clusters/{id}/nodes/{node}/logs (our addition).
// The handlers only map HTTP to the service (services/node-logs-service.ts says where the lines
// come from, what is redacted and who may read them).
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { ClusterNodeParams, InstanceNodeParams, NodeLogs, NodeLogsQuery } from "@cacheplane/contracts";
import type { NodeLogsService } from "../services/node-logs-service.js";
import { errorResponses, security } from "./common.js";

const LOCATION = "/v1/projects/:project/locations/:location";
const description =
  "The node's own log lines (what its redis-server wrote: starts, saves, replication, warnings), the newest `tail` (default 100, " +
  "at most 10000), oldest first. Every secret the control plane knows for the deployment (AUTH strings, users' passwords) is " +
  "replaced by [redacted]; nothing else is left out. {node} is a node id as nodes[].id shows it. Viewer keys may read it. " +
  "UNAVAILABLE when this api cannot reach the machine the nodes run on.";

export function nodeLogRoutes(app: FastifyInstance, nodeLogs: NodeLogsService) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(`${LOCATION}/instances/:instance/nodes/:node/logs`, {
    schema: {
      operationId: "getInstanceNodeLogs",
      summary: "A node's own log lines (cacheplane addition)",
      description,
      tags: ["Instances"],
      security,
      params: InstanceNodeParams,
      querystring: NodeLogsQuery,
      response: { 200: NodeLogs, ...errorResponses },
    },
    handler: (req) =>
      nodeLogs.logs("INSTANCE", { project: req.params.project, location: req.params.location, id: req.params.instance }, req.params.node, req.query.tail),
  });

  r.get(`${LOCATION}/clusters/:cluster/nodes/:node/logs`, {
    schema: {
      operationId: "getClusterNodeLogs",
      summary: "A cluster node's own log lines (cacheplane addition)",
      description,
      tags: ["Clusters"],
      security,
      params: ClusterNodeParams,
      querystring: NodeLogsQuery,
      response: { 200: NodeLogs, ...errorResponses },
    },
    handler: (req) =>
      nodeLogs.logs("CLUSTER", { project: req.params.project, location: req.params.location, id: req.params.cluster }, req.params.node, req.query.tail),
  });
}
