import { describe, expect, it } from "vitest";
import { transition, type InstanceState } from "../src/state-machine.js";

describe("instance state machine", () => {
  it("moves a create to READY when converged", () => {
    expect(transition("CREATING", "converged")).toBe("READY");
  });
  it("keeps CREATING when the spec changes before the first READY", () => {
    expect(transition("CREATING", "specChanged")).toBe("CREATING");
  });
  it("goes READY -> UPDATING -> READY for a patch", () => {
    const updating = transition("READY", "specChanged");
    expect(updating).toBe("UPDATING");
    expect(transition(updating, "converged")).toBe("READY");
  });
  it("repairs a READY instance that lost a node, but not one already busy", () => {
    expect(transition("READY", "nodeLost")).toBe("REPAIRING");
    expect(transition("UPDATING", "nodeLost")).toBe("UPDATING");
    expect(transition("CREATING", "nodeLost")).toBe("CREATING");
    expect(transition("REPAIRING", "converged")).toBe("READY");
  });
  it("shows FAILING_OVER while a replica is promoted, then READY", () => {
    expect(transition("READY", "failingOver")).toBe("FAILING_OVER");
    expect(transition("REPAIRING", "failingOver")).toBe("FAILING_OVER");
    expect(transition("CREATING", "failingOver")).toBe("CREATING");
    expect(transition("FAILING_OVER", "converged")).toBe("READY");
  });

  it("makes DELETING final from any state", () => {
    const states: InstanceState[] = ["CREATING", "READY", "UPDATING", "REPAIRING", "MAINTENANCE", "IMPORTING", "FAILING_OVER"];
    for (const s of states) expect(transition(s, "deleteRequested")).toBe("DELETING");
    expect(transition("DELETING", "converged")).toBe("DELETING");
    expect(transition("DELETING", "specChanged")).toBe("DELETING");
  });
});
