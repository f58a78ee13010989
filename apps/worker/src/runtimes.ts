// Which drivers this worker can use, and which one makes new nodes. A node is always managed
// by the driver recorded on it, so switching the default never orphans existing nodes.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { createDockerRuntime, createProcessRuntime, findRedisServer, type NodeRuntime, type RuntimeLogger } from "@cacheplane/runtime";

export type Driver = NodeRuntime["driver"];

export interface RuntimeChoice {
  runtime: "auto" | "process" | "docker";
  nodesRoot: string;
  redisServerPath?: string | undefined;
  searchPath?: string | undefined;
  redisImages: Record<string, string>;
  redisImageOverride?: string | undefined;
  logger?: RuntimeLogger;
  /** The Docker engine to use (default: the local socket, or DOCKER_HOST as dockerode reads it). */
  docker?: Dockerode;
}

export interface Runtimes {
  /** The driver new nodes are made with. */
  default: NodeRuntime;
  byDriver: Partial<Record<Driver, NodeRuntime>>;
  /** Engine versions the default driver can run; the first is the default version. */
  redisVersions: string[];
}

export class NoRuntimeError extends Error {}

async function dockerAnswers(docker: Dockerode): Promise<boolean> {
  try {
    await Promise.race([docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000))]);
    return true;
  } catch {
    return false;
  }
}

/** "Redis server v=7.0.15 ..." -> REDIS_7_0, in Memorystore's version names. */
export async function hostRedisVersion(redisServerPath: string): Promise<string> {
  const { stdout } = await promisify(execFile)(redisServerPath, ["--version"]);
  const match = /v=(\d+)\.(\d+)/.exec(stdout);
  if (!match) return "REDIS_7_0";
  return match[1] === "6" ? "REDIS_6_X" : `REDIS_${match[1]}_${match[2]}`;
}

export async function createRuntimes(choice: RuntimeChoice): Promise<Runtimes> {
  let redisServerPath: string | undefined;
  let missingRedis: Error | undefined;
  try {
    redisServerPath = findRedisServer({ redisServerPath: choice.redisServerPath, searchPath: choice.searchPath });
  } catch (error) {
    missingRedis = error as Error;
  }
  const docker = choice.docker ?? new Dockerode();
  const byDriver: Runtimes["byDriver"] = {};
  if (redisServerPath) {
    byDriver.process = createProcessRuntime({ nodesRoot: choice.nodesRoot, redisServerPath, logger: choice.logger });
  }
  const dockerRuntime = () =>
    createDockerRuntime({
      nodesRoot: choice.nodesRoot,
      docker,
      images: choice.redisImages,
      imageOverride: choice.redisImageOverride,
      logger: choice.logger,
    });

  let driver: Driver;
  if (choice.runtime === "process") {
    if (missingRedis) throw missingRedis;
    driver = "process";
  } else if (choice.runtime === "docker") {
    driver = "docker";
  } else if (redisServerPath) {
    driver = "process";
  } else if (await dockerAnswers(docker)) {
    driver = "docker";
  } else {
    throw new NoRuntimeError("cannot run Redis nodes: install redis-server (apt-get install redis-server) or start a Docker engine, or set CACHEPLANE_RUNTIME");
  }
  // The docker driver is always available for nodes it made earlier; it connects lazily.
  byDriver.docker = dockerRuntime();
  const redisVersions = driver === "docker" ? Object.keys(choice.redisImages) : [await hostRedisVersion(redisServerPath!)];
  if (driver === "docker") redisVersions.sort((a, b) => (a === "REDIS_7_0" ? -1 : b === "REDIS_7_0" ? 1 : 0));
  return { default: byDriver[driver]!, byDriver, redisVersions };
}
