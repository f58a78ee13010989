// Backups: …/clusters/{c}:backup, …/instances/{i}:backup (our addition), and
// …/backupCollections[/{bc}/backups[/{b}[:export]]] as Memorystore for Redis Cluster has them.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import {
  Backup,
  BackupCollection,
  BackupCollectionParams,
  BackupParams,
  BackupQuery,
  BackupRequest,
  ClusterParams,
  ExportBackupRequest,
  ExportInstanceRequest,
  ImportInstanceRequest,
  InstanceParams,
  ListBackupCollectionsResponse,
  ListBackupsResponse,
  LocationParams,
  Operation,
  PageQuery,
} from "@cacheplane/contracts";
import type { BackupService } from "../services/backup-service.js";
import type { DataJobService } from "../services/data-job-service.js";
import { errorResponses, security } from "./common.js";

const LOC = "/v1/projects/:project/locations/:location";
const COLLECTIONS = `${LOC}/backupCollections`;
const BACKUPS = `${COLLECTIONS}/:backupCollection/backups`;
const tags = ["Backups"];
const backupDescription =
  "One RDB per shard, taken from an in-sync replica when the shard has one (else the primary), sealed with AES-256-GCM. " +
  "Refused with FAILED_PRECONDITION while another backup or an update is in progress. The Operation's response is the source.";

export function backupRoutes(app: FastifyInstance, backups: BackupService, data: DataJobService) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(`${LOC}/clusters/:cluster(^[a-z][a-z0-9-]*)::backup`, {
    schema: {
      operationId: "backupCluster",
      summary: "Back up a cluster",
      description: backupDescription,
      tags,
      security,
      params: ClusterParams,
      body: BackupRequest.nullish(),
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => backups.backup("CLUSTER", { ...req.params, id: req.params.cluster }, req.body ?? {}),
  });

  r.post(`${LOC}/instances/:instance(^[a-z][a-z0-9-]*)::backup`, {
    schema: {
      operationId: "backupInstance",
      summary: "Back up an instance (cacheplane addition)",
      description: backupDescription,
      tags,
      security,
      params: InstanceParams,
      body: BackupRequest.nullish(),
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => backups.backup("INSTANCE", { ...req.params, id: req.params.instance }, req.body ?? {}),
  });

  r.post(`${LOC}/instances/:instance(^[a-z][a-z0-9-]*)::import`, {
    schema: {
      operationId: "importInstance",
      summary: "Replace the instance's data with an RDB file (gcsSource) or a backup (managedBackupSource, cacheplane addition)",
      description:
        "State IMPORTING until done. The file is loaded first: a missing object (NOT_FOUND), a path outside the buckets root (INVALID_ARGUMENT), " +
        "a file that is not an RDB or a backup that fails its integrity check fail the Operation and leave the data as it was.",
      tags,
      security,
      params: InstanceParams,
      body: ImportInstanceRequest,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => data.import({ ...req.params }, req.body.inputConfig, req.body.requestId),
  });

  r.post(`${LOC}/instances/:instance(^[a-z][a-z0-9-]*)::export`, {
    schema: {
      operationId: "exportInstance",
      summary: "Write the instance's data as one RDB file to gs://bucket/object (under the buckets root)",
      tags,
      security,
      params: InstanceParams,
      body: ExportInstanceRequest,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => data.export({ ...req.params }, req.body.outputConfig.gcsDestination.uri, req.body.requestId),
  });

  r.get(COLLECTIONS, {
    schema: {
      operationId: "listBackupCollections",
      summary: "List backup collections (one per instance or cluster ever backed up)",
      tags,
      security,
      params: LocationParams,
      querystring: PageQuery,
      response: { 200: ListBackupCollectionsResponse, ...errorResponses },
    },
    handler: (req) => backups.listCollections(req.params.project, req.params.location, req.query.pageSize, req.query.pageToken),
  });

  r.get(`${COLLECTIONS}/:backupCollection`, {
    schema: {
      operationId: "getBackupCollection",
      summary: "Get a backup collection",
      tags,
      security,
      params: BackupCollectionParams,
      response: { 200: BackupCollection, ...errorResponses },
    },
    handler: (req) => backups.getCollection(req.params),
  });

  r.get(BACKUPS, {
    schema: {
      operationId: "listBackups",
      summary: "List the backups of a collection ('-' for every collection)",
      tags,
      security,
      params: BackupCollectionParams,
      querystring: PageQuery,
      response: { 200: ListBackupsResponse, ...errorResponses },
    },
    handler: (req) => backups.list(req.params, req.query.pageSize, req.query.pageToken),
  });

  r.get(`${BACKUPS}/:backup`, {
    schema: { operationId: "getBackup", summary: "Get a backup", tags, security, params: BackupParams, response: { 200: Backup, ...errorResponses } },
    handler: (req) => backups.get(req.params),
  });

  r.delete(`${BACKUPS}/:backup`, {
    schema: {
      operationId: "deleteBackup",
      summary: "Delete a backup and its files",
      description: "Refused with FAILED_PRECONDITION while it is CREATING.",
      tags,
      security,
      params: BackupParams,
      querystring: BackupQuery,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => backups.remove(req.params, req.query.requestId),
  });

  r.post(`${BACKUPS}/:backup(^[a-z0-9][a-z0-9_-]*)::export`, {
    schema: {
      operationId: "exportBackup",
      summary: "Export a backup's files, as plain RDB any Redis loads, to gs://{gcsBucket}/{backupId}/",
      description: "Buckets are directories under the control plane's buckets root (CACHEPLANE_BUCKETS_DIR).",
      tags,
      security,
      params: BackupParams,
      body: ExportBackupRequest,
      response: { 200: Operation, ...errorResponses },
    },
    handler: (req) => backups.export(req.params, req.body.gcsBucket, req.body.requestId),
  });
}
