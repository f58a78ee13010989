// Errors of the docker driver. PortInUseError, NodeStartError and NodeUnavailableError are the
// process driver's classes, reused so the worker handles both drivers alike.

import { InvalidNodeSpecError } from "../config.js";

/**
 * The Docker engine does not answer (not running, socket missing or not permitted, or hung).
 * observe(), list(), start(), configure() and destroy() throw it instead of guessing: while the
 * engine is away nothing is known about the nodes, so reconcile must back off and retry rather
 * than treat them as absent (which would recreate them) or as gone (which would delete them).
 */
export class RuntimeUnavailableError extends Error {
  override name = "RuntimeUnavailableError";
}

/** The node's image is not on the engine and cannot be pulled (no registry, unknown name, denied). */
export class ImageUnavailableError extends Error {
  override name = "ImageUnavailableError";
  constructor(
    message: string,
    readonly image: string,
  ) {
    super(message);
  }
}

/** spec.redisVersion names a version the driver has no image for. */
export class UnknownRedisVersionError extends InvalidNodeSpecError {
  override name = "UnknownRedisVersionError";
}

/** A container with the node's name exists but is not one of this control plane's nodes
 *  (no cacheplane labels, another node, or another nodesRoot): it is never touched. */
export class ContainerConflictError extends Error {
  override name = "ContainerConflictError";
}
