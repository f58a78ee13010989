// The docker driver of @cacheplane/runtime. PortInUseError, NodeStartError and
// NodeUnavailableError come from the process driver's module (one class per failure, any driver).
export { formatPullProgress, withDefaultTag } from "./images.js";
export {
  createDockerRuntime,
  type DockerRuntime,
  type DockerRuntimeOptions,
  type DockerStartOptions,
} from "./docker-runtime.js";
export { ContainerConflictError, ImageUnavailableError, RuntimeUnavailableError, UnknownRedisVersionError } from "./errors.js";
export {
  CONTAINER_CONF,
  CONTAINER_DATA_DIR,
  containerBindAddresses,
  containerCreateOptions,
  containerName,
  isOwnContainer,
  LABELS as DOCKER_LABELS,
  managedFilters,
  memoryLimitBytes,
  nodeLabels,
  recreateReason,
  renderContainerConf,
  type ContainerShape,
  type ExistingContainer,
  type DockerNetwork,
} from "./container-spec.js";
export { watchContainerDeaths, type Watch, type WatchOptions } from "./watch.js";
export { assertAddressesFree, createNodeAdmin, previousConfig, type NodeAdmin, type NodeAdminOptions } from "../node-admin.js";
