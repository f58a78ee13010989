// Which nodes a tick samples, and how to reach each: every node of every instance and cluster
// that is not being deleted, with its deployment's default-user password (the control plane's
// own, as every admin connection uses) and, for TLS deployments, the CAs to verify it with.
import type { AdminTarget } from "@cacheplane/runtime";
import type { WorkerContext } from "../context.js";
import { deploymentConfig } from "../reconcile/desired.js";
import { loadTrust } from "../tls/ca-store.js";
import { adminTls, isTls } from "../tls/deployment-tls.js";

export interface SampleTarget extends AdminTarget {
  instanceUid: string;
  nodeId: string;
}

export async function sampleTargets(ctx: WorkerContext): Promise<SampleTarget[]> {
  const rows = await ctx.prisma.instance.findMany({
    where: { deleteRequested: false, state: { not: "DELETING" } },
    include: { nodes: { select: { id: true, host: true, port: true } } },
  });
  const trust = await loadTrust(
    ctx,
    rows.filter(isTls).map((r) => r.uid),
  );
  return rows.flatMap((row) => {
    const password = deploymentConfig(row).requirepass || undefined;
    const tls = adminTls({ ...row, trust: isTls(row) ? trust.get(row.uid) : undefined });
    return row.nodes.map((node) => ({
      instanceUid: row.uid,
      nodeId: node.id,
      host: node.host,
      port: node.port,
      ...(password ? { password } : {}),
      ...tls,
    }));
  });
}
