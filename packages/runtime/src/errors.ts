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
/** An address the node must listen on (an endpoint address) is held by another process, e.g. a
 *  former primary that was not fenced yet. The message names the address; nothing was changed. */
export class AddressInUseError extends Error {
  override name = "AddressInUseError";
  constructor(
    message: string,
    /** The address that is taken, e.g. "127.1.0.9". */
    readonly address: string,
    readonly port: number,
  ) {
    super(message);
  }
}
