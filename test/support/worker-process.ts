// The worker as a real child process, so a test can SIGKILL it mid-flight.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { LOCAL_IMAGE, TEST_REDIS_URL, type TestControlPlane } from "./control-plane.js";

const WORKER_MAIN = fileURLToPath(new URL("../../apps/worker/src/main.ts", import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnWorker(cp: TestControlPlane): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", WORKER_MAIN], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: cp.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      CACHEPLANE_QUEUE_PREFIX: cp.prefix,
      CACHEPLANE_DATA_DIR: cp.dataDir,
      CACHEPLANE_NODE_PORTS: `${cp.portRange.first}-${cp.portRange.last}`,
      CACHEPLANE_LOG_LEVEL: "info",
      CACHEPLANE_RUNTIME: cp.driver,
      CACHEPLANE_REDIS_IMAGE: LOCAL_IMAGE,
      CACHEPLANE_ENGINES: JSON.stringify(cp.engines),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 30_000);
    const check = () => {
      if (out.includes("worker started")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners("exit");
  return {
    child,
    output: () => out,
    kill: (signal = "SIGKILL") =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill(signal);
      }),
  };
}
