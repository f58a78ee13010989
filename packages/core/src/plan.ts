// plan(desired, observed): the whole reconcile decision, with no I/O. Reconcile observes,
// calls plan, takes the first step, and observes again, until plan says converged.
import { configDrift } from "./node-config.js";


export interface DesiredInstance {
  uid: string;
  deleting: boolean;
  /** Zone of each node by ordinal (see placement.ts); its length is the node count. */
  zones: readonly string[];
  /** Directives every node must run with (see node-config.ts). */
  config: Record<string, string>;
}

export interface ObservedNode {
  id: string;
  ordinal: number;
  zone: string;
  liveness: "absent" | "stopped" | "unresponsive" | "running";
  loading: boolean;
  config: Record<string, string>;
}

export type Step =
  /** Record the node (id, port, data dir) before making it, so a crash leaves a record to adopt. */
  | { kind: "createNode"; ordinal: number; zone: string }
  | { kind: "startNode"; nodeId: string }
  | { kind: "configureNode"; nodeId: string; keys: string[] }
  /** Stop the node, remove its data, then drop its record (releasing the port). */
  | { kind: "destroyNode"; nodeId: string }
  /** Nothing is left: remove the instance itself. */
  | { kind: "deleteInstance" };

export interface Plan {
  steps: Step[];
  /** Why the instance is not converged although there is nothing to do yet. */
  waiting: string[];
  converged: boolean;
  /** One line for Operation.metadata.statusDetail. */
  detail: string;
}

export function plan(desired: DesiredInstance, observed: readonly ObservedNode[]): Plan {
  const steps: Step[] = [];
  const waiting: string[] = [];
  const byOrdinal = new Map(observed.map((node) => [node.ordinal, node]));

  if (desired.deleting) {
    for (const node of observed) steps.push({ kind: "destroyNode", nodeId: node.id });
    if (steps.length === 0) steps.push({ kind: "deleteInstance" });
    return finish(steps, waiting);
  }

  // Nodes that are not wanted (beyond the count, or in the wrong zone) go first.
  for (const node of observed) {
    const zone = desired.zones[node.ordinal];
    if (zone === undefined || zone !== node.zone) steps.push({ kind: "destroyNode", nodeId: node.id });
  }

  desired.zones.forEach((zone, ordinal) => {
    const node = byOrdinal.get(ordinal);
    if (!node || node.zone !== zone) {
      if (!node) steps.push({ kind: "createNode", ordinal, zone });
      return;
    }
    switch (node.liveness) {
      case "absent":
      case "stopped":
        steps.push({ kind: "startNode", nodeId: node.id });
        return;
      case "unresponsive":
        waiting.push(`node ${node.id} is starting`);
        return;
      case "running": {
        if (node.loading) {
          waiting.push(`node ${node.id} is loading its data`);
          return;
        }
        const keys = configDrift(desired.config, node.config);
        if (keys.length > 0) steps.push({ kind: "configureNode", nodeId: node.id, keys });
        return;
      }
    }
  });
  return finish(steps, waiting);
}

function finish(steps: Step[], waiting: string[]): Plan {
  const converged = steps.length === 0 && waiting.length === 0;
  const detail = steps[0] ? describe(steps[0]) : waiting[0] ?? "Ready";
  return { steps, waiting, converged, detail };
}

export function describe(step: Step): string {
  switch (step.kind) {
    case "createNode":
      return `Creating node ${step.ordinal} in zone ${step.zone}`;
    case "startNode":
      return `Starting node ${step.nodeId}`;
    case "configureNode":
      return `Applying ${step.keys.join(", ")} to node ${step.nodeId}`;
    case "destroyNode":
      return `Removing node ${step.nodeId}`;
    case "deleteInstance":
      return "Removing the instance";
  }
}

