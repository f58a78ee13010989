// The docker driver's baseline: `docker run -d --network host <image> --port <p> ...` to its
// first PONG (PING every 1 ms from the moment `docker run` is invoked); the container is
// removed after each run, untimed. Every container carries a label of this bench run, so
// cleanup finds them even after a failure.
import { spawn } from "node:child_process";
import type { LatencyScenario, Spec } from "../harness.js";
import { HOST, benchPort, exited, onCleanup, randomTag, run, waitPong } from "../lib.js";

export const DOCKER_IMAGE = process.env.TEST_REDIS_IMAGE ?? "cacheplane/redis-local:7.0";

/** Throws with what to do when there is no engine or no image. */
export async function assertDocker() {
  await run("docker", ["info", "--format", "{{.ServerVersion}}"], 20_000).catch((e: Error) => {
    throw new Error(`docker does not answer (${e.message.slice(0, 120)}); run \`bash scripts/start-dockerd.sh\` first`);
  });
  await run("docker", ["image", "inspect", DOCKER_IMAGE, "--format", "{{.Id}}"], 20_000).catch(() => {
    throw new Error(`image ${DOCKER_IMAGE} is missing; run \`bash scripts/build-local-image.sh\` first`);
  });
}

export function dockerRun(spec: Spec, runs: number): LatencyScenario {
  const label = `cacheplane.bench=${randomTag()}`;
  const removeAll = async () => {
    const ids = (await run("docker", ["ps", "-aq", "--filter", `label=${label}`], 30_000)).split("\n").filter(Boolean);
    if (ids.length) await run("docker", ["rm", "-f", ...ids], 60_000);
  };
  onCleanup(removeAll);
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 2,
      run: async () => {
        const port = await benchPort();
        const t0 = performance.now();
        const child = spawn(
          "docker",
          ["run", "-d", "--network", "host", "--label", label, DOCKER_IMAGE, "--port", String(port), "--bind", HOST, "--save", ""],
          { stdio: "ignore" },
        );
        try {
          await waitPong(HOST, port, 1, 30_000);
          return performance.now() - t0;
        } finally {
          if (!(await exited(child, 30_000))) child.kill("SIGKILL");
          await removeAll();
        }
      },
    },
  };
}
