// Driver-aware handles on a data node, so one end-to-end suite runs against both drivers:
// what runs for a node (a process or a container) and how to kill it as a crash would.
import { join } from "node:path";
import Dockerode from "dockerode";
import { Redis } from "ioredis";
import { DOCKER_LABELS } from "@cacheplane/runtime";
import type { TestControlPlane } from "./control-plane.js";
import { processesUnder } from "./processes.js";

const docker = new Dockerode();

export interface RunningNode {
  /** Changes whenever the node is restarted: a pid, or a container's start time. */
  incarnation: string;
}

/** What runs for a node right now (running processes or running containers). */
export async function runningFor(cp: TestControlPlane, nodeId: string): Promise<RunningNode[]> {
  if (cp.driver === "process") {
    return (await processesUnder(join(cp.nodesRoot, nodeId))).map((p) => ({ incarnation: String(p.pid) }));
  }
  const containers = await docker.listContainers({ filters: { label: [`${DOCKER_LABELS.node}=${nodeId}`, `${DOCKER_LABELS.root}=${cp.nodesRoot}`] } });
  return Promise.all(containers.map(async (c) => ({ incarnation: (await docker.getContainer(c.Id).inspect()).State.StartedAt })));
}

/** Everything of a node's on the machine, running or not (processes, or containers in any state). */
export async function leftoversFor(cp: TestControlPlane, match: string): Promise<string[]> {
  const procs = (await processesUnder(cp.nodesRoot)).filter((p) => p.cmdline.includes(match)).map((p) => `pid ${p.pid}`);
  const containers = (await docker.listContainers({ all: true, filters: { label: [`${DOCKER_LABELS.root}=${cp.nodesRoot}`] } }).catch(() => []))
    .filter((c) => (c.Labels[DOCKER_LABELS.node] ?? "").includes(match))
    .map((c) => `container ${c.Names[0]}`);
  return [...procs, ...containers];
}

/** Kills the node as a crash would: SIGKILL of the process, or `docker kill`. */
export async function killNode(cp: TestControlPlane, nodeId: string) {
  if (cp.driver === "process") {
    for (const p of await processesUnder(join(cp.nodesRoot, nodeId))) process.kill(p.pid, "SIGKILL");
    return;
  }
  const containers = await docker.listContainers({ filters: { label: [`${DOCKER_LABELS.node}=${nodeId}`, `${DOCKER_LABELS.root}=${cp.nodesRoot}`] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).kill({ signal: "SIGKILL" })));
}

/** Makes the node hang without dying, as a stuck process or a frozen VM would: SIGSTOP of
 *  the process, or `docker pause`. */
export async function freezeNode(cp: TestControlPlane, nodeId: string) {
  if (cp.driver === "process") {
    for (const p of await processesUnder(join(cp.nodesRoot, nodeId))) process.kill(p.pid, "SIGSTOP");
    return;
  }
  const containers = await docker.listContainers({ filters: { label: [`${DOCKER_LABELS.node}=${nodeId}`, `${DOCKER_LABELS.root}=${cp.nodesRoot}`] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).pause()));
}

/** Roles as the nodes themselves report them (not as the control plane records them). */
export async function liveRoles(instance: any, password?: string) {
  const roles: Record<string, string> = {};
  for (const node of instance.nodes) {
    const redis = new Redis({
      host: node.host,
      port: node.port,
      password,
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      roles[node.id] = ((await redis.role()) as unknown[])[0] as string;
    } catch {
      roles[node.id] = "down";
    } finally {
      redis.disconnect();
    }
  }
  return roles;
}

export const primaries = (roles: Record<string, string>) => Object.values(roles).filter((r) => r === "master").length;
