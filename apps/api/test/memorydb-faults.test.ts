// Native failures in MemoryDB's words: the fault its resource names, and resources by name.
import { describe, expect, it } from "vitest";
import { ApiError, notFound } from "../src/errors.js";
import { fromApiError, MemoryDbFault } from "../src/memorydb/faults.js";

describe("fromApiError", () => {
  it("answers the resource's fault, naming the resource as MemoryDB does", () => {
    const fault = fromApiError(notFound("user projects/default/locations/local1/users/alice"), { notFound: "UserNotFoundFault" }) as MemoryDbFault;
    expect(fault).toBeInstanceOf(MemoryDbFault);
    expect(fault.type).toBe("UserNotFoundFault");
    expect(fault.message).toBe("user alice not found");
    expect(fault.status).toBe(400);
  });

  it("maps the canonical codes to MemoryDB's generic faults, and leaves other errors alone", () => {
    expect((fromApiError(new ApiError("INVALID_ARGUMENT", "x: bad")) as MemoryDbFault).type).toBe("InvalidParameterValueException");
    expect((fromApiError(new ApiError("FAILED_PRECONDITION", "busy"), { invalidState: "InvalidClusterStateFault" }) as MemoryDbFault).type).toBe(
      "InvalidClusterStateFault",
    );
    expect((fromApiError(new ApiError("UNAVAILABLE", "down")) as MemoryDbFault).status).toBe(503);
    const other = new Error("boom");
    expect(fromApiError(other)).toBe(other);
  });
});
