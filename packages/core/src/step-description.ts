// One line per plan step, for Operation.metadata.statusDetail and the CLI's progress: what the
// worker is doing now, in words a user reads. Kept beside plan.ts, which says what to do.
import { describeAclStep } from "./acl-plan.js";
import type { Step } from "./plan.js";

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
    case "stopNode":
      return `Stopping node ${step.nodeId}: its zone is down`;
    case "failover":
      return `Primary ${step.from} is down; failing over to ${step.to}`;
    case "switchover":
      return step.purpose === "upgrade"
        ? `Switching the primary over from ${step.from} to the upgraded ${step.to}`
        : `Failing over from ${step.from} to ${step.to} (${step.mode})`;
    case "upgradeNode":
      return `Upgrading node ${step.nodeId} to ${step.engine.replace("@", " (")})`;
    case "refuseFailover":
      return `Failover refused: ${step.reason}`;
    case "routeReads":
      return step.targets.length > 0 ? `Routing reads to ${step.targets.join(", ")}` : "Removing the read endpoint";
    case "deleteInstance":
      return "Removing the instance";
    case "meetNodes":
      return `Joining ${new Set(step.pairs.map((p) => `${p.host}:${p.port}`)).size} node(s) to the cluster`;
    case "forgetNodes":
      return `Forgetting ${step.clusterIds.length} removed node(s)`;
    case "assignSlots":
      return `Assigning slots to shard(s) ${step.assignments.map((a) => a.shard).join(", ")}`;
    case "moveSlots":
      return `Moving ${step.slots.length} slots from shard ${step.from} to shard ${step.to} (${step.remaining} slots left to move)`;
    case "backupShard":
      return `Backing up shard ${step.shard} from node ${step.nodeId}`;
    case "finishBackup":
      return "Recording the backup";
    case "importData":
      return "Importing data";
    case "exportData":
      return "Exporting data";
    case "createCa":
      return step.activate ? "Creating the certificate authority" : "Rotating the certificate authority: publishing a new one";
    case "activateCa":
      return "Rotating the certificate authority: the new one signs from now on";
    case "retireCa":
      return "Rotating the certificate authority: retiring the old one";
    case "issueCertificate":
      return `Issuing a new certificate to node ${step.nodeId}`;
    case "applyAcl":
    case "publishAuthString":
      return describeAclStep(step);
  }
}
