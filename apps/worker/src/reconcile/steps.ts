// Each plan step as I/O. Every step is idempotent: run twice (after a crash, or by a second
// delivery of the job) it finds its own earlier work and does nothing more.
import { nodeId, type Step } from "@cacheplane/core";
import { Prisma, type Instance as InstanceRow, type Node as NodeRow } from "@cacheplane/db";
import { PortInUseError } from "@cacheplane/runtime";
import { runtimeFor, type WorkerContext } from "../context.js";
import { candidatePorts, isPortFree } from "../ports.js";
import { nodeDataDir, nodeSpec } from "./desired.js";
import { finishDeletion } from "./completion.js";
import type { Lease } from "./lease.js";

export interface StepInput {
  row: InstanceRow & { nodes: NodeRow[] };
  config: Record<string, string>;
  lease: Lease;
}

export async function runStep(ctx: WorkerContext, step: Step, { row, config, lease }: StepInput): Promise<void> {
  const nodeById = (id: string) => {
    const node = row.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`node ${id} is not recorded`);
    return node;
  };
  switch (step.kind) {
    case "createNode":
      return createNode(ctx, row, step.ordinal, step.zone);
    case "startNode":
      return startNode(ctx, row, nodeById(step.nodeId), config);
    case "configureNode":
      {
      const node = nodeById(step.nodeId);
      return runtimeFor(ctx, node.driver).configure(nodeSpec(row, node, config));
    }
    case "destroyNode": {
      const node = nodeById(step.nodeId);
      await runtimeFor(ctx, node.driver).destroy(nodeSpec(row, node, config));
      // The record goes last: until the node is gone, the record is what lets us find it.
      await ctx.prisma.node.deleteMany({ where: { id: node.id } });
      await ctx.prisma.event.create({ data: { instanceUid: row.uid, type: "NODE_REMOVED", message: `Node ${node.id} removed` } });
      return;
    }
    case "deleteInstance":
      return finishDeletion(ctx, row, lease);
  }
}

async function startNode(ctx: WorkerContext, row: InstanceRow, node: NodeRow, config: Record<string, string>) {
  const spec = nodeSpec(row, node, config);
  const runtime = runtimeFor(ctx, node.driver);
  try {
    await runtime.start(spec, { onProgress: progressReporter(ctx, row.uid) });
  } catch (error) {
    if (!(error instanceof PortInUseError)) throw error;
    // Something outside our records holds the port. The node is re-made on a free port by the
    // next pass; what it had in memory is already gone with its process, and its data dir with
    // it (an RDB file there would be lost: acceptable for a port clash, which only happens
    // when another program grabs a port from our range while the node is down).
    await runtime.destroy(spec);
    await ctx.prisma.node.deleteMany({ where: { id: node.id } });
    await ctx.prisma.event.create({ data: { instanceUid: row.uid, type: "PORT_CONFLICT", message: `Port ${node.port} was taken; moving node ${node.id}` } });
  }
}

async function createNode(ctx: WorkerContext, row: InstanceRow, ordinal: number, zone: string) {
  const id = nodeId(row.uid, ordinal);
  for (const port of await candidatePorts(ctx.prisma, ctx.nodeHost, ctx.portRange)) {
    if (!(await isPortFree(ctx.nodeHost, port))) continue;
    try {
      await ctx.prisma.node.create({
        data: {
          id,
          instanceUid: row.uid,
          ordinal,
          zone,
          role: ordinal === 0 ? "PRIMARY" : "REPLICA",
          driver: ctx.runtimes.default.driver,
          host: ctx.nodeHost,
          port,
          dataDir: nodeDataDir(ctx.nodesRoot, id),
        },
      });
      await ctx.prisma.event.create({ data: { instanceUid: row.uid, type: "NODE_CREATED", message: `Node ${id} placed in ${zone} on port ${port}` } });
      return;
    } catch (error) {
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
      // Our own earlier attempt made it: done. Otherwise another node took the port: next one.
      if (await ctx.prisma.node.findUnique({ where: { id } })) return;
    }
  }
  throw new Error(`no free port in ${ctx.portRange.first}-${ctx.portRange.last}`);
}

/** Shows slow preparation (an image pull) on the Operation, at most every half second. */
function progressReporter(ctx: WorkerContext, instanceUid: string) {
  let last = 0;
  return (message: string) => {
    const now = Date.now();
    if (now - last < 500) return;
    last = now;
    ctx.prisma.operation
      .updateMany({ where: { instanceUid, done: false }, data: { statusDetail: message } })
      .catch(() => undefined); // progress is best effort; the step's outcome is what counts
  };
}
