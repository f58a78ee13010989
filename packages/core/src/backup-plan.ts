// Taking a backup, as plan steps: one RDB per shard, then the backup is recorded ACTIVE.
// A backup waits until the deployment is otherwise converged (a backup of a half-made shard
// would be of nothing in particular) and is taken from the shard's most up-to-date in-sync
// replica, so a primary under load never forks; a shard without one is saved from its primary.
import type { ObservedNode, Step } from "./plan.js";

/** The oldest backup of this deployment not yet taken, and the shards already saved. */
export interface PendingBackup {
  uid: string;
  doneShards: readonly number[];
}

const inSyncWith = (n: ObservedNode, primary: ObservedNode) =>
  n.liveness === "running" &&
  !n.loading &&
  n.replication?.role === "replica" &&
  n.replication.linkUp === true &&
  n.replication.syncing !== true &&
  n.replication.primaryHost === primary.host &&
  n.replication.primaryPort === primary.port;

/** The node a shard's RDB is taken from: the in-sync replica with the most data, else the primary. */
export function backupSource(primary: ObservedNode, nodes: readonly ObservedNode[]): ObservedNode {
  const replicas = nodes.filter((n) => n !== primary && inSyncWith(n, primary));
  replicas.sort((a, b) => (b.replication?.offset ?? 0) - (a.replication?.offset ?? 0) || a.ordinal - b.ordinal);
  return replicas[0] ?? primary;
}

export type DataJobKind = "import" | "export";

/** The data work of a converged deployment: a pending import or export first (an export is
 *  of what was there when it was asked, before a later backup), then a pending backup. */
export function dataSteps(
  desired: { backup?: PendingBackup | undefined; dataJob?: DataJobKind | undefined },
  shards: readonly { index: number; primaryId: string | undefined }[],
  observed: readonly ObservedNode[],
): { steps: Step[]; waiting: string[] } {
  if (desired.dataJob === "import") return { steps: [{ kind: "importData" }], waiting: [] };
  if (desired.dataJob === "export") return { steps: [{ kind: "exportData" }], waiting: [] };
  return desired.backup ? backupSteps(desired.backup, shards, observed) : { steps: [], waiting: [] };
}

/** Steps for a pending backup: each shard not saved yet, then finishBackup. */
export function backupSteps(
  backup: PendingBackup,
  shards: readonly { index: number; primaryId: string | undefined }[],
  observed: readonly ObservedNode[],
): { steps: Step[]; waiting: string[] } {
  const steps: Step[] = [];
  const waiting: string[] = [];
  for (const { index, primaryId } of shards) {
    if (backup.doneShards.includes(index)) continue;
    const primary = observed.find((n) => n.id === primaryId);
    if (primary?.liveness !== "running") {
      waiting.push(`shard ${index} has no serving primary to back up`);
      continue;
    }
    const nodes = observed.filter((n) => (n.shard ?? 0) === index);
    steps.push({ kind: "backupShard", backupUid: backup.uid, shard: index, nodeId: backupSource(primary, nodes).id, primaryId: primary.id });
  }
  if (steps.length === 0 && waiting.length === 0) steps.push({ kind: "finishBackup", backupUid: backup.uid });
  return { steps, waiting };
}

/** A pending data job as stored on the deployment (Instance.dataJob). */
export type DataJob =
  | { kind: "import"; operationId: string; source: { backupUid: string } | { uris: string[] } }
  | { kind: "export"; operationId: string; uri: string };

/** Temporary nodes that load an import's RDB files use ordinals from here up (never recorded). */
export const LOADER_ORDINAL_BASE = 4000;
