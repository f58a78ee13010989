// GET …/instances/{id}/nodes/{node}/logs and …/clusters/{id}/nodes/{node}/logs (our addition):
// a data node's own log lines, the newest `tail`, with every secret the control plane knows for
// the deployment redacted (log-redaction.ts).
//
// Where the lines come from: the api reads them through the node's driver (NodeRuntime.logs,
// read-only: a file read from the end, or a container's output), not through the worker. The api
// and the worker run on one machine in every supported deployment (`cacheplane up` in one
// process; compose with host networking and one shared data dir), so the api sees the same
// nodesRoot and Docker engine the worker does. Asking the worker instead (a queue round trip,
// or an HTTP server in the worker) would add a moving part for a read of a file that is right
// here. A future multi-host deployment passes no readers (ApiContext.nodeLogs) and these methods
// answer UNAVAILABLE; a worker-served read would be added then.
//
// Who may read: any key with read access to the project, viewers included, as Google's Cloud
// Logging lets roles/logging.viewer read a Memorystore instance's logs: once redacted, log lines
// are not secrets. Like every read, it leaves no audit row (plugins/audit.ts).
import type { NodeLogs } from "@cacheplane/contracts";
import { RuntimeUnavailableError } from "@cacheplane/runtime";
import type { ServiceContext } from "../context.js";
import { ApiError, notFound } from "../errors.js";
import { ROTATE_AUTH_STRING } from "./auth-string-service.js";
import { deploymentName, findDeployment, type DeploymentKey, type DeploymentKind, type DeploymentRow } from "./deployments.js";
import { createRedactor, type LogSecrets } from "./log-redaction.js";

export const DEFAULT_LOG_TAIL = 100;

/** What a node of this deployment may have been told: its AUTH strings (the current one, and
 *  those of every rotation, pending or past, as far as their Operations still hold them), and
 *  the password hashes of every user of its project and location (a user may have been in its
 *  ACL before; redacting a few more hashes costs nothing). */
async function secretsOf(ctx: ServiceContext, row: DeploymentRow): Promise<LogSecrets> {
  const [rotations, users] = await Promise.all([
    ctx.prisma.operation.findMany({ where: { instanceUid: row.uid, verb: ROTATE_AUTH_STRING }, select: { request: true } }),
    ctx.prisma.redisUser.findMany({ where: { projectId: row.projectId, locationId: row.locationId }, select: { passwordHashes: true } }),
  ]);
  const plain = row.authString ? [row.authString] : [];
  for (const { request } of rotations) {
    const r = (request ?? {}) as { newAuthString?: unknown; previousAuthString?: unknown };
    for (const value of [r.newAuthString, r.previousAuthString]) if (typeof value === "string" && value) plain.push(value);
  }
  return { plain, passwordHashes: users.flatMap((u) => u.passwordHashes) };
}

export function createNodeLogsService(ctx: ServiceContext) {
  return {
    async logs(kind: DeploymentKind, key: DeploymentKey, nodeId: string, tail = DEFAULT_LOG_TAIL): Promise<NodeLogs> {
      const row = await findDeployment(ctx.prisma, ctx.locations, kind, key);
      const node = row.nodes.find((n) => n.id === nodeId);
      if (!node) throw notFound(`node ${nodeId} of ${deploymentName(kind, key)}`);
      const reader = ctx.nodeLogs?.[node.driver as keyof NonNullable<ServiceContext["nodeLogs"]>];
      if (!reader)
        throw new ApiError("UNAVAILABLE", `node logs are read on the machine the nodes run on; this api has no access to the ${node.driver} driver's nodes`);
      let lines: string[];
      try {
        lines = await reader.logs(node.id, { tail });
      } catch (err) {
        if (err instanceof RuntimeUnavailableError) throw new ApiError("UNAVAILABLE", `the ${node.driver} driver's engine is not available; retry later`);
        throw err;
      }
      const redact = createRedactor(await secretsOf(ctx, row));
      return { node: node.id, lines: lines.map(redact) };
    },
  };
}
export type NodeLogsService = ReturnType<typeof createNodeLogsService>;
