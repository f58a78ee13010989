// The end of a docker start: waiting until the node answers, or telling why its container
// stopped from the last lines of its redis.log and of the container's own output.

import { open } from "node:fs/promises";
import net from "node:net";
import tls from "node:tls";
import type Dockerode from "dockerode";
import { NodeStartError } from "../errors.js";
import type { RuntimeLogger } from "../logger.js";
import type { NodeSpec } from "../node-runtime.js";
import type { EngineCall } from "./engine-errors.js";
import { demuxLogs, redact } from "./logs.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends PING and resolves true on any reply (+PONG, -NOAUTH, -LOADING): the server answers.
 *  A bare connect is not enough in bridge mode, where docker-proxy accepts before Redis listens. */
function answersPing(host: string, port: number, timeoutMs: number, secure: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    // A TLS node answers only once the handshake is done. This asks nothing secret, so its
    // certificate is not checked here; every admin connection checks it.
    const socket = secure ? tls.connect({ host, port, rejectUnauthorized: false }) : net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once(secure ? "secureConnect" : "connect", () => socket.write("PING\r\n"));
    socket.once("data", (chunk) => done(chunk[0] === 0x2b /* + */ || chunk[0] === 0x2d /* - */));
    socket.once("error", () => done(false));
    socket.once("close", () => done(false));
  });
}

/** Last lines of the node's redis.log (host path) and of the container's own output, secrets redacted. */
async function failureTail(api: EngineCall, logPath: string, container: Dockerode.Container) {
  const parts: string[] = [];
  try {
    const handle = await open(logPath, "r");
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 4096);
      const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length);
      parts.push(
        ...buffer
          .toString("utf8")
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean)
          .slice(-4),
      );
    } finally {
      await handle.close();
    }
  } catch {
    // no log file yet
  }
  try {
    const out = (await api("logs", () => container.logs({ stdout: true, stderr: true, tail: 6, follow: false }))) as unknown as Buffer;
    parts.push(
      ...demuxLogs(Buffer.from(out))
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(-6),
    );
  } catch {
    // container gone
  }
  return parts.length ? redact(parts).join(" | ") : "(no log)";
}

/** waitForAnswer(spec, logPath, container): resolves once the node answers, or after
 *  startTimeoutMs (a warning); rejects with NodeStartError and the log's reason if its container stops. */
export function createStartWaiter(api: EngineCall, log: RuntimeLogger, startTimeoutMs: number) {
  return async (spec: NodeSpec, logPath: string, container: Dockerode.Container) => {
    const deadline = Date.now() + startTimeoutMs;
    let nextInspect = Date.now() + 50;
    for (;;) {
      if (await answersPing(spec.host, spec.port, 200, spec.tls !== undefined)) return;
      if (Date.now() >= nextInspect) {
        nextInspect = Date.now() + 100;
        const state = (await api("inspect container", () => container.inspect())).State;
        if (!state.Running) {
          throw new NodeStartError(
            `container of node ${spec.id} exited during start (${state.OOMKilled ? "OOM-killed" : `code ${state.ExitCode}`}` +
              `${state.Error ? `, ${state.Error}` : ""}): ${await failureTail(api, logPath, container)}`,
          );
        }
      }
      if (Date.now() > deadline) {
        log.warn({ node: spec.id, timeoutMs: startTimeoutMs }, "container started but redis does not answer yet");
        return;
      }
      await sleep(2);
    }
  };
}
