// Backups and backup collections as the API shows them (Memorystore for Redis Cluster's
// Backup and BackupCollection), from their stored records. Shared by the api and by the
// worker, which puts a Backup in an export Operation's response.

export interface BackupCollectionRecord {
  uid: string;
  projectId: string;
  locationId: string;
  sourceKind: string;
  sourceName: string;
  createTime: Date;
}

export interface BackupRecord {
  uid: string;
  backupId: string;
  backupType: string;
  state: string;
  engineVersion: string;
  nodeType: string | null;
  shardCount: number;
  replicaCount: number;
  files: unknown;
  totalSizeBytes: bigint;
  createTime: Date;
  expireTime: Date | null;
}

export const collectionName = (project: string, location: string, uid: string) => `projects/${project}/locations/${location}/backupCollections/${uid}`;
export const backupName = (project: string, location: string, collectionUid: string, backupId: string) =>
  `${collectionName(project, location, collectionUid)}/backups/${backupId}`;

const sourceFields = (c: BackupCollectionRecord) =>
  c.sourceKind === "CLUSTER" ? { cluster: c.sourceName, clusterUid: c.uid } : { instance: c.sourceName, instanceUid: c.uid };

export function collectionView(c: BackupCollectionRecord) {
  return { name: collectionName(c.projectId, c.locationId, c.uid), uid: c.uid, ...sourceFields(c), createTime: c.createTime.toISOString() };
}

export function backupView(b: BackupRecord, c: BackupCollectionRecord) {
  const files = (b.files ?? []) as { fileName: string; sizeBytes: number; createTime: string }[];
  return {
    name: backupName(c.projectId, c.locationId, c.uid, b.backupId),
    uid: b.uid,
    createTime: b.createTime.toISOString(),
    ...sourceFields(c),
    totalSizeBytes: String(b.totalSizeBytes),
    ...(b.expireTime ? { expireTime: b.expireTime.toISOString() } : {}),
    engineVersion: b.engineVersion,
    backupFiles: files.map((f) => ({ fileName: f.fileName, sizeBytes: String(f.sizeBytes), createTime: f.createTime })),
    ...(b.nodeType ? { nodeType: b.nodeType } : {}),
    replicaCount: b.replicaCount,
    shardCount: b.shardCount,
    backupType: b.backupType,
    state: b.state,
    encryptionInfo: { encryptionType: "GOOGLE_DEFAULT_ENCRYPTION" as const },
  };
}

/** What a backup records of its source's shape (a restore may choose another). */
export function backupShapeOf(kind: string, spec: Record<string, unknown>) {
  if (kind === "CLUSTER") {
    return {
      engineVersion: String(spec.redisVersion),
      nodeType: String(spec.nodeType),
      shardCount: Number(spec.shardCount),
      replicaCount: Number(spec.replicaCount),
    };
  }
  return { engineVersion: String(spec.redisVersion), nodeType: null, shardCount: 1, replicaCount: Number(spec.replicaCount ?? 0) };
}
