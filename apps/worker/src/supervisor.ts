// The supervisor probes every node of every settled instance and asks for a reconcile when one
// is not running; reconcile then restarts, fences or fails it over. Probing is a PING per node,
// cheap enough to run every 250 ms (the default), which bounds how late a failover starts.
import { runtimeFor, type WorkerContext } from "./context.js";
import { deploymentConfig, nodeSpec } from "./reconcile/desired.js";
import { isTls } from "./tls/deployment-tls.js";
import { loadTrust } from "./tls/ca-store.js";

export async function superviseOnce(ctx: WorkerContext): Promise<string[]> {
  const rows = await ctx.prisma.instance.findMany({
    where: { state: "READY", deleteRequested: false },
    include: { nodes: true },
  });
  const unhealthy: string[] = [];
  // TLS nodes are probed over TLS, verified against their deployment's CAs.
  const trust = await loadTrust(
    ctx,
    rows.filter(isTls).map((r) => r.uid),
  );
  const downZones = new Set((await ctx.prisma.zone.findMany({ where: { state: "DOWN" }, select: { zone: true } })).map((z) => z.zone));
  await Promise.all(
    rows.map(async (row) => {
      const config = deploymentConfig(row);
      const probed = isTls(row) ? { ...row, trust: trust.get(row.uid) } : row;
      // Level-triggered: a READY instance with a node in a failed zone has work to do, whether
      // or not the request that failed the zone managed to enqueue it.
      if (row.nodes.some((n) => downZones.has(n.zone))) {
        unhealthy.push(row.uid);
        await ctx.queue.enqueueResync(row.uid);
        return;
      }
      for (const node of row.nodes) {
        const seen = await runtimeFor(ctx, node.driver).observe(nodeSpec(probed, node, config, ctx));
        if (seen.liveness !== "running") {
          // Gone is unhealthy at once; merely slow to answer is for reconcile to time.
          if (seen.liveness !== "unresponsive") {
            await ctx.prisma.node.updateMany({ where: { id: node.id, state: "READY" }, data: { state: "UNHEALTHY" } });
          }
          ctx.log.warn({ instanceUid: row.uid, node: node.id, liveness: seen.liveness }, "node is not running");
          unhealthy.push(row.uid);
          await ctx.queue.enqueueResync(row.uid);
          return;
        }
      }
    }),
  );
  return unhealthy;
}
