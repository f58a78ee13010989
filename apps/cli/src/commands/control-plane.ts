// cacheplane up | down | status — run, stop and inspect the all-in-one control plane.
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createCacheplaneClient } from "@cacheplane/sdk";
import { GLOBAL_HELP, durationMs, noPositionals, outputFormat, parse } from "../args.js";
import { isAlive, logPath, readConfig, readPid } from "../config-file.js";
import { resolveConnection, type Io } from "../context.js";
import { CliFailure, EXIT, UsageError } from "../exit-codes.js";
import { json } from "../output.js";

const HELP = {
  up: `Usage: cacheplane up [--detach] [--timeout DUR]

Runs the control plane (api + worker) with embedded defaults: an embedded Postgres unless
DATABASE_URL is set, a private redis-server for the queue unless REDIS_URL is set. Writes
<data dir>/cli.json and <data dir>/cacheplane.pid so the other commands find it.

  --detach         start in the background (log: <data dir>/cacheplane.log), return once it answers
  --timeout DUR    how long --detach waits for it (default 120s)

Settings come from the environment: CACHEPLANE_DATA_DIR (default ~/.cacheplane), CACHEPLANE_PORT,
CACHEPLANE_HOST, CACHEPLANE_ADMIN_KEY, DATABASE_URL, REDIS_URL, CACHEPLANE_NODE_PORTS, … (see the README).`,
  down: `Usage: cacheplane down [--timeout DUR]

Stops the control plane started by \`cacheplane up\` in this data dir (SIGTERM to the pid in
<data dir>/cacheplane.pid) and waits for it to exit (default 30s), with what it started for
itself: the embedded Postgres and the queue's private redis-server (also one left by an \`up\`
that was killed). Data nodes keep running and are adopted again by the next \`cacheplane up\`;
delete instances first to stop them.`,
  status: `Usage: cacheplane status [-o table|json]

Says whether the control plane answers, and counts its instances (and clusters, if any) by state.

${GLOBAL_HELP}`,
};

// The command that is running now (bin/cacheplane.js, or the link on PATH to it): the CLI runs
// bundled, so a path relative to this module would name a chunk, not the command.
const binPath = () => process.argv[1]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function up(args: string[], io: Io): Promise<void> {
  const { values: v, positionals } = parse(args, { detach: { type: "boolean" }, timeout: { type: "string" } }, "up");
  if (v.help) return io.out(`${HELP.up}\n`);
  noPositionals(positionals, "up");
  const dataDir = io.env.dataDir;
  const running = await readPid(dataDir);
  if (running && running !== process.pid && isAlive(running)) {
    throw new CliFailure(`cacheplane is already running from ${dataDir} (pid ${running}); \`cacheplane down\` stops it`, EXIT.CONFLICT);
  }
  if (v.detach) return detach(io, durationMs(v.timeout, 120_000));

  const { loadSettings, start } = await loadControlPlane();
  let settings: ReturnType<typeof loadSettings>;
  try {
    settings = loadSettings(io.env.raw);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const plane = await start(settings, (line) => io.out(`${line}\n`));
  await new Promise<void>((resolve, reject) => {
    let stopping = false;
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        if (stopping) return;
        stopping = true;
        io.out("stopping (data nodes keep running; `cacheplane up` adopts them again)\n");
        plane.stop().then(resolve, reject);
      });
    }
  });
}

/** The control plane's own packages (api, worker, db, …): a checkout has them, the CLI installed
 *  on its own (a client of some control plane) does not, and says so instead of a stack. */
async function loadControlPlane() {
  try {
    const [{ loadSettings }, { up: start }] = await Promise.all([import("@cacheplane/config"), import("../up.js")]);
    return { loadSettings, start };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code !== "ERR_MODULE_NOT_FOUND" || !/'@cacheplane\/|'(ioredis|pino)'/.test(e.message)) throw error;
    throw new CliFailure(
      "`up` runs the control plane from a cacheplane checkout (bash scripts/quickstart.sh there); this installed command drives a running one: set CACHEPLANE_URL and CACHEPLANE_API_KEY, or pass --url and --api-key",
      EXIT.FAILED,
    );
  }
}

async function detach(io: Io, timeoutMs: number) {
  const dataDir = io.env.dataDir;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const log = logPath(dataDir);
  const fd = openSync(log, "a");
  const child = spawn(process.execPath, [binPath(), "up"], { detached: true, stdio: ["ignore", fd, fd], env: io.env.raw });
  closeSync(fd);
  child.unref();
  let exited: number | null | undefined;
  child.once("exit", (code) => (exited = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new CliFailure(`cacheplane up exited with code ${exited}; see ${log}`, EXIT.FAILED);
    const config = (await readPid(dataDir)) === child.pid ? await readConfig(dataDir) : undefined;
    if (config && (await createCacheplaneClient({ url: config.url, apiKey: "" }).health())) {
      io.out(`cacheplane is up at ${config.url} (pid ${child.pid}; log: ${log})\n`);
      if (config.apiKeyFile) io.out(`  admin API key: in ${config.apiKeyFile} (the CLI reads it from ${dataDir}/cli.json)\n`);
      return;
    }
    await sleep(100);
  }
  child.kill("SIGTERM");
  throw new CliFailure(`cacheplane up did not answer within ${timeoutMs / 1000}s; see ${log}`, EXIT.SERVER);
}

export async function down(args: string[], io: Io): Promise<void> {
  const { values: v, positionals } = parse(args, { timeout: { type: "string" } }, "down");
  if (v.help) return io.out(`${HELP.down}\n`);
  noPositionals(positionals, "down");
  const timeoutMs = durationMs(v.timeout, 30_000);
  const pid = await readPid(io.env.dataDir);
  // `up` stops its queue redis-server itself; one left by an `up` that was killed is stopped here.
  const { stopEmbeddedRedis } = await import("../embedded-redis.js");
  if (!pid || !isAlive(pid)) {
    const leftover = await stopEmbeddedRedis(io.env.dataDir);
    return io.out(`cacheplane is not running from ${io.env.dataDir}.${leftover ? " Stopped the queue's redis-server it left running." : ""}\n`);
  }
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new CliFailure(`cacheplane (pid ${pid}) did not stop within ${timeoutMs / 1000}s`, EXIT.SERVER);
    await sleep(50);
  }
  await stopEmbeddedRedis(io.env.dataDir);
  io.out(`cacheplane stopped (pid ${pid}).\n`);
}

export async function status(args: string[], io: Io): Promise<void> {
  const { values: v, positionals } = parse(args, {}, "status");
  if (v.help) return io.out(`${HELP.status}\n`);
  noPositionals(positionals, "status");
  const format = outputFormat(v.output, ["table", "json"]);
  const { url, apiKey } = await resolveConnection(v, io.env);
  const client = createCacheplaneClient({ url, apiKey: apiKey ?? "", project: v.project ?? io.env.project, location: v.location ?? io.env.location });
  const pid = await readPid(io.env.dataDir);
  const localPid = pid && isAlive(pid) ? pid : undefined;
  if (!(await client.health())) {
    if (format === "json") io.out(json({ up: false, url }));
    throw new CliFailure(`cacheplane is not running (no answer at ${url})`, EXIT.SERVER);
  }
  // Counted only with a key; clusters get their own line once there is one.
  const instances = apiKey ? countByState(client.instances.all()) : undefined;
  const clusters = apiKey ? countByState(client.clusters.all()) : undefined;
  const [i, c] = await Promise.all([instances, clusters]);
  if (format === "json") {
    return io.out(
      json({ up: true, url, pid: localPid, instances: i?.count, instancesByState: i?.byState ?? {}, clusters: c?.count, clustersByState: c?.byState ?? {} }),
    );
  }
  io.out(`cacheplane is up at ${url}${localPid ? ` (pid ${localPid})` : ""}\n`);
  if (!i || !c) return io.out("instances: unknown (no API key)\n");
  io.out(countLine("instances", i));
  if (c.count) io.out(countLine("clusters", c));
}

async function countByState(items: AsyncIterable<{ state?: string }>) {
  const byState: Record<string, number> = {};
  let count = 0;
  for await (const item of items) {
    count++;
    byState[item.state ?? "UNKNOWN"] = (byState[item.state ?? "UNKNOWN"] ?? 0) + 1;
  }
  return { count, byState };
}

const countLine = (what: string, { count, byState }: { count: number; byState: Record<string, number> }) =>
  `${what}: ${count}${
    count
      ? ` (${Object.entries(byState)
          .map(([s, n]) => `${n} ${s}`)
          .join(", ")})`
      : ""
  }\n`;
