// @cacheplane/runtime: how data nodes become real. Imports no other @cacheplane package.
export type {
  NodeEngine,
  NodeLiveness,
  NodeObservation,
  NodeReplication,
  NodeRuntime,
  NodeSpec,
  NodeTls,
  NodeTlsObservation,
  StartOptions,
  StopOptions,
} from "./node-runtime.js";
export type { AclApplied, AclChange, NodeAcl } from "./node-runtime.js";
export { renderAclFile } from "./acl/acl-file.js";
export { AddressInUseError } from "./errors.js";
export type { RuntimeLogger } from "./logger.js";
export { silentLogger } from "./logger.js";
export {
  createProcessRuntime,
  NodeStartError,
  NodeUnavailableError,
  PortInUseError,
  type ProcessRuntimeOptions,
} from "./process-runtime.js";
export { findRedisServer, RedisServerNotFoundError, type FindRedisServerOptions } from "./redis-server-binary.js";
export { SAVE_TIMEOUT_MS } from "./shutdown-save.js";
export {
  configGet,
  configSet,
  connectAdmin,
  formatAddress,
  info,
  isAuthError,
  isLoadingError,
  parseInfo,
  parseReplication,
  ping,
  RedisAuthError,
  withTimeout,
  type AdminTarget,
} from "./redis-admin.js";
export {
  assertEngineBinary,
  assertEngineImage,
  assertTopology,
  bindAddresses,
  confBindAddresses,
  configValuesEqual,
  DRIVER_DEFAULTS,
  DRIVER_OWNED_DIRECTIVES,
  InvalidNodeSpecError,
  isNodeId,
  nodeFiles,
  parseMemory,
  parseSpecConfig,
  quoteConfValue,
  renderRedisConf,
  RESET_VALUES,
  splitConfArgs,
  type ConfSpec,
} from "./config.js";
export * from "./docker/index.js";
export * from "./backup/index.js";
export { isPortFree } from "./proc.js";
export { MAX_LOG_BYTES, NODE_LOG_MAX_BYTES, rotateNodeLogs, tailLines, type LogsOptions } from "./node-logs.js";
export { fetchRdb, RdbFetchError, type RdbSource } from "./rdb-sync.js";
export {
  addSlots,
  clusterBusPort,
  clusterFailover,
  forget,
  meet,
  moveSlots,
  parseClusterNodes,
  seedNodesConf,
  type ClusterPeer,
  type ClusterView,
  type SlotEnd,
} from "./cluster-admin.js";
export {
  CA_VALID_DAYS,
  NODE_CERT_VALID_DAYS,
  certificateFacts,
  createCertificateAuthority,
  issueNodeCertificate,
  type CertificateFacts,
  type KeyedCertificate,
} from "./tls/certificates.js";
export { caBundleDigest, clientTls, tlsFiles } from "./tls/node-tls.js";
export { splitPemBundle } from "./tls/pem.js";
