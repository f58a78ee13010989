// Starting things: the bare engine (the baseline) and create → READY through the REST API,
// with a timeline of where the time went.
import { spawn } from "node:child_process";
import { median, type LatencyScenario, type Spec } from "../harness.js";
import { BASIC, HOST, REDIS_SERVER, benchPort, createInstance, deleteInstance, randomTag, stopChild, tempDir, waitOp, waitPong, type Plane } from "../lib.js";

/** redis-server spawn → first PONG: what every create is compared with. */
export async function redisSpawn(spec: Spec, runs: number): Promise<LatencyScenario> {
  const dir = await tempDir("cacheplane-bench-redis-");
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 3,
      run: async () => {
        const port = await benchPort();
        const t0 = performance.now();
        const child = spawn(REDIS_SERVER, ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", dir], {
          stdio: "ignore",
          cwd: dir,
        });
        try {
          await waitPong(HOST, port, 1, 5_000);
          return performance.now() - t0;
        } finally {
          await stopChild(child, "SIGKILL", 2_000);
        }
      },
    },
  };
}

const PHASES = ["POST returned", "op createTime", "NODE_CREATED event", "READY event", "op endTime", "client sees done", "PONG"] as const;

/** POST create, long-poll `:wait`, PING the endpoint; the delete is not timed. */
export function createReady(plane: Plane, spec: Spec, runs: number, body: object = BASIC): LatencyScenario {
  const timelines: Partial<Record<(typeof PHASES)[number], number>>[] = [];
  const tag = randomTag();
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 2,
      baseline: spec.baseline,
      target: spec.target,
      run: async (i) => {
        const instanceId = `bench-${tag}-${i < 0 ? `w${-i}` : i}`;
        const wall0 = Date.now();
        const t0 = performance.now();
        const created = await createInstance(plane, instanceId, body);
        const tPost = performance.now() - t0;
        const op = await waitOp(plane, created);
        const tDone = performance.now() - t0;
        try {
          if (op.error || op.response?.state !== "READY") throw new Error(`create ${instanceId}: ${JSON.stringify(op.error ?? op.response)}`);
          const { host, port } = op.response as { host: string; port: number };
          if (host !== HOST) throw new Error(`instance ${instanceId} is on ${host}, not loopback`);
          await waitPong(host, port, 1, 5_000);
          const total = performance.now() - t0;
          // Not timed: where the time went, then the delete.
          const at = (iso?: string) => (iso ? Date.parse(iso) - wall0 : undefined);
          const events = (await plane.events?.(instanceId)) ?? {};
          const relative = (t?: number) => (t === undefined ? undefined : t - wall0);
          if (i >= 0) {
            timelines.push({
              "POST returned": tPost,
              "op createTime": at(op.metadata?.createTime),
              "NODE_CREATED event": relative(events.NODE_CREATED),
              "READY event": relative(events.READY),
              "op endTime": at(op.metadata?.endTime),
              "client sees done": tDone,
              PONG: total,
            });
          }
          return total;
        } finally {
          await deleteInstance(plane, instanceId);
        }
      },
      extra: () => ({
        timelineTitle: "where create → READY goes: median ms after the POST was sent (events only in-process)",
        timeline: Object.fromEntries(
          PHASES.map((p) => [p, median(timelines.map((t) => t[p]).filter((v): v is number => v !== undefined))]).filter(([, v]) => !Number.isNaN(v)),
        ),
      }),
    },
  };
}
