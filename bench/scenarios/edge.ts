// What the instance endpoint costs a client: redis-benchmark through the endpoint address
// beside the same command straight to the primary node's own address, rounds interleaved
// (endpoint first in odd rounds, direct first in even ones). The endpoint is an address the
// primary itself listens on, so ~100% is expected; a proxy would show here.
import { stats, type Result, type Spec } from "../harness.js";
import { HA, run, scenarioInstance, scoped, waitAllReady, type Plane } from "../lib.js";

export interface EdgeOptions {
  rounds: number;
  requests: number;
}

/** requests/s per test from `redis-benchmark --csv` ("SET","123.45",...). */
async function redisBenchmark(host: string, port: number, requests: number): Promise<Record<string, number>> {
  const out = await run("redis-benchmark", ["-h", host, "-p", String(port), "-t", "get,set", "-P", "16", "-c", "50", "-n", String(requests), "-q", "--csv"], 300_000);
  const rps: Record<string, number> = {};
  for (const line of out.split("\n")) {
    const [test, value] = line.split(",").map((c) => c.replace(/"/g, ""));
    if (test && value && !Number.isNaN(Number(value))) rps[test] = Number(value);
  }
  if (!rps.SET || !rps.GET) throw new Error(`redis-benchmark printed no SET/GET rows: ${out.slice(0, 300)}`);
  return rps;
}

/** specs: endpoint and direct rows per command, e.g. { SET: { endpoint, direct } }. */
export async function edgeOverhead(plane: Plane, specs: Record<"SET" | "GET", { endpoint: Spec; direct: Spec }>, opts: EdgeOptions): Promise<Result[]> {
  return scoped(async () => {
    const { id } = await scenarioInstance(plane, "bench-edge", HA);
    const instance = await waitAllReady(plane, id, 1 + HA.replicaCount);
    const primary = instance.nodes.find((n: any) => n.role === "PRIMARY");
    const targets = {
      endpoint: { host: instance.host as string, port: instance.port as number },
      direct: { host: primary.host as string, port: primary.port as number },
    };
    if (targets.endpoint.host === targets.direct.host && targets.endpoint.port === targets.direct.port) {
      throw new Error(`the endpoint and the primary node have the same address ${targets.direct.host}:${targets.direct.port}`);
    }
    const samples = { endpoint: { SET: [] as number[], GET: [] as number[] }, direct: { SET: [] as number[], GET: [] as number[] } };
    // Warm-up (connections, the replicas' buffers), not recorded.
    await redisBenchmark(targets.direct.host, targets.direct.port, Math.min(opts.requests, 20_000));
    await redisBenchmark(targets.endpoint.host, targets.endpoint.port, Math.min(opts.requests, 20_000));
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 === 0 ? (["endpoint", "direct"] as const) : (["direct", "endpoint"] as const);
      for (const via of order) {
        const rps = await redisBenchmark(targets[via].host, targets[via].port, opts.requests);
        samples[via].SET.push(rps.SET!);
        samples[via].GET.push(rps.GET!);
      }
    }
    const where = `${targets.endpoint.host}:${targets.endpoint.port} vs ${targets.direct.host}:${targets.direct.port}`;
    return (["SET", "GET"] as const).flatMap((test) =>
      (["direct", "endpoint"] as const).map((via) => {
        const spec = specs[test][via];
        const s = samples[via][test];
        return {
          name: spec.name,
          kind: "throughput" as const,
          unit: "req/s",
          samples: s,
          stats: stats(s),
          baseline: spec.baseline,
          target: spec.target,
          extra: { errors: 0, requests: opts.requests, pipeline: 16, clients: 50, addresses: where },
        };
      }),
    );
  });
}
