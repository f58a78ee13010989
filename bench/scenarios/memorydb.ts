// The MemoryDB API beside the native one, on the same control plane and the same clusters: what
// the facade (SigV4 verification, AWS JSON, the shape translation) costs.
//  - Throughput: DescribeClusters through the real @aws-sdk/client-memorydb beside the native
//    `GET …/clusters` list, and the same DescribeClusters as pre-signed requests replayed (a
//    signature is valid for 15 minutes), which is the server's cost without the SDK's own
//    per-request work. The harness's load thread speaks GET only and cannot sign, so the three
//    loads run here on a thread of their own (the in-process server keeps its core), rounds
//    interleaved, one keep-alive socket per concurrent client in each.
//  - Create: CreateCluster → Status available (DescribeClusters polled every 20 ms, as a client
//    of MemoryDB must) beside POST …/clusters → the Operation done (long-poll :wait), the same
//    shape and node type, runs interleaved; each cluster deleted after, untimed.
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { CreateClusterCommand, DescribeClustersCommand, MemoryDBClient } from "@aws-sdk/client-memorydb";
import { SignatureV4 } from "@smithy/signature-v4";
import { throughputResult, type LatencyScenario, type Result, type Spec } from "../harness.js";
import { REPO, call, randomTag, sleep, waitOp, type Plane } from "../lib.js";
import { Sha256 } from "../../test/support/sha256.js";
import { CLUSTERS, assertActive, createCluster, deleteCluster, getCluster } from "./cluster-lib.js";

export const MEMORYDB_CREATE_SHAPE = { shards: 3, replicas: 1 } as const;
const POLL_MS = 20;

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

async function credentialsOf(plane: Plane): Promise<Credentials> {
  const res = await call(plane, "POST", "/v1/apiKeys/admin:issueAwsCredentials", {});
  if (res.status !== 200) throw new Error(`issueAwsCredentials: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const clientOf = (plane: Plane, credentials: Credentials) => new MemoryDBClient({ endpoint: plane.url, region: "local1", credentials, maxAttempts: 1 });

// ---- throughput ----
export interface DescribeLoad {
  clusters: number;
  concurrency: number;
  durationMs: number;
  rounds: number;
  warmupMs: number;
}

type LoadMode =
  | { kind: "http"; url: string; method: string; headers: Record<string, string>; body?: string }
  | { kind: "sdk"; url: string; credentials: Credentials };

// CommonJS on purpose: an eval'd worker cannot load TypeScript; the SDK is required from the repo.
const LOAD_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const { from, mode, concurrency, durationMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let ok = 0, errors = 0;
const statuses = {};
let once;
if (mode.kind === "http") {
  const target = new URL(mode.url);
  once = () => new Promise((resolve) => {
    const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: mode.method, headers: mode.headers }, (res) => {
      statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
      if (res.statusCode === 200) ok++; else errors++;
      res.resume();
      res.on("end", resolve);
      res.on("error", () => resolve());
    });
    req.on("error", () => { errors++; resolve(); });
    req.end(mode.body);
  });
} else {
  const load = require("node:module").createRequire(from);
  const { MemoryDBClient, DescribeClustersCommand } = load("@aws-sdk/client-memorydb");
  const { NodeHttpHandler } = load("@smithy/node-http-handler");
  const client = new MemoryDBClient({ endpoint: mode.url, region: "local1", credentials: mode.credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler({ httpAgent: agent }) });
  once = () => client.send(new DescribeClustersCommand({})).then(
    () => { ok++; statuses[200] = (statuses[200] || 0) + 1; },
    (e) => { errors++; const s = (e.$metadata && e.$metadata.httpStatusCode) || e.name; statuses[s] = (statuses[s] || 0) + 1; },
  );
}
(async () => {
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < deadline) await once(); }));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  parentPort.postMessage({ ok, errors, elapsedMs, statuses });
})();
`;

interface Round {
  ok: number;
  errors: number;
  elapsedMs: number;
  statuses: Record<string, number>;
}

function loadRound(mode: LoadMode, concurrency: number, durationMs: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { from: join(REPO, "package.json"), mode, concurrency, durationMs } });
    const guard = setTimeout(() => void worker.terminate().then(() => reject(new Error(`${mode.kind} load round hung`))), durationMs + 30_000);
    worker.once("message", (m: Round) => {
      clearTimeout(guard);
      void worker.terminate();
      resolve(m);
    });
    worker.once("error", (e) => {
      clearTimeout(guard);
      reject(e);
    });
  });
}

/** A DescribeClusters request signed once, now, replayable for the signature's 15 minutes. */
async function presignedDescribe(plane: Plane, credentials: Credentials): Promise<LoadMode> {
  const url = new URL(plane.url);
  const body = "{}";
  const signer = new SignatureV4({ service: "memorydb", region: "local1", credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    query: {},
    body,
    headers: { host: url.host, "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonMemoryDB.DescribeClusters" },
  });
  return { kind: "http", url: `${plane.url}/`, method: "POST", headers: signed.headers, body };
}

export interface DescribeSpecs {
  native: Spec;
  sdk?: Spec | undefined;
  signed?: Spec | undefined;
}

/** `load.clusters` clusters (1 shard, no replica) made natively and left ACTIVE, then the loads. */
export async function describeThroughput(plane: Plane, specs: DescribeSpecs, load: DescribeLoad): Promise<Result[]> {
  const tag = randomTag();
  const ids = Array.from({ length: load.clusters }, (_, i) => `bench-mdb-${tag}-${i}`);
  try {
    for (const id of ids) assertActive(`create ${id}`, await waitOp(plane, await createCluster(plane, id, 1, 0), 120_000));
    const credentials = await credentialsOf(plane);
    const sdk = clientOf(plane, credentials);
    // Not timed: both lists must show the same clusters.
    const listed = ((await sdk.send(new DescribeClustersCommand({}))).Clusters ?? []).map((c) => c.Name).sort();
    const native = (((await call(plane, "GET", CLUSTERS)).body.clusters ?? []) as { name: string }[]).map((c) => c.name.split("/").pop()).sort();
    if (JSON.stringify(listed) !== JSON.stringify(ids) || JSON.stringify(native) !== JSON.stringify(ids)) {
      throw new Error(`the lists differ: DescribeClusters ${listed.join(",")}; native ${native.join(",")}; made ${ids.join(",")}`);
    }
    const rows: { spec: Spec; mode: LoadMode }[] = [
      { spec: specs.native, mode: { kind: "http", url: `${plane.url}${CLUSTERS}`, method: "GET", headers: { authorization: `Bearer ${plane.key}` } } },
    ];
    if (specs.sdk) rows.push({ spec: specs.sdk, mode: { kind: "sdk", url: plane.url, credentials } });
    if (specs.signed) rows.push({ spec: specs.signed, mode: await presignedDescribe(plane, credentials) });
    for (const { mode } of rows) await loadRound(mode, load.concurrency, load.warmupMs);
    const acc = rows.map(() => ({ samples: [] as number[], errors: 0, statuses: {} as Record<string, number> }));
    for (let i = 0; i < load.rounds; i++) {
      for (const [k, { mode }] of rows.entries()) {
        const round = await loadRound(mode, load.concurrency, load.durationMs);
        acc[k]!.samples.push((round.ok / round.elapsedMs) * 1000);
        acc[k]!.errors += round.errors;
        for (const [code, n] of Object.entries(round.statuses)) acc[k]!.statuses[code] = (acc[k]!.statuses[code] ?? 0) + n;
      }
    }
    return rows.map(({ spec }, k) =>
      throughputResult(spec, acc[k]!.samples, {
        concurrency: load.concurrency,
        durationMs: load.durationMs,
        clusters: load.clusters,
        errors: acc[k]!.errors,
        statuses: acc[k]!.statuses,
      }),
    );
  } finally {
    for (const id of ids) await deleteCluster(plane, id);
  }
}

// ---- create → available ----
export function nativeCreate(plane: Plane, spec: Spec, runs: number): LatencyScenario {
  const { shards, replicas } = MEMORYDB_CREATE_SHAPE;
  const tag = randomTag();
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 1,
      run: async (i) => {
        const id = `bench-mdbn-${tag}-${i < 0 ? `w${-i}` : i}`;
        const t0 = performance.now();
        try {
          const op = await waitOp(plane, await createCluster(plane, id, shards, replicas), 120_000);
          const total = performance.now() - t0;
          assertActive(`create cluster ${id}`, op);
          return total;
        } finally {
          await deleteCluster(plane, id);
        }
      },
    },
  };
}

export async function memorydbCreate(plane: Plane, spec: Spec, runs: number): Promise<LatencyScenario> {
  const { shards, replicas } = MEMORYDB_CREATE_SHAPE;
  const client = clientOf(plane, await credentialsOf(plane));
  const tag = randomTag();
  const polls: number[] = [];
  return {
    name: spec.name,
    opts: {
      runs,
      warmup: 1,
      baseline: spec.baseline,
      target: spec.target,
      run: async (i) => {
        const id = `bench-mdbs-${tag}-${i < 0 ? `w${-i}` : i}`;
        const t0 = performance.now();
        try {
          // MemoryDB's defaults differ from the native API's in TLS (on) only; off, as the native row.
          await client.send(
            new CreateClusterCommand({
              ClusterName: id,
              NodeType: "db.t4g.small",
              ACLName: "open-access",
              NumShards: shards,
              NumReplicasPerShard: replicas,
              TLSEnabled: false,
            }),
          );
          let n = 0;
          for (;;) {
            n++;
            const [cluster] = (await client.send(new DescribeClustersCommand({ ClusterName: id }))).Clusters ?? [];
            if (cluster?.Status === "available") break;
            if (performance.now() - t0 > 120_000) throw new Error(`${id} not available after 120 s (${cluster?.Status})`);
            await sleep(POLL_MS);
          }
          const total = performance.now() - t0;
          if (i >= 0) polls.push(n);
          // Not timed: available must mean what the native ACTIVE means.
          const native = await getCluster(plane, id);
          if (native.state !== "ACTIVE" || native.shards?.length !== shards)
            throw new Error(`${id} available but natively ${native.state} with ${native.shards?.length} shards`);
          return total;
        } finally {
          await deleteCluster(plane, id);
        }
      },
      extra: () => ({ notes: [`DescribeClusters polled every ${POLL_MS} ms: ${polls.join(", ")} calls per run`] }),
    },
  };
}
