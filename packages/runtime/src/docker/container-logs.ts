// NodeRuntime.logs for the docker driver. The engine logs to /data/redis.log (the driver's
// redis.conf names a `logfile`), which is the node's data dir on this host through the bind mount,
// so its lines are read from that file like the process driver's (node-logs.ts). The container's
// own output (docker logs) holds only what the server printed before it opened that file, e.g.
// the fatal config error of a start that failed; a healthy node's is empty (checked with the local
// image). Those lines come first: they are what a start said before its log file took over.

import type Dockerode from "dockerode";
import { nodeLogFile, tailNodeLog, type LogsOptions } from "../node-logs.js";
import { containerName, isOwnContainer } from "./container-spec.js";
import { statusOf, type EngineCall } from "./engine-errors.js";
import { demuxLogs } from "./logs.js";

/** The container's stdout and stderr, its newest `tail` lines, oldest first; [] when the node has
 *  no container of this control plane. */
async function containerOutput(docker: Dockerode, api: EngineCall, nodesRoot: string, nodeId: string, tail: number): Promise<string[]> {
  const container = docker.getContainer(containerName(nodeId));
  let info: Dockerode.ContainerInspectInfo;
  try {
    info = await api("inspect container", () => container.inspect());
  } catch (err) {
    if (statusOf(err) === 404) return [];
    throw err;
  }
  if (!isOwnContainer(info.Config.Labels, nodeId, nodesRoot)) return [];
  try {
    const out = (await api("logs", () => container.logs({ stdout: true, stderr: true, tail, follow: false }))) as unknown as Buffer;
    const lines = demuxLogs(Buffer.from(out)).split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return lines;
  } catch (err) {
    if (statusOf(err) === 404) return []; // removed in between
    throw err;
  }
}

/** logs(nodeId, {tail}) of a docker runtime over these nodes. RuntimeUnavailableError (from `api`)
 *  when the engine does not answer: the answer would silently miss the container's output. */
export function createContainerLogReader(docker: Dockerode, api: EngineCall, nodesRoot: string) {
  return async (nodeId: string, options: LogsOptions): Promise<string[]> => {
    const file = nodeLogFile(nodesRoot, nodeId); // InvalidNodeSpecError before any call
    const [output, logged] = await Promise.all([containerOutput(docker, api, nodesRoot, nodeId, options.tail), tailNodeLog(file, options.tail)]);
    return [...output, ...logged].slice(-options.tail);
  };
}
