// MemoryDB's errors as AWS JSON 1.1 carries them: `{"__type": "<Fault>", "message": "..."}` with
// the fault's HTTP status (400 for every modelled MemoryDB fault) and x-amzn-ErrorType. The native
// services throw ApiError; fromApiError turns one into the fault MemoryDB would answer.
import { ApiError } from "../errors.js";

export class MemoryDbFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }

  toBody() {
    return { __type: this.type, message: this.message };
  }
}

export const fault = (type: string, message: string, status = 400) => new MemoryDbFault(type, message, status);
export const invalidParameterValue = (message: string) => fault("InvalidParameterValueException", message);
export const invalidParameterCombination = (message: string) => fault("InvalidParameterCombinationException", message);

/** What a native failure means in MemoryDB's words. The caller names the faults for its resource
 *  (ClusterNotFoundFault, InvalidClusterStateFault, ...); the rest map to MemoryDB's generic ones. */
export interface FaultNames {
  notFound?: string;
  alreadyExists?: string;
  /** FAILED_PRECONDITION and ABORTED: the resource is not in a state that allows it. */
  invalidState?: string;
}

/** Native messages name resources in full (projects/p/locations/l/users/u); MemoryDB by name (u). */
const memorydbWords = (message: string) => message.replace(/projects\/[^\s,;:]+/g, (name) => name.split("/").pop()!);

export function fromApiError(error: unknown, names: FaultNames = {}): unknown {
  if (!(error instanceof ApiError)) return error;
  const translated = fromNative(error, names);
  if (translated instanceof MemoryDbFault) return new MemoryDbFault(translated.type, memorydbWords(translated.message), translated.status);
  return translated;
}

function fromNative(error: ApiError, names: FaultNames): unknown {
  switch (error.status) {
    case "NOT_FOUND":
      return fault(names.notFound ?? "InvalidParameterValueException", error.message);
    case "ALREADY_EXISTS":
      return fault(names.alreadyExists ?? "InvalidParameterValueException", error.message);
    case "FAILED_PRECONDITION":
    case "ABORTED":
      return fault(names.invalidState ?? "InvalidParameterCombinationException", error.message);
    case "INVALID_ARGUMENT":
      return invalidParameterValue(error.message);
    case "PERMISSION_DENIED":
      return fault("AccessDeniedException", error.message);
    case "UNAUTHENTICATED":
      return fault("UnrecognizedClientException", error.message);
    case "RESOURCE_EXHAUSTED":
      return fault("ThrottlingException", error.message);
    case "UNAVAILABLE":
      return fault("ServiceUnavailable", error.message, 503);
    default:
      return error;
  }
}

/** Runs a native call and rethrows its ApiError as the matching fault. */
export async function translating<T>(names: FaultNames, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw fromApiError(error, names);
  }
}
