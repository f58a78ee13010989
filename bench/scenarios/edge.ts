// What the instance endpoint costs a client: redis-benchmark through the endpoint address
// beside the same command straight to the primary node's own address, rounds interleaved
// (endpoint first in odd rounds, direct first in even ones). The endpoint is an address the
// primary itself listens on, so ~100% is expected; a proxy would show here.
// Then the read endpoint: GET -P 16 and -P 1 straight to one replica, through the kernel
// redirects, and through the user-space balancer (the product's own, started by its module
// on a bench port beside the kernel endpoint, over the same replicas), rounds rotated.
import { READ_ENDPOINT_HOST } from "@cacheplane/core";
import { stats, throughputResult, type Result, type Spec } from "../harness.js";
import { HA, benchPort, onCleanup, run, scenarioInstance, scoped, tempDir, waitAllReady, type Plane } from "../lib.js";
import { probeKernelRedirects } from "../../apps/worker/src/edge/kernel-redirects.js";
import { userSpaceBalancer } from "../../apps/worker/src/edge/user-space-balancer.js";

export interface EdgeOptions {
  rounds: number;
  requests: number;
}

/** requests/s per test from `redis-benchmark --csv` ("SET","123.45",...). */
async function redisBenchmark(host: string, port: number, requests: number): Promise<Record<string, number>> {
  const out = await run(
    "redis-benchmark",
    ["-h", host, "-p", String(port), "-t", "get,set", "-P", "16", "-c", "50", "-n", String(requests), "-q", "--csv"],
    300_000,
  );
  const rps: Record<string, number> = {};
  for (const line of out.split("\n")) {
    const [test, value] = line.split(",").map((c) => c.replace(/"/g, ""));
    if (test && value && !Number.isNaN(Number(value))) rps[test] = Number(value);
  }
  if (!rps.SET || !rps.GET) throw new Error(`redis-benchmark printed no SET/GET rows: ${out.slice(0, 300)}`);
  return rps;
}

/** GET requests/s of `redis-benchmark -t get -P <pipeline> -c 50`. */
async function getRate(host: string, port: number, pipeline: number, requests: number): Promise<number> {
  const out = await run(
    "redis-benchmark",
    ["-h", host, "-p", String(port), "-t", "get", "-P", String(pipeline), "-c", "50", "-n", String(requests), "-q", "--csv"],
    300_000,
  );
  const row = out.split("\n").find((line) => line.startsWith('"GET"'));
  const rps = Number(row?.split(",")[1]?.replace(/"/g, ""));
  if (!rps) throw new Error(`redis-benchmark printed no GET row: ${out.slice(0, 300)}`);
  return rps;
}

type ReadPath = "direct" | "kernel" | "balancer";
const READ_ROW: Record<ReadPath, string> = {
  direct: "one replica direct",
  kernel: "read endpoint, kernel redirects",
  balancer: "read endpoint, user-space balancer",
};
const readRowName = (path: ReadPath, pipeline: number) => `redis-benchmark GET -P ${pipeline}, ${READ_ROW[path]}`;

/** The read endpoint's two edges beside a replica, GET -P 16 and -P 1, 50 clients. */
export async function readEndpointThroughput(plane: Plane, opts: EdgeOptions): Promise<Result[]> {
  return scoped(async () => {
    const { id } = await scenarioInstance(plane, "bench-reads", { ...HA, readReplicasMode: "READ_REPLICAS_ENABLED" });
    const instance = await waitAllReady(plane, id, 1 + HA.replicaCount);
    const replicas = instance.nodes.filter((n: any) => n.role === "REPLICA").map((n: any) => ({ host: n.host as string, port: n.port as number }));
    // Where this machine cannot redirect, the plane's own endpoint is a balancer too: no kernel row then.
    const noKernel = await probeKernelRedirects();
    const balancer = userSpaceBalancer(await tempDir("cacheplane-bench-edge-"), "bench");
    const port = await benchPort();
    await balancer.routeReads(
      "bench-read-balancer",
      port,
      replicas.map((r: any) => `${r.host}:${r.port}`),
    );
    onCleanup(() => balancer.routeReads("bench-read-balancer", port, []));
    const at: Record<ReadPath, { host: string; port: number }> = {
      direct: replicas[0]!,
      kernel: { host: instance.readEndpoint as string, port: instance.readEndpointPort as number },
      balancer: { host: READ_ENDPOINT_HOST, port },
    };
    const paths: ReadPath[] = noKernel ? ["direct", "balancer"] : ["direct", "kernel", "balancer"];
    // -P 16 runs ~10x faster per request: more requests, so each run lasts about a second.
    const requestsAt = (pipeline: number) => (pipeline === 16 ? opts.requests * 10 : Math.round(opts.requests * 1.5));
    const samples = new Map<string, number[]>();
    for (const pipeline of [16, 1]) {
      for (const path of paths) await getRate(at[path].host, at[path].port, pipeline, Math.min(requestsAt(pipeline), 20_000)); // warm-up
      for (let round = 0; round < opts.rounds; round++) {
        // Rotated, so no path always runs first (or right after the same one).
        for (const path of paths.map((_, i) => paths[(i + round) % paths.length]!)) {
          const name = readRowName(path, pipeline);
          samples.set(name, [...(samples.get(name) ?? []), await getRate(at[path].host, at[path].port, pipeline, requestsAt(pipeline))]);
        }
      }
    }
    const median = (name: string) => stats(samples.get(name) ?? []).median;
    return [16, 1].flatMap((pipeline) =>
      paths.map((path): Result => {
        const name = readRowName(path, pipeline);
        const s = samples.get(name)!;
        const direct = readRowName("direct", pipeline);
        const kernel = readRowName("kernel", pipeline);
        const notes =
          path === "balancer"
            ? [
                `${(median(name) / median(direct)).toFixed(2)}x of ${READ_ROW.direct}${noKernel ? "" : `, ${(median(name) / median(kernel)).toFixed(2)}x of the kernel redirects`}${noKernel ? ` (no kernel row: ${noKernel})` : ""}`,
              ]
            : [];
        return {
          name,
          kind: "throughput",
          unit: "req/s",
          samples: s,
          stats: stats(s),
          // The kernel row against a replica; the balancer against the kernel (or a replica without one).
          baseline: path === "direct" ? undefined : path === "balancer" && !noKernel ? kernel : direct,
          extra: {
            errors: 0,
            requests: requestsAt(pipeline),
            pipeline,
            clients: 50,
            target: `${at[path].host}:${at[path].port}`,
            replicas: replicas.length,
            notes,
          },
        };
      }),
    );
  });
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
    const writes = (["SET", "GET"] as const).flatMap((test) =>
      (["direct", "endpoint"] as const).map((via) =>
        throughputResult(specs[test][via], samples[via][test], { errors: 0, requests: opts.requests, pipeline: 16, clients: 50, addresses: where }),
      ),
    );
    return [...writes, ...(await readEndpointThroughput(plane, opts))];
  });
}
