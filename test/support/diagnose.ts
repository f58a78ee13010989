// What an instance looked like when a test gave up on it: its state, nodes and latest events,
// so a failure on a loaded CI machine says what the control plane was doing.
import type { TestControlPlane } from "./control-plane.js";

const LOC = "/v1/projects/default/locations/local1";

export async function describeInstance(cp: TestControlPlane, id: string, kind: "instances" | "clusters" = "instances"): Promise<string> {
  const got = (await cp.api("GET", `${LOC}/${kind}/${id}`)).body;
  const events = (await cp.api("GET", `${LOC}/${kind}/${id}/events?pageSize=20`)).body;
  const nodes = (got?.nodes ?? got?.shards?.flatMap((s: any) => s.nodes) ?? []).map((n: any) => `${n.id} ${n.zone} ${n.role} ${n.state}`);
  const lines = (events?.events ?? []).map((e: any) => `${e.time ?? e.createTime} ${e.type}: ${e.message}`);
  return [`state ${got?.state}: ${got?.statusMessage ?? ""}`, ...nodes, "events:", ...lines].join("\n  ");
}

/** Runs a wait; when it fails, the error carries the instance's description. */
export async function explained<T>(cp: TestControlPlane, id: string, wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (error) {
    const described = await describeInstance(cp, id).catch((e) => `(could not describe: ${(e as Error).message})`);
    throw new Error(`${(error as Error).message}\n  ${described}`);
  }
}
