// Each plan step as I/O. Every step is idempotent: run twice (after a crash, or by a second
// delivery of the job) it finds its own earlier work and does nothing more.
import { nodeAddress, nodeId, type Step } from "@cacheplane/core";
import { Prisma, type Node as NodeRow } from "@cacheplane/db";
import { runtimeFor, type WorkerContext } from "../context.js";
import { clusterBusPort, isPortFree } from "@cacheplane/runtime";
import { candidatePorts } from "../ports.js";
import { nodeDataDir, nodeSpec } from "./desired.js";
import { failPendingFailover, finishDeletion } from "./completion.js";
import { failover, switchover } from "./failover.js";
import { describeEdge, edgeFor } from "../edge/read-endpoint.js";
import type { Lease } from "./lease.js";
import { runClusterStep } from "./cluster-steps.js";
import { backupShard, finishBackup } from "../backups/take-backup.js";
import { destroyLoaders, importData } from "../backups/import-data.js";
import { exportData } from "../backups/export-data.js";
import { recordRestart } from "./restart-event.js";
import { isCluster, shardPrimary } from "./desired-cluster.js";
import type { Row, StepInput } from "./step-input.js";
import { desiredEngine } from "../upgrades/engines.js";
import { upgradeNode } from "../upgrades/upgrade-node.js";
import { runTlsStep } from "../tls/ca-steps.js";
import { withIssuedCertificate } from "../tls/deployment-tls.js";
import { applyAcl } from "../acl/apply-acl.js";
import { forgetNode } from "../acl/applied-users.js";
import { publishAuthString } from "../acl/auth-rotation.js";

export type { Row, StepInput } from "./step-input.js";

export async function runStep(ctx: WorkerContext, step: Step, input: StepInput): Promise<void> {
  const { row, config, lease } = input;
  const nodeById = (id: string) => {
    const node = row.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`node ${id} is not recorded`);
    return node;
  };
  const specOf = (node: NodeRow) => nodeSpec(row, node, config, ctx);
  switch (step.kind) {
    case "createNode":
      return createNode(ctx, row, step.ordinal, step.shard ?? 0, step.zone, lease);
    case "startNode": {
      const node = nodeById(step.nodeId);
      // A TLS node (re)starts with a fresh certificate: whatever it had, it then serves a current one.
      const spec = await withIssuedCertificate(ctx, row, node, specOf(node));
      await runtimeFor(ctx, node.driver).start(spec, { onProgress: progressReporter(ctx, row.uid) });
      return recordRestart(ctx, row, node, spec);
    }
    case "configureNode": {
      const node = nodeById(step.nodeId);
      return runtimeFor(ctx, node.driver).configure(specOf(node));
    }
    case "destroyNode": {
      const node = nodeById(step.nodeId);
      await runtimeFor(ctx, node.driver).destroy(specOf(node));
      // The record goes last: until the node is gone, the record is what lets us find it.
      await ctx.prisma.node.deleteMany({ where: { id: node.id } });
      await ctx.prisma.event.create({ data: { instanceUid: row.uid, type: "NODE_REMOVED", message: `Node ${node.id} removed` } });
      forgetNode(node.id);
      return;
    }
    case "stopNode": {
      const node = nodeById(step.nodeId);
      await runtimeFor(ctx, node.driver).stop(specOf(node));
      await ctx.prisma.node.updateMany({ where: { id: node.id }, data: { state: "UNHEALTHY" } });
      await ctx.prisma.event.create({ data: { instanceUid: row.uid, type: "NODE_STOPPED", message: `Node ${node.id} stopped: zone ${node.zone} is down` } });
      return;
    }
    case "failover":
      return failover(ctx, input, nodeById(step.from), nodeById(step.to));
    case "switchover":
      return switchover(ctx, input, nodeById(step.from), nodeById(step.to), step.mode, step.purpose);
    case "upgradeNode":
      return upgradeNode(ctx, input, nodeById(step.nodeId), step.keepData);
    case "routeReads": {
      if (!row.port) throw new Error("the instance has no port yet");
      const edge = await edgeFor(ctx);
      await edge.routeReads(row.uid, row.port, step.targets);
      await ctx.prisma.event.create({
        data: {
          instanceUid: row.uid,
          type: "READ_ROUTES",
          message: step.targets.length ? `Reads go to ${step.targets.join(", ")} (${describeEdge(edge)})` : "Read endpoint removed",
        },
      });
      return;
    }
    case "refuseFailover":
      return failPendingFailover(ctx, row, lease, step.reason);
    case "deleteInstance":
      await destroyLoaders(ctx, row.uid); // an import cut short by the delete
      return finishDeletion(ctx, row, lease);
    case "meetNodes":
    case "forgetNodes":
    case "assignSlots":
    case "moveSlots":
      return runClusterStep(ctx, step, input);
    case "backupShard":
      return backupShard(ctx, input, step);
    case "finishBackup":
      return finishBackup(ctx, input, step.backupUid);
    case "importData":
      return importData(ctx, input);
    case "exportData":
      return exportData(ctx, input);
    case "createCa":
    case "activateCa":
    case "retireCa":
    case "issueCertificate":
      return runTlsStep(ctx, step, input);
    case "applyAcl":
      return applyAcl(ctx, input, step.nodes);
    case "publishAuthString":
      return publishAuthString(ctx, input);
  }
}

/** The instance's port, allocated on its first node: free at the endpoint address and at the
 *  first node's address. */
async function instancePort(ctx: WorkerContext, row: Row, lease: Lease): Promise<number> {
  if (row.port) return row.port;
  // A cluster's nodes also listen on the cluster bus port.
  const ports = (port: number) => (isCluster(row) ? [port, clusterBusPort(port)] : [port]);
  for (const port of await candidatePorts(ctx.prisma, ctx.portRange)) {
    let free = true;
    for (const p of ports(port)) free &&= (await isPortFree(ctx.nodeHost, p)) && (await isPortFree(nodeAddress(0), p));
    if (!free) continue;
    try {
      const taken = await ctx.prisma.instance.updateMany({
        where: { uid: row.uid, port: null, leaseEpoch: lease.epoch },
        data: { host: ctx.nodeHost, port },
      });
      if (taken.count === 1) return port;
      const fresh = await ctx.prisma.instance.findUniqueOrThrow({ where: { uid: row.uid }, select: { port: true } });
      if (fresh.port) return fresh.port;
      throw new Error("lost the instance lease while allocating its port");
    } catch (error) {
      // Another instance took this port at the same moment: try the next one.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    }
  }
  throw new Error(`no free port in ${ctx.portRange.first}-${ctx.portRange.last}`);
}

async function createNode(ctx: WorkerContext, row: Row, ordinal: number, shard: number, zone: string, lease: Lease) {
  const id = nodeId(row.uid, ordinal);
  const primaryId = isCluster(row) ? shardPrimary(row, shard) : (row.primaryNodeId ?? nodeId(row.uid, 0));
  const port = await instancePort(ctx, row, lease);
  try {
    await ctx.prisma.node.create({
      data: {
        id,
        instanceUid: row.uid,
        ordinal,
        shard,
        zone,
        role: id === primaryId ? "PRIMARY" : "REPLICA",
        driver: ctx.runtimes.default.driver,
        host: nodeAddress(ordinal),
        port,
        dataDir: nodeDataDir(ctx.nodesRoot, id),
        // A new node starts on the build the deployment runs now (mid-upgrade: the new one).
        ...desiredEngine(row),
      },
    });
  } catch (error) {
    // Our own earlier attempt made it (a crash, or a second delivery): nothing more to do.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return;
    throw error;
  }
  await ctx.prisma.event.create({
    data: {
      instanceUid: row.uid,
      type: "NODE_CREATED",
      message: `Node ${id} placed in ${zone} at ${nodeAddress(ordinal)}:${port}${isCluster(row) ? ` (shard ${shard})` : ""}`,
    },
  });
}

/** Shows slow preparation (an image pull) on the Operation, at most every half second. */
function progressReporter(ctx: WorkerContext, instanceUid: string) {
  let last = 0;
  return (message: string) => {
    const now = Date.now();
    if (now - last < 500) return;
    last = now;
    ctx.prisma.operation.updateMany({ where: { instanceUid, done: false }, data: { statusDetail: message } }).catch(() => undefined); // progress is best effort; the step's outcome is what counts
  };
}
