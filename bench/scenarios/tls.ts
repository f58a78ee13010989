// transitEncryptionMode SERVER_AUTHENTICATION, measured two ways:
// - throughput: `redis-benchmark --tls -P 16` through a TLS instance's endpoint, beside a
//   `redis-server` started by hand from the node's own redis.conf (the same certificate, key, CA
//   and directives; only its port and files differ), 5 rounds interleaved. The endpoint is an address the primary itself listens on, so
//   ~1.0x is expected: nothing but TLS is between the client and the node, in both rows;
// - create → READY of a BASIC instance with TLS beside one without, runs interleaved: what the CA,
//   the node certificate and TLS start-up add (the ready check is a TLS PING with the CA alone).
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import tls from "node:tls";
import { throughputResult, type LatencyScenario, type Result, type Spec } from "../harness.js";
import {
  BASIC,
  HOST,
  REDIS_SERVER,
  benchPort,
  createInstance,
  deleteInstance,
  onCleanup,
  randomTag,
  scenarioInstance,
  sleep,
  stopChild,
  tempDir,
  waitOp,
  waitPong,
  type Plane,
} from "../lib.js";

const execFileAsync = promisify(execFile);
const TLS_BASIC = { ...BASIC, transitEncryptionMode: "SERVER_AUTHENTICATION" } as const;

/** One TLS PING with the CA alone: resolves true on +PONG. */
function tlsPing(host: string, port: number, ca: string, timeoutMs = 200): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, ca });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("secureConnect", () => socket.write("PING\r\n"));
    socket.once("data", (chunk) => done(chunk.toString().startsWith("+PONG")));
    socket.once("error", () => done(false));
  });
}

async function waitTlsPong(host: string, port: number, ca: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await tlsPing(host, port, ca))) {
    if (Date.now() > deadline) throw new Error(`no TLS PONG from ${host}:${port} within ${timeoutMs} ms`);
    await sleep(1);
  }
}

async function redisBenchmark(host: string, port: number, caFile: string, requests: number): Promise<Record<string, number>> {
  const args = ["--tls", "--cacert", caFile, "-h", host, "-p", String(port), "-t", "get,set", "-P", "16", "-c", "50", "-n", String(requests), "-q", "--csv"];
  const { stdout: out, stderr } = await execFileAsync("redis-benchmark", args, { timeout: 300_000, maxBuffer: 1 << 20 });
  const rps: Record<string, number> = {};
  for (const line of out.split("\n")) {
    const [test, value] = line.split(",").map((c) => c.replace(/"/g, ""));
    if (test && value && !Number.isNaN(Number(value))) rps[test] = Number(value);
  }
  if (!rps.SET || !rps.GET) throw new Error(`redis-benchmark printed no SET/GET rows: ${out.slice(0, 300)} ${stderr.slice(0, 300)}`);
  return rps;
}

/** specs: the endpoint and the hand-started server, per command. */
export async function tlsThroughput(
  plane: Plane,
  specs: Record<"SET" | "GET", { endpoint: Spec; bare: Spec }>,
  opts: { rounds: number; requests: number },
): Promise<Result[]> {
  const { instance } = await scenarioInstance(plane, "bench-tls", TLS_BASIC);
  const node = instance.nodes[0];
  const dir = await tempDir("cacheplane-bench-tls-");
  const caFile = join(dir, "client-ca.pem");
  await writeFile(caFile, instance.serverCaCerts.map((c: { cert: string }) => c.cert).join(""));
  // The node's own redis.conf (its directives, its certificate, key and CA files, read in place),
  // with only where it listens and writes changed: 127.0.0.1 (the endpoint's address, which the
  // certificate names) on a port of its own, TLS only, as the node.
  const port = await benchPort();
  const nodeConf = await readFile(join(plane.cp!.nodesRoot, node.id, "redis.conf"), "utf8");
  const own: Record<string, string> = { bind: HOST, "tls-port": String(port), dir, pidfile: join(dir, "redis.pid"), logfile: join(dir, "redis.log") };
  const conf = nodeConf
    .split("\n")
    .map((line) => {
      const name = line.split(" ")[0]!;
      return name in own ? `${name} ${own[name]}` : line;
    })
    .join("\n");
  await writeFile(join(dir, "redis.conf"), conf, { mode: 0o600 });
  const bare = spawn(REDIS_SERVER, [join(dir, "redis.conf")], { stdio: "ignore", cwd: dir });
  onCleanup(() => stopChild(bare, "SIGKILL", 2_000));
  const ca = instance.serverCaCerts[0].cert as string;
  await waitTlsPong(HOST, port, ca);
  const targets = { endpoint: { host: instance.host as string, port: instance.port as number }, bare: { host: HOST, port } };
  const samples = { endpoint: { SET: [] as number[], GET: [] as number[] }, bare: { SET: [] as number[], GET: [] as number[] } };
  for (const via of ["bare", "endpoint"] as const) await redisBenchmark(targets[via].host, targets[via].port, caFile, Math.min(opts.requests, 20_000));
  for (let round = 0; round < opts.rounds; round++) {
    for (const via of round % 2 === 0 ? (["endpoint", "bare"] as const) : (["bare", "endpoint"] as const)) {
      const rps = await redisBenchmark(targets[via].host, targets[via].port, caFile, opts.requests);
      samples[via].SET.push(rps.SET!);
      samples[via].GET.push(rps.GET!);
    }
  }
  await stopChild(bare, "SIGKILL", 2_000);
  const where = `${targets.endpoint.host}:${targets.endpoint.port} vs ${targets.bare.host}:${targets.bare.port}`;
  return (["SET", "GET"] as const).flatMap((test) =>
    (["bare", "endpoint"] as const).map((via) =>
      throughputResult(specs[test][via], samples[via][test], { errors: 0, requests: opts.requests, pipeline: 16, clients: 50, addresses: where }),
    ),
  );
}

/** create → READY (the op done, then the endpoint's PONG: plaintext without TLS, TLS with the
 *  CA of the op's response with it); the delete is not timed. */
export function tlsCreateReady(plane: Plane, spec: Spec, runs: number, withTls: boolean): LatencyScenario {
  const tag = randomTag();
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 2,
      baseline: spec.baseline,
      target: spec.target,
      run: async (i) => {
        const id = `bench-${withTls ? "tls" : "plain"}-${tag}-${i < 0 ? `w${-i}` : i}`;
        const t0 = performance.now();
        const op = await waitOp(plane, await createInstance(plane, id, withTls ? TLS_BASIC : BASIC));
        try {
          if (op.error || op.response?.state !== "READY") throw new Error(`create ${id}: ${JSON.stringify(op.error ?? op.response)}`);
          const { host, port } = op.response as { host: string; port: number };
          if (withTls) await waitTlsPong(host, port, op.response.serverCaCerts.map((c: { cert: string }) => c.cert).join(""));
          else await waitPong(host, port, 1, 5_000);
          return performance.now() - t0;
        } finally {
          await deleteInstance(plane, id);
        }
      },
    },
  };
}
