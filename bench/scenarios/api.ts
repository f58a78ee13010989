// REST throughput: GET of one instance beside a trivial route on the same server, rounds
// interleaved so both see the same noise.
import { interleavedThroughput, type Result, type Spec, type ThroughputOptions } from "../harness.js";
import { BASE, BASIC, scenarioInstance, scoped, type Plane } from "../lib.js";

export interface Load {
  concurrency: number;
  durationMs: number;
  rounds: number;
  warmupMs: number;
}

export async function getThroughput(plane: Plane, healthz: Spec | undefined, get: Spec | undefined, load: Load): Promise<Result[]> {
  const scenarios: { name: string; opts: ThroughputOptions }[] = [];
  if (healthz) scenarios.push({ name: healthz.name, opts: { url: `${plane.url}/healthz`, ...load } });
  if (!get) return interleavedThroughput(scenarios);
  return scoped(async () => {
    const { id } = await scenarioInstance(plane, "bench-get", BASIC);
    scenarios.push({
      name: get.name,
      opts: { url: `${plane.url}${BASE}/${id}`, headers: { authorization: `Bearer ${plane.key}` }, baseline: get.baseline, target: get.target, ...load },
    });
    return interleavedThroughput(scenarios);
  });
}
