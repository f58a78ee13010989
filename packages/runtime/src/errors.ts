// Errors every driver throws alike, so the worker handles a failure the same on any driver.
// (The docker driver's own errors are in docker/errors.ts.)

/** spec.host:spec.port is held by another process: the node cannot start there. */
export class PortInUseError extends Error {
  override name = "PortInUseError";
}
/** The node's process/container exited or could not be run during start (the log says why). */
export class NodeStartError extends Error {
  override name = "NodeStartError";
}
/** The node does not answer (or refuses every known password): nothing was applied. */
export class NodeUnavailableError extends Error {
  override name = "NodeUnavailableError";
}
