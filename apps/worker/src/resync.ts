// The periodic resync: whatever a lost job, a crash or a dropped enqueue left unconverged is
// reconciled again, and nodes on the machine with no record (orphans) are removed.
import { LOADER_ORDINAL_BASE, parseNodeId } from "@cacheplane/core";
import { Prisma } from "@cacheplane/db";
import { RuntimeUnavailableError } from "@cacheplane/runtime";
import type { WorkerContext } from "./context.js";
import { edgeDirOf, edgeFor, endpointName, removeOrphanReadEndpoints } from "./edge/read-endpoint.js";
import { nodeDataDir } from "./reconcile/desired.js";

export async function resyncOnce(ctx: WorkerContext): Promise<number> {
  const rows = await ctx.prisma.instance.findMany({
    where: {
      OR: [
        { state: { not: "READY" } },
        { deleteRequested: true },
        { observedGeneration: { lt: ctx.prisma.instance.fields.generation } },
        { operations: { some: { done: false } } },
      ],
    },
    select: { uid: true },
  });
  await Promise.all(rows.map((row) => ctx.queue.enqueueResync(row.uid)));
  return rows.length;
}

/** Read endpoints (kernel rules, balancers) on this control plane's ports whose instance is gone;
 *  and a reconcile for each instance whose balancer died (a crash, a machine restart). */
export async function removeOrphanRoutes(ctx: WorkerContext): Promise<string[]> {
  // Asked only after the edges are listed, so an instance recorded meanwhile is known.
  let known: Promise<Set<string>> | undefined;
  const isKnown = async (name: string) => {
    known ??= ctx.prisma.instance.findMany({ select: { uid: true } }).then((rows) => new Set(rows.map((i) => endpointName(i.uid))));
    return (await known).has(name);
  };
  const removed = await removeOrphanReadEndpoints(isKnown, ctx.portRange, edgeDirOf(ctx));
  for (const uid of await (await edgeFor(ctx)).lostReadEndpoints()) {
    if (await isKnown(endpointName(uid))) {
      ctx.log.warn({ instance: uid }, "read endpoint not serving; reconciling");
      await ctx.queue.enqueueResync(uid);
    }
  }
  return removed;
}

export async function removeOrphans(ctx: WorkerContext): Promise<string[]> {
  const runtimes = Object.values(ctx.runtimes.byDriver);
  // List first, then check records: a node recorded in between is found by the check.
  const onMachine = new Set<string>();
  for (const runtime of runtimes) {
    try {
      for (const id of await runtime.list()) onMachine.add(id);
    } catch (error) {
      // An engine that is down cannot be swept now; the next resync will.
      if (!(error instanceof RuntimeUnavailableError)) throw error;
    }
  }
  if (onMachine.size === 0) return [];
  const recorded = new Set((await ctx.prisma.node.findMany({ where: { id: { in: [...onMachine] } }, select: { id: true } })).map((n) => n.id));
  // Loader nodes of an import in progress are never recorded; they are the import's to remove.
  const importing = new Set((await ctx.prisma.instance.findMany({ where: { dataJob: { not: Prisma.DbNull } }, select: { uid: true } })).map((i) => i.uid));
  const isLoader = (id: string) => {
    const parsed = parseNodeId(id);
    return parsed !== undefined && parsed.ordinal >= LOADER_ORDINAL_BASE && importing.has(parsed.instanceUid);
  };
  const orphans = [...onMachine].filter((id) => !recorded.has(id) && !isLoader(id));
  for (const id of orphans) {
    ctx.log.warn({ node: id }, "removing orphan node");
    const spec = {
      id,
      instanceUid: parseNodeId(id)?.instanceUid ?? "",
      projectId: "",
      zone: "",
      redisVersion: "",
      host: ctx.nodeHost,
      port: 0,
      dataDir: nodeDataDir(ctx.nodesRoot, id),
      config: {},
    };
    // Which driver made an orphan is not recorded anywhere: every driver removes its part.
    for (const runtime of runtimes) await runtime.destroy(spec).catch(() => undefined);
  }
  return orphans;
}
