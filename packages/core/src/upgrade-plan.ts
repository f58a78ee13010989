// Rolling engine upgrades (`:upgrade`, a maintenance version, a cluster's redisVersion), as plan
// steps. A node is upgraded by restarting it on the new engine build, so the order is what keeps
// writes flowing: every replica of a shard first, one at a time, each back in sync before the
// next; then a planned switchover to an upgraded replica (writes wait only for the swap); then
// the old primary, now a replica. A shard without replicas restarts its primary after saving
// its dataset, so it keeps its keys. Clusters roll shard by shard. One node moves at a time in
// the whole deployment, and only once everything else has converged: a replica still syncing
// from the last restart is never the one taken down next.
import { bestReplica, isHealthyReplica, type ObservedNode, type Step } from "./plan.js";

export interface UpgradeShard {
  index: number;
  primaryId: string | undefined;
}

/** The next step of a rollout to `engine` (an engineKey), or what it waits for. */
export function upgradeSteps(
  engine: string | undefined,
  shards: readonly UpgradeShard[],
  observed: readonly ObservedNode[],
  cluster: boolean,
): { steps: Step[]; waiting: string[] } {
  if (!engine) return { steps: [], waiting: [] };
  const onShard = <T extends Step>(step: T, index: number): T => (cluster ? { ...step, shard: index } : step);
  for (const { index, primaryId } of shards) {
    const nodes = observed.filter((n) => (n.shard ?? 0) === index);
    const outdated = nodes.filter((n) => n.engine !== undefined && n.engine !== engine).sort((a, b) => a.ordinal - b.ordinal);
    if (outdated.length === 0) continue;
    const primary = nodes.find((n) => n.id === primaryId);
    const replica = outdated.find((n) => n !== primary);
    if (replica) return { steps: [onShard({ kind: "upgradeNode", nodeId: replica.id, engine, keepData: false }, index)], waiting: [] };
    if (!primary) return { steps: [], waiting: [`shard ${index} has no primary to upgrade`] };
    const replicas = nodes.filter((n) => n !== primary);
    if (replicas.length === 0) return { steps: [onShard({ kind: "upgradeNode", nodeId: primary.id, engine, keepData: true }, index)], waiting: [] };
    const target = bestReplica(replicas.filter((n) => n.engine === engine && isHealthyReplica(n, primary)));
    if (!target) return { steps: [], waiting: [`no upgraded replica of ${primary.id} is in sync yet`] };
    return {
      steps: [onShard({ kind: "switchover", from: primary.id, to: target.id, mode: "LIMITED_DATA_LOSS", purpose: "upgrade" }, index)],
      waiting: [],
    };
  }
  return { steps: [], waiting: [] };
}
