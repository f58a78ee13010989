// `npm run bench [-- --quick] [-- --only <name>]`: every scenario, one table, one JSON line.
// Baselines are measured in the same run; see bench/README.md for what each row means.
import { cpus } from "node:os";
import { readFile } from "node:fs/promises";
import { interleavedLatency, ratioOf, table, targetOf, timelines, type Result, type Spec, type Target } from "./harness.js";
import { HA, cleanup, scoped, type Plane } from "./lib.js";
import { embeddedPlane, inProcessPlane, upLog, useProductWorker } from "./planes.js";
import { getThroughput } from "./scenarios/api.js";
import { cliCreate, cliStartup, nodeStartup } from "./scenarios/cli.js";
import { createReady, redisSpawn } from "./scenarios/create.js";
import { assertDocker, dockerRun } from "./scenarios/docker.js";
import { edgeOverhead } from "./scenarios/edge.js";
import { bareFailover, haFailover, haSwitchover, sentinelFailover } from "./scenarios/failover.js";
import { bareAddShard, clusterAddShard } from "./scenarios/cluster-add-shard.js";
import { bareClusterCreate, clusterCreate } from "./scenarios/cluster-create.js";
import { bareClusterFailover, clusterFailover } from "./scenarios/cluster-failover.js";
import type { Check } from "./scenarios/cluster-lib.js";
import { backupData } from "./scenarios/backup-data.js";
import { bareRdbFetch, instanceBackup } from "./scenarios/backup.js";
import { bareRdbLoad, createImportReady, instanceImport } from "./scenarios/restore.js";
import { upgradeInstance } from "./scenarios/upgrade.js";
import { tlsCreateReady, tlsThroughput } from "./scenarios/tls.js";
import { MEMORYDB_CREATE_SHAPE, describeThroughput, memorydbCreate, nativeCreate } from "./scenarios/memorydb.js";
import { metricsExposition } from "./scenarios/metrics-exposition.js";
import { metricsSampling } from "./scenarios/metrics-sampling.js";

// ---- flags ----
const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const only = argv.flatMap((a, i) => (argv[i - 1] === "--only" ? a.split(",") : [])).map((s) => s.toLowerCase());
const flag = (name: string) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) || undefined : undefined);
const concurrency = flag("--concurrency") ?? 16;
const RUNS = quick ? 5 : 20; // create → READY
const KILLS = quick ? 3 : 10; // unplanned failovers, each side
const SWITCHOVERS = quick ? 3 : 10;
const CLI_RUNS = quick ? 3 : 10;
const LOAD = quick ? { durationMs: 1_000, rounds: 1, warmupMs: 300 } : { durationMs: 5_000, rounds: 3, warmupMs: 1_000 };
const EDGE = quick ? { rounds: 1, requests: 20_000 } : { rounds: 3, requests: 200_000 };
// Clusters: creates; reshards (each on a fresh cluster of --keys keys under --cluster-clients
// SET/GET loops); shard kills (ours and node-timeout 1000), and kills at Redis's default
// node-timeout 15000 (~17 s each, so few).
const CLUSTER_CREATES = flag("--cluster-runs") ?? (quick ? 3 : 10);
const RESHARD = {
  keys: flag("--keys") ?? (quick ? 20_000 : 200_000),
  concurrency: flag("--cluster-clients") ?? 4,
  runs: flag("--reshard-runs") ?? (quick ? 1 : 3),
};
const CLUSTER_KILLS = flag("--cluster-kills") ?? (quick ? 2 : 5);
const SLOW_CLUSTER_KILLS = quick ? 1 : 2;
// Backups and restores of one instance of --backup-keys keys (32-byte values), --backup-runs each.
const BACKUP = { keys: flag("--backup-keys") ?? (quick ? 100_000 : 1_000_000), runs: flag("--backup-runs") ?? (quick ? 1 : 3) };
const backupKeys = `${BACKUP.keys.toLocaleString("en-US")} keys`;
// Engine upgrades: each run a fresh STANDARD_HA instance, one :failover, then the :upgrade.
const UPGRADES = flag("--upgrade-runs") ?? (quick ? 2 : 5);
// The MemoryDB API beside the native one: clusters listed, creates (3x1 each).
const MEMORYDB = { clusters: flag("--memorydb-clusters") ?? 10, creates: flag("--memorydb-runs") ?? (quick ? 2 : 5) };
const mdbShape = `${MEMORYDB_CREATE_SHAPE.shards}x${MEMORYDB_CREATE_SHAPE.replicas}`;

// ---- scenarios: id, display name, baseline id, target ----
const maxMs = (max: number): Target => ({ on: "median", max });
const SCENARIOS: { id: string; name: string; baseline?: string; target?: Target }[] = [
  { id: "redis-spawn", name: "redis-server spawn → first PONG" },
  { id: "create-ready", name: "create BASIC → READY", baseline: "redis-spawn", target: { on: "ratio", max: 10 } },
  { id: "create-ha-ready", name: `create STANDARD_HA (${HA.replicaCount} replicas) → READY`, baseline: "redis-spawn", target: maxMs(500) },
  { id: "node-startup", name: "node -e 0 → exit" },
  { id: "cli-startup", name: "CLI --help → exit", baseline: "node-startup", target: { on: "ratio", max: 2 } },
  { id: "cli-create", name: "CLI create --wait -o env → REDIS_URL", baseline: "create-ready", target: { on: "difference", max: 300 } },
  { id: "healthz", name: `GET /healthz (c=${concurrency})` },
  { id: "get-instance", name: `GET instance (c=${concurrency})`, baseline: "healthz", target: { on: "median", min: 3_000 } },
  { id: "edge-set-direct", name: "redis-benchmark SET, primary node direct" },
  { id: "edge-set", name: "redis-benchmark SET, instance endpoint", baseline: "edge-set-direct", target: { on: "ratio", min: 0.9 } },
  { id: "edge-get-direct", name: "redis-benchmark GET, primary node direct" },
  { id: "edge-get", name: "redis-benchmark GET, instance endpoint", baseline: "edge-get-direct", target: { on: "ratio", min: 0.9 } },
  { id: "sentinel-failover", name: "Sentinel: kill primary → first write" },
  { id: "ha-failover", name: "HA: kill primary → first write", baseline: "sentinel-failover", target: maxMs(1_500) },
  { id: "ha-failover-defaults", name: "HA: kill primary → first write (product worker)", baseline: "sentinel-failover", target: maxMs(1_500) },
  { id: "write-gap-floor", name: "writer's longest gap, no failover" },
  { id: "redis-failover", name: "bare Redis FAILOVER → target takes a write" },
  { id: "ha-switchover", name: "HA :failover → longest write gap", baseline: "redis-failover", target: maxMs(500) },
  { id: "bare-cluster-create", name: "redis-cli --cluster create 3x1 → cluster_state:ok" },
  { id: "cluster-create", name: "create cluster 3x1 → ACTIVE", baseline: "bare-cluster-create", target: { on: "ratio", max: 1 } },
  { id: "bare-cluster-add-shard", name: `redis-cli add-node + rebalance 3 → 4 (${RESHARD.keys.toLocaleString("en-US")} keys, load)` },
  {
    id: "cluster-add-shard",
    name: `cluster shardCount 3 → 4 → ACTIVE (${RESHARD.keys.toLocaleString("en-US")} keys, load)`,
    baseline: "bare-cluster-add-shard",
    target: { on: "ratio", max: 1.5 },
  },
  { id: "bare-cluster-failover-15000", name: "Redis Cluster, node-timeout 15000: kill primary → first write" },
  { id: "bare-cluster-failover-1000", name: "Redis Cluster, node-timeout 1000: kill primary → first write" },
  { id: "cluster-failover", name: "cluster: kill shard primary → first write", baseline: "bare-cluster-failover-1000", target: maxMs(1_000) },
  { id: "bare-rdb-fetch", name: `bare redis-server, RDB fetched with --rdb (${backupKeys})` },
  { id: "backup-instance", name: `BASIC :backup → done (${backupKeys})`, baseline: "bare-rdb-fetch", target: { on: "ratio", max: 1.5 } },
  { id: "bare-rdb-load", name: `redis-server loads the RDB → first PONG (${backupKeys})` },
  { id: "restore-instance", name: `BASIC :import backup → done (${backupKeys})`, baseline: "bare-rdb-load", target: { on: "ratio", max: 1.5 } },
  { id: "restore-instance-ready", name: `new BASIC + :import backup → READY (${backupKeys})`, baseline: "bare-rdb-load", target: { on: "ratio", max: 1.5 } },
  { id: "upgrade-instance-failover", name: "HA :failover → longest write gap (before :upgrade)" },
  { id: "upgrade-instance", name: "HA :upgrade 7.0 → 7.2 → longest write gap", baseline: "upgrade-instance-failover", target: { on: "ratio", max: 2 } },
  { id: "upgrade-instance-total", name: "HA :upgrade 7.0 → 7.2 → done" },
  { id: "tls-bare-set", name: "redis-benchmark SET -P 16, TLS redis-server by hand (same certificate)" },
  { id: "tls-endpoint-set", name: "redis-benchmark SET -P 16, TLS instance endpoint", baseline: "tls-bare-set", target: { on: "ratio", min: 0.95 } },
  { id: "tls-bare-get", name: "redis-benchmark GET -P 16, TLS redis-server by hand (same certificate)" },
  { id: "tls-endpoint-get", name: "redis-benchmark GET -P 16, TLS instance endpoint", baseline: "tls-bare-get", target: { on: "ratio", min: 0.95 } },
  { id: "tls-create-plain", name: "create BASIC → READY (beside TLS)" },
  { id: "tls-create-ready", name: "create BASIC with TLS → READY (TLS PING)", baseline: "tls-create-plain" },
  { id: "memorydb-native-list", name: `GET clusters list, native (${MEMORYDB.clusters} clusters, c=${concurrency})` },
  {
    id: "memorydb-describe-clusters",
    name: `DescribeClusters, MemoryDB SDK (${MEMORYDB.clusters} clusters, c=${concurrency})`,
    baseline: "memorydb-native-list",
    target: { on: "ratio", min: 0.8, max: 1.2 },
  },
  {
    id: "memorydb-describe-presigned",
    name: `DescribeClusters, pre-signed replayed (${MEMORYDB.clusters} clusters, c=${concurrency})`,
    baseline: "memorydb-native-list",
  },
  { id: "memorydb-native-create", name: `create cluster ${mdbShape} → ACTIVE, native API` },
  {
    id: "memorydb-create-cluster",
    name: `CreateCluster ${mdbShape} → available, MemoryDB SDK`,
    baseline: "memorydb-native-create",
    target: { on: "ratio", min: 0.8, max: 1.2 },
  },
  { id: "metrics-healthz", name: "GET /healthz, one request (beside /metrics)" },
  { id: "metrics-exposition", name: "GET /metrics, 200 BASIC instances' samples", baseline: "metrics-healthz", target: maxMs(100) },
  { id: "metrics-sampling-off", name: "worker CPU, 200 idle BASIC, sampling off (CPU ms per s)" },
  {
    id: "metrics-sampling",
    name: "worker CPU, 200 idle BASIC, INFO sampled every 10 s (CPU ms per s)",
    baseline: "metrics-sampling-off",
    target: { on: "difference", max: 50 },
  },
  { id: "docker-run", name: "docker run → first PONG" },
  { id: "docker:create-ready", name: "[docker] create BASIC → READY", baseline: "docker-run", target: { on: "ratio", max: 1.5 } },
  { id: "up:create-ready", name: "[up] create BASIC → READY", baseline: "redis-spawn", target: { on: "ratio", max: 10 } },
  { id: "up:healthz", name: `[up] GET /healthz (c=${concurrency})` },
  { id: "up:get-instance", name: `[up] GET instance (c=${concurrency})`, baseline: "up:healthz", target: { on: "median", min: 3_000 } },
];
const byId = (id: string) => SCENARIOS.find((s) => s.id === id)!;
const selected = new Set<string>();
const select = (id: string) => {
  selected.add(id);
  const base = byId(id).baseline;
  if (base) select(base);
};
for (const s of SCENARIOS) {
  if (only.length === 0 || only.some((o) => s.id.includes(o) || s.name.toLowerCase().includes(o))) select(s.id);
}
if (selected.size === 0) {
  console.error(`no scenario matches --only ${only.join(",")}; ids: ${SCENARIOS.map((s) => s.id).join(", ")}`);
  process.exit(2);
}
const want = (...ids: string[]) => ids.some((id) => selected.has(id));
/** What a scenario needs to know about its row: display name, baseline's name, target. */
const spec = (id: string): Spec => {
  const s = byId(id);
  return { name: s.name, baseline: s.baseline ? byId(s.baseline).name : undefined, target: s.target };
};
const specIf = (id: string) => (want(id) ? spec(id) : undefined);

// A crash in a background task (a timer in the in-process worker) must still clean up.
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.once(event, (error: unknown) => {
    console.error(`${event}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void cleanup().finally(() => process.exit(1));
  });
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---- main ----
async function main() {
  const results: Result[] = [];
  const failures: string[] = [];
  const group = async (label: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      const log = label.startsWith("cacheplane up") && upLog ? await readFile(upLog, "utf8").catch(() => "") : "";
      const tail = log ? `\n  last lines of up.log:\n${log.trim().split("\n").slice(-15).join("\n")}` : "";
      failures.push(`${label}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}${tail}`);
    }
  };
  const progress = (r: Result) => {
    results.push(r);
    console.error(`  ${r.name}: median ${r.stats.median.toFixed(r.unit === "ms" ? 2 : 0)} ${r.unit}`);
  };
  const latencies = async (...scenarios: Parameters<typeof interleavedLatency>[0]) => (await interleavedLatency(scenarios)).forEach(progress);

  console.error(`cacheplane bench${quick ? " (quick)" : ""}: ${[...selected].join(", ")}`);
  if (want("redis-spawn")) await group("redis-spawn", async () => latencies(await redisSpawn(spec("redis-spawn"), RUNS)));

  // The in-process control plane (process driver): creates, REST throughput, the edge, failovers.
  const edge = ["edge-set", "edge-get", "edge-set-direct", "edge-get-direct"];
  const planned = ["write-gap-floor", "redis-failover", "ha-switchover"];
  const unplanned = ["sentinel-failover", "ha-failover"];
  const clusterCreates = ["bare-cluster-create", "cluster-create"];
  const reshards = ["bare-cluster-add-shard", "cluster-add-shard"];
  const clusterKills = ["bare-cluster-failover-15000", "bare-cluster-failover-1000", "cluster-failover"];
  const backups = ["bare-rdb-fetch", "backup-instance", "bare-rdb-load", "restore-instance", "restore-instance-ready"];
  const tlsRows = ["tls-endpoint-set", "tls-endpoint-get", "tls-bare-set", "tls-bare-get", "tls-create-plain", "tls-create-ready"];
  const memorydbLists = ["memorydb-native-list", "memorydb-describe-clusters", "memorydb-describe-presigned"];
  const memorydbCreates = ["memorydb-native-create", "memorydb-create-cluster"];
  const needsPlane = want(
    "create-ready",
    "create-ha-ready",
    "cli-create",
    "healthz",
    "get-instance",
    "ha-failover",
    "ha-failover-defaults",
    "ha-switchover",
    "cluster-create",
    "cluster-add-shard",
    "cluster-failover",
    ...edge,
    ...backups,
    ...tlsRows,
    ...memorydbLists,
    ...memorydbCreates,
  );
  if (needsPlane || want(...planned, ...unplanned, "node-startup", "cli-startup", ...clusterCreates, ...reshards, ...clusterKills)) {
    await group("in-process control plane", () =>
      scoped(async () => {
        const plane: Plane | undefined = needsPlane ? await inProcessPlane("process") : undefined;
        if (want("create-ready")) await group("create-ready", () => latencies(createReady(plane!, spec("create-ready"), RUNS)));
        if (want("create-ha-ready")) await group("create-ha-ready", () => latencies(createReady(plane!, spec("create-ha-ready"), RUNS, HA)));
        if (want("node-startup", "cli-startup", "cli-create")) {
          // node -e 0 and --help interleaved, so both see the same noise.
          const startups = want("node-startup", "cli-startup") ? [nodeStartup(spec("node-startup"), CLI_RUNS), cliStartup(spec("cli-startup"), CLI_RUNS)] : [];
          await group("cli", async () => latencies(...startups, ...(want("cli-create") ? [await cliCreate(plane!, spec("cli-create"), CLI_RUNS)] : [])));
        }
        if (want("healthz", "get-instance")) {
          await group("GET throughput", async () =>
            (await getThroughput(plane!, specIf("healthz"), specIf("get-instance"), { concurrency, ...LOAD })).forEach(progress),
          );
        }
        if (want(...edge)) {
          const specs = {
            SET: { endpoint: spec("edge-set"), direct: spec("edge-set-direct") },
            GET: { endpoint: spec("edge-get"), direct: spec("edge-get-direct") },
          };
          await group("edge overhead", async () => (await edgeOverhead(plane!, specs, EDGE)).forEach(progress));
        }
        // Planned: the noise floor, bare Redis FAILOVER and :failover, runs interleaved.
        if (want(...planned)) {
          await group("planned failover", () =>
            scoped(async () => {
              const floorAndHa = want("write-gap-floor", "ha-switchover")
                ? await haSwitchover(plane!, specIf("write-gap-floor"), specIf("ha-switchover"), SWITCHOVERS)
                : [];
              const bare = want("redis-failover") ? [await bareFailover(spec("redis-failover"), SWITCHOVERS)] : [];
              // floor (its window is the previous :failover's), bare, :failover
              await latencies(
                ...floorAndHa.filter((s) => s.name !== specIf("ha-switchover")?.name),
                ...bare,
                ...floorAndHa.filter((s) => s.name === specIf("ha-switchover")?.name),
              );
            }),
          );
        }
        // Unplanned: Sentinel and cacheplane kills interleaved (one each, in turn).
        if (want(...unplanned)) {
          await group("unplanned failover", () =>
            scoped(async () => {
              const pair = [];
              if (want("sentinel-failover")) pair.push(await sentinelFailover(spec("sentinel-failover"), KILLS));
              if (want("ha-failover")) pair.push(await haFailover(plane!, spec("ha-failover"), KILLS));
              await latencies(...pair);
            }),
          );
        }
        // Clusters, each beside its redis-cli baseline, runs interleaved.
        if (want(...clusterCreates)) {
          await group("cluster create", () =>
            scoped(async () =>
              latencies(
                ...(want("bare-cluster-create") ? [await bareClusterCreate(spec("bare-cluster-create"), CLUSTER_CREATES)] : []),
                ...(want("cluster-create") ? [clusterCreate(plane!, spec("cluster-create"), CLUSTER_CREATES)] : []),
              ),
            ),
          );
        }
        if (want(...reshards)) {
          await group("cluster add-shard", () =>
            scoped(async () =>
              latencies(
                ...(want("bare-cluster-add-shard") ? [await bareAddShard(spec("bare-cluster-add-shard"), RESHARD)] : []),
                ...(want("cluster-add-shard") ? [clusterAddShard(plane!, spec("cluster-add-shard"), RESHARD)] : []),
              ),
            ),
          );
        }
        if (want(...clusterKills)) {
          await group("cluster failover", () =>
            scoped(async () => {
              const kills = [];
              if (want("cluster-failover")) kills.push(await clusterFailover(plane!, spec("cluster-failover"), CLUSTER_KILLS));
              if (want("bare-cluster-failover-1000")) kills.push(await bareClusterFailover(spec("bare-cluster-failover-1000"), CLUSTER_KILLS, 1_000));
              if (want("bare-cluster-failover-15000")) kills.push(await bareClusterFailover(spec("bare-cluster-failover-15000"), SLOW_CLUSTER_KILLS, 15_000));
              await latencies(...kills);
            }),
          );
        }
        // Backup beside redis-cli --rdb, then restores beside a bare load of the same RDB; one
        // source instance (and bare server) loaded once for both.
        if (want(...backups)) {
          await group("backup and restore", () =>
            scoped(async () => {
              const data = await backupData(plane!, BACKUP.keys);
              if (want("bare-rdb-fetch", "backup-instance")) {
                await group("backup", () =>
                  latencies(
                    ...(want("bare-rdb-fetch") ? [bareRdbFetch(spec("bare-rdb-fetch"), data, BACKUP.runs)] : []),
                    ...(want("backup-instance") ? [instanceBackup(plane!, spec("backup-instance"), data, BACKUP.runs)] : []),
                  ),
                );
              }
              if (want("bare-rdb-load", "restore-instance", "restore-instance-ready")) {
                await group("restore", () =>
                  latencies(
                    ...(want("bare-rdb-load") ? [bareRdbLoad(spec("bare-rdb-load"), data, BACKUP.runs)] : []),
                    ...(want("restore-instance") ? [instanceImport(plane!, spec("restore-instance"), data, BACKUP.runs)] : []),
                    ...(want("restore-instance-ready") ? [createImportReady(plane!, spec("restore-instance-ready"), data, BACKUP.runs)] : []),
                  ),
                );
              }
            }),
          );
        }
        // TLS: the endpoint beside a hand-started TLS server with the same certificate, then create
        // → READY with TLS beside without, runs interleaved.
        if (want(...tlsRows)) {
          await group("tls", () =>
            scoped(async () => {
              if (want(...tlsRows.slice(0, 4))) {
                const specs = {
                  SET: { endpoint: spec("tls-endpoint-set"), bare: spec("tls-bare-set") },
                  GET: { endpoint: spec("tls-endpoint-get"), bare: spec("tls-bare-get") },
                };
                (await tlsThroughput(plane!, specs, { ...EDGE, rounds: quick ? 1 : 5 })).forEach(progress);
              }
              if (want("tls-create-plain", "tls-create-ready")) {
                await latencies(tlsCreateReady(plane!, spec("tls-create-plain"), RUNS, false), tlsCreateReady(plane!, spec("tls-create-ready"), RUNS, true));
              }
            }),
          );
        }
        // The MemoryDB API: the same clusters listed three ways, rounds interleaved; then creates
        // through the SDK beside the native API, runs interleaved.
        if (want(...memorydbLists)) {
          await group("memorydb list", async () =>
            (
              await describeThroughput(
                plane!,
                { native: spec("memorydb-native-list"), sdk: specIf("memorydb-describe-clusters"), signed: specIf("memorydb-describe-presigned") },
                { clusters: MEMORYDB.clusters, concurrency, ...LOAD },
              )
            ).forEach(progress),
          );
        }
        if (want(...memorydbCreates)) {
          await group("memorydb create", () =>
            scoped(async () =>
              latencies(
                nativeCreate(plane!, spec("memorydb-native-create"), MEMORYDB.creates),
                ...(want("memorydb-create-cluster") ? [await memorydbCreate(plane!, spec("memorydb-create-cluster"), MEMORYDB.creates)] : []),
              ),
            ),
          );
        }
        // Last: it replaces the plane's worker with one on the product's default intervals.
        if (want("ha-failover-defaults")) {
          await group("unplanned failover, product worker", async () => {
            await useProductWorker(plane!.cp!);
            await scoped(async () => latencies(await haFailover(plane!, spec("ha-failover-defaults"), KILLS)));
          });
        }
      }),
    );
  }

  // Engine upgrades, each beside a :failover of the same instance; a plane of its own (with a
  // catalogue of two builds), started once the shared one is gone, so their node ports never meet.
  if (want("upgrade-instance-failover", "upgrade-instance", "upgrade-instance-total")) {
    await group("engine upgrade", () =>
      scoped(async () =>
        (
          await upgradeInstance({ failover: spec("upgrade-instance-failover"), gap: spec("upgrade-instance"), total: spec("upgrade-instance-total") }, UPGRADES)
        ).forEach(progress),
      ),
    );
  }

  // A scrape of 200 instances' samples beside /healthz, runs interleaved; a plane of its own
  // (no worker: the rows are seeded).
  if (want("metrics-healthz", "metrics-exposition")) {
    await group("metrics exposition", () =>
      scoped(async () => latencies(...(await metricsExposition(spec("metrics-healthz"), spec("metrics-exposition"), RUNS)))),
    );
  }

  // The sampler's CPU: two product worker processes side by side over 200 idle BASIC instances,
  // one sampling every 10 s and one with sampling off; a plane of its own. 50 ms/s = 5 % of a core.
  if (want("metrics-sampling-off", "metrics-sampling")) {
    const windows = quick ? { windows: 1, windowMs: 20_000 } : { windows: 3, windowMs: 60_000 };
    await group("metrics sampling", () =>
      scoped(async () => (await metricsSampling(spec("metrics-sampling-off"), spec("metrics-sampling"), windows)).forEach(progress)),
    );
  }

  // The docker driver, beside a plain `docker run`, runs interleaved; its own control plane.
  if (want("docker-run", "docker:create-ready")) {
    await group("docker", () =>
      scoped(async () => {
        await assertDocker();
        const pair = [];
        if (want("docker-run")) pair.push(dockerRun(spec("docker-run"), RUNS));
        if (want("docker:create-ready")) pair.push(createReady(await inProcessPlane("docker"), spec("docker:create-ready"), RUNS));
        await latencies(...pair);
      }),
    );
  }

  if (want("up:create-ready", "up:healthz", "up:get-instance")) {
    await group("cacheplane up (embedded)", () =>
      scoped(async () => {
        const plane = await embeddedPlane();
        if (want("up:create-ready")) await group("cacheplane up: create-ready", () => latencies(createReady(plane, spec("up:create-ready"), RUNS)));
        if (want("up:healthz", "up:get-instance")) {
          await group("cacheplane up: GET throughput", async () =>
            (await getThroughput(plane, specIf("up:healthz"), specIf("up:get-instance"), { concurrency, ...LOAD })).forEach(progress),
          );
        }
      }),
    );
  }

  report(results, failures);
  const lost = results.some((r) => (r.extra?.lostWrites as LostWrites | undefined)?.mustBeZero && (r.extra!.lostWrites as LostWrites).lost > 0);
  const checked = results.some((r) => ((r.extra?.checks as Check[] | undefined) ?? []).some((c) => c.mustBeZero && c.value > 0));
  return failures.length || lost || checked || results.some((r) => r.extra?.errors) ? 1 : 0;
}

interface LostWrites {
  lost: number;
  acked: number;
  examples: string[];
  mustBeZero: boolean;
}

function report(results: Result[], failures: string[]) {
  console.log(`\ncacheplane bench — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} cpus${quick ? " — QUICK (smoke only)" : ""}`);
  console.log(table(results));
  for (const t of timelines(results)) console.log(`\n${t}`);
  if (results.some((r) => r.name.startsWith("HA"))) {
    console.log(
      `\nThe in-process worker probes nodes every 200 ms and resyncs every 1000 ms (test/support/control-plane.ts); "(product worker)" rows use startWorker()'s defaults (as \`cacheplane up\` and the worker binary): probe 250 ms, resync 5000 ms.`,
    );
  }
  const notes: string[] = [];
  for (const r of results) {
    const lost = r.extra?.lostWrites as LostWrites | undefined;
    if (lost) {
      const verdict = lost.mustBeZero ? (lost.lost === 0 ? " (must be 0: ok)" : " (must be 0: FAILED)") : " (asynchronous replication: informational)";
      notes.push(
        `${r.name}: acknowledged writes lost ${lost.lost} of ${lost.acked.toLocaleString("en-US")}${verdict}${lost.examples.length ? ` e.g. ${lost.examples.join(", ")}` : ""}`,
      );
    }
    for (const d of (r.extra?.lossDetail as string[] | undefined) ?? []) notes.push(`${r.name}: ${d}`);
    if (typeof r.extra?.firstOutputMs === "number" && !Number.isNaN(r.extra.firstOutputMs))
      notes.push(`${r.name}: first output of the CLI after ${r.extra.firstOutputMs.toFixed(0)} ms (median; node start-up, imports, the POST)`);
    for (const c of (r.extra?.checks as Check[] | undefined) ?? []) {
      notes.push(
        `${c.label}: ${c.value.toLocaleString("en-US")}${c.mustBeZero ? (c.value === 0 ? " (must be 0: ok)" : " (must be 0: FAILED)") : ""}${c.detail ? ` — ${c.detail}` : ""}`,
      );
    }
    const load = r.extra?.load as
      | { ok: number; opsPerSecMedian: number; p99MsMedian: number; maxMs: number; idleOpsPerSecMedian: number; idleP99MsMedian: number }
      | undefined;
    if (load) {
      notes.push(
        `${r.name}: the load made ${load.ok.toLocaleString("en-US")} successful operations in the timed windows: ${load.opsPerSecMedian.toLocaleString("en-US")} ops/s, p99 ${load.p99MsMedian.toFixed(1)} ms, max ${load.maxMs.toFixed(0)} ms (medians of runs; the second before each: ${load.idleOpsPerSecMedian.toLocaleString("en-US")} ops/s, p99 ${load.idleP99MsMedian.toFixed(1)} ms)`,
      );
    }
    for (const n of (r.extra?.notes as string[] | undefined) ?? []) notes.push(`${r.name}: ${n}`);
    if (r.extra?.addresses)
      notes.push(`redis-benchmark -t get,set -P ${r.extra.pipeline} -c ${r.extra.clients} -n ${r.extra.requests}: endpoint vs direct = ${r.extra.addresses}`);
  }
  // A second baseline for the cluster kill: Redis's default node-timeout.
  const slow = results.find((r) => r.name === specIf("bare-cluster-failover-15000")?.name);
  const ours = results.find((r) => r.name === specIf("cluster-failover")?.name);
  if (slow && ours)
    notes.push(`${ours.name}: ${(ours.stats.median / slow.stats.median).toFixed(2)}x of ${slow.name} (median ${slow.stats.median.toFixed(0)} ms)`);
  if (notes.length) console.log(`\n${[...new Set(notes)].map((n) => `- ${n}`).join("\n")}`);
  const missed = results.filter((r) => targetOf(r, results)?.met === false).map((r) => `${r.name} (${targetOf(r, results)!.text})`);
  if (missed.length) console.log(`\ntargets missed: ${missed.join("; ")}`);
  for (const r of results) {
    const errors = r.extra?.errors as number | undefined;
    if (!errors) continue;
    if (r.kind === "throughput") console.log(`! ${r.name}: ${errors} failed requests ${JSON.stringify(r.extra?.statuses)}`);
    else
      console.log(
        `! ${r.name}: ${errors} failed runs (not in the samples): ${((r.extra?.errorMessages as string[] | undefined) ?? []).map((m) => m.slice(0, 160)).join(" // ")}`,
      );
  }
  for (const f of failures) console.log(`! FAILED ${f}`);
  console.log(
    JSON.stringify({
      bench: "cacheplane",
      time: new Date().toISOString(),
      quick,
      node: process.version,
      cpus: cpus().length,
      results: results.map((r) => ({
        name: r.name,
        kind: r.kind,
        unit: r.unit,
        runs: r.samples.length,
        ...r.stats,
        ratio: ratioOf(r, results),
        baseline: r.baseline,
        target: targetOf(r, results),
        samples: r.samples.map((s) => Math.round(s * 100) / 100),
        ...r.extra,
      })),
      failures,
    }),
  );
}

let code = 1;
try {
  code = await main();
} finally {
  await cleanup();
}
process.exit(code);
