// Every setting, its default, and one clear line when a value is wrong.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";

const portRange = z
  .string()
  .regex(/^\d{2,5}-\d{2,5}$/, "must look like 16379-16999")
  .transform((v) => {
    const [first, last] = v.split("-").map(Number) as [number, number];
    return { first, last };
  })
  .refine((r) => r.first <= r.last && r.last <= 65535, "must be an ascending range of ports");

const DURATION_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "0", or a whole number with a unit: "500ms", "10s", "15m", "2h", "7d" (milliseconds out). */
const duration = z
  .string()
  .regex(/^(0|[1-9]\d{0,8}(ms|s|m|h|d))$/, "must be 0 or a duration such as 500ms, 10s, 15m, 2h")
  .transform((v) => {
    const unit = v.match(/(ms|s|m|h|d)$/)?.[0] as keyof typeof DURATION_MS | undefined;
    return unit ? Number(v.slice(0, -unit.length)) * DURATION_MS[unit] : 0;
  });

/** Every interval the worker sends INFO to every node (0 turns sampling off). Below 100 ms a tick's
 *  INFO round would be most of what a node does; above an hour nothing would be drawn. */
const metricsInterval = duration.refine((ms) => ms === 0 || (ms >= 100 && ms <= 3_600_000), "must be 0 (off) or between 100ms and 1h");
/** How long samples are kept; an hour at least, so the console's default 1 h window is always full. */
const metricsRetention = duration.refine((ms) => ms >= 3_600_000 && ms <= 30 * 86_400_000, "must be between 1h and 30d");

const SettingsSchema = z.object({
  CACHEPLANE_DATA_DIR: z.string().min(1).default(join(homedir(), ".cacheplane")),
  CACHEPLANE_HOST: z.string().min(1).default("127.0.0.1"),
  CACHEPLANE_PORT: z.coerce.number().int().min(0).max(65535).default(7700),
  CACHEPLANE_ADMIN_KEY: z.string().min(16, "must be at least 16 characters").max(200).optional(),
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  CACHEPLANE_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/)
    .default("cacheplane"),
  CACHEPLANE_LOCATION: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/)
    .default("local1"),
  /** Zone names; default {location}-a, -b, -c. */
  CACHEPLANE_ZONES: z.string().optional(),
  CACHEPLANE_NODE_HOST: z.string().default("127.0.0.1"),
  CACHEPLANE_NODE_PORTS: portRange.default({ first: 16379, last: 16999 }),
  CACHEPLANE_REDIS_SERVER: z.string().optional(),
  PATH: z.string().optional(),
  /** How data nodes run; auto: process when redis-server is installed, else docker. */
  CACHEPLANE_RUNTIME: z.enum(["auto", "process", "docker"]).default("auto"),
  /** One image for every redisVersion (a local or mirrored image), for the docker runtime. */
  CACHEPLANE_REDIS_IMAGE: z.string().min(1).max(300).optional(),
  /** How the read endpoint balances; auto: kernel redirects when iptables is usable (root), else the user-space balancer. */
  CACHEPLANE_READ_ENDPOINT: z.enum(["auto", "kernel", "proxy"]).default("auto"),
  /** Engine versions offered to clients; the first is the default. */
  /** Engine versions offered; by default what the runtime can run. */
  CACHEPLANE_REDIS_VERSIONS: z
    .string()
    .regex(/^REDIS_[0-9_X]+(,REDIS_[0-9_X]+)*$/)
    .optional(),
  /** gs://bucket/path for imports and exports is {this}/bucket/path; default {data dir}/buckets. */
  CACHEPLANE_BUCKETS_DIR: z.string().min(1).optional(),
  /** 32 bytes (base64 or hex) that wrap the projects' backup keys; default: {data dir}/master.key (0600). */
  CACHEPLANE_MASTER_KEY: z.string().optional(),
  CACHEPLANE_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** The engine catalogue: inline JSON, or @/path/to/file.json. Unset: the app's default. */
  CACHEPLANE_ENGINES: z.string().max(1_000_000).optional(),
  /** A bearer token GET /metrics accepts besides API keys (Prometheus's `authorization: credentials`). */
  CACHEPLANE_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").max(200).regex(/^\S+$/, "must not contain spaces").optional(),
  /** A worker process of its own serves its /metrics (reconcile durations, process) on 127.0.0.1 at this port. */
  CACHEPLANE_WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** How often the worker samples every node's INFO for the metrics history; 0 turns it off. */
  CACHEPLANE_METRICS_INTERVAL: metricsInterval.default(10_000),
  /** How long the metrics history is kept (at least 1h). */
  CACHEPLANE_METRICS_RETENTION: metricsRetention.default(2 * 3_600_000),
});

/** One engine build. The same shape as @cacheplane/core's EngineEntry (config may not import core). */
export interface EngineEntry {
  redisVersion: string;
  maintenanceVersion: string;
  binary?: string | undefined;
  image?: string | undefined;
}

const EngineEntrySchema = z.strictObject({
  redisVersion: z
    .string()
    .max(40)
    .regex(/^(REDIS|VALKEY)_\d+_(\d+|X)$/, "must look like REDIS_7_2, REDIS_6_X or VALKEY_8_0"),
  maintenanceVersion: z.string().regex(/^\d{8}_\d{2}_\d{2}$/, "must look like 20261115_00_00"),
  binary: z.string().max(1000).refine(isAbsolute, "must be an absolute path").optional(),
  image: z
    .string()
    .max(300)
    .regex(/^[^\s]+$/, "must be an image reference such as redis:7.2")
    .optional(),
});

const EngineListSchema = z
  .array(EngineEntrySchema, { error: "must be a JSON list of {redisVersion, maintenanceVersion, binary?, image?}" })
  .min(1, "must list at least one engine")
  .max(500)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((e, i) => {
      const key = `${e.redisVersion}@${e.maintenanceVersion}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: [i], message: `lists ${key} twice` });
      seen.add(key);
    });
  });

function engineError(problem: string, at = ""): never {
  throw new SettingsError(`CACHEPLANE_ENGINES${at}: ${problem.replace(/\s*\n\s*/g, " ")}`);
}

/** Inline JSON or @file; every problem is one SettingsError line naming the setting. */
function parseEngines(raw: string): EngineEntry[] {
  let text = raw;
  let source = "";
  if (raw.startsWith("@")) {
    const path = resolve(raw.slice(1).trim() || engineError("name a file after @, as @/path/to/engines.json"));
    source = ` (in ${path})`;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      engineError(code === "ENOENT" ? `no such file ${path}` : `cannot read ${path}: ${code ?? String(err)}`);
    }
  }
  if (!text.trim()) engineError(`is empty${source}; unset it for the default engines`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    engineError(`not valid JSON${source}: ${(err as Error).message}`);
  }
  const parsed = EngineListSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    engineError(`${issue.message}${source}`, at);
  }
  return parsed.data;
}

/** What real users pull; the offline image script makes a local stand-in. */
export const DEFAULT_REDIS_IMAGES: Record<string, string> = {
  REDIS_6_X: "redis:6.2",
  REDIS_7_0: "redis:7.0",
  REDIS_7_2: "redis:7.2",
};

export interface Settings {
  dataDir: string;
  host: string;
  port: number;
  adminKey?: string | undefined;
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  queuePrefix: string;
  location: string;
  zones: string[];
  nodeHost: string;
  nodePorts: { first: number; last: number };
  redisServerPath?: string | undefined;
  /** PATH, where redis-server is looked for. */
  searchPath?: string | undefined;
  redisVersions?: string[] | undefined;
  runtime: "auto" | "process" | "docker";
  /** CACHEPLANE_READ_ENDPOINT: kernel redirects, the user-space balancer, or auto (probed at worker start). */
  readEndpoint: ReadEndpointMode;
  redisImageOverride?: string | undefined;
  /** Image per redisVersion for the docker runtime. */
  redisImages: Record<string, string>;
  logLevel: string;
  bucketsDir: string;
  /** Secret: never logged. */
  masterKey?: string | undefined;
  /** CACHEPLANE_ENGINES; undefined when unset (the app builds its default catalogue). */
  engines?: EngineEntry[] | undefined;
  /** Secret: never logged. CACHEPLANE_METRICS_TOKEN, accepted by GET /metrics as a bearer token. */
  metricsToken?: string | undefined;
  /** CACHEPLANE_WORKER_METRICS_PORT: where a separate worker serves /metrics on loopback (unset: it does not). */
  workerMetricsPort?: number | undefined;
  /** CACHEPLANE_METRICS_INTERVAL and _RETENTION, in milliseconds (interval 0: sampling off). */
  metrics: MetricsSettings;
}

export interface MetricsSettings {
  intervalMs: number;
  retentionMs: number;
}

export class SettingsError extends Error {}

export type ReadEndpointMode = "auto" | "kernel" | "proxy";

/** CACHEPLANE_READ_ENDPOINT alone, for a worker started from code (the all-in-one, tests) whose
 *  caller passes no settings for the edge: the same schema, the same one-line error. */
export function loadReadEndpointMode(env: Record<string, string | undefined> = process.env): ReadEndpointMode {
  const parsed = SettingsSchema.shape.CACHEPLANE_READ_ENDPOINT.safeParse(env.CACHEPLANE_READ_ENDPOINT);
  if (!parsed.success) throw new SettingsError(`CACHEPLANE_READ_ENDPOINT: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** The two metrics settings alone, for a worker or an api built from code (the all-in-one, tests)
 *  whose caller passes none: the same schema, the same one-line error. */
export function loadMetricsSettings(env: Record<string, string | undefined> = process.env): MetricsSettings {
  const interval = SettingsSchema.shape.CACHEPLANE_METRICS_INTERVAL.safeParse(env.CACHEPLANE_METRICS_INTERVAL);
  if (!interval.success) throw new SettingsError(`CACHEPLANE_METRICS_INTERVAL: ${interval.error.issues[0]!.message}`);
  const retention = SettingsSchema.shape.CACHEPLANE_METRICS_RETENTION.safeParse(env.CACHEPLANE_METRICS_RETENTION);
  if (!retention.success) throw new SettingsError(`CACHEPLANE_METRICS_RETENTION: ${retention.error.issues[0]!.message}`);
  return { intervalMs: interval.data, retentionMs: retention.data };
}

export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const parsed = SettingsSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SettingsError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const s = parsed.data;
  const zones = s.CACHEPLANE_ZONES
    ? s.CACHEPLANE_ZONES.split(",")
        .map((z) => z.trim())
        .filter(Boolean)
    : ["a", "b", "c"].map((suffix) => `${s.CACHEPLANE_LOCATION}-${suffix}`);
  return {
    dataDir: resolve(s.CACHEPLANE_DATA_DIR),
    host: s.CACHEPLANE_HOST,
    port: s.CACHEPLANE_PORT,
    adminKey: s.CACHEPLANE_ADMIN_KEY,
    databaseUrl: s.DATABASE_URL,
    redisUrl: s.REDIS_URL,
    queuePrefix: s.CACHEPLANE_QUEUE_PREFIX,
    location: s.CACHEPLANE_LOCATION,
    zones,
    nodeHost: s.CACHEPLANE_NODE_HOST,
    nodePorts: s.CACHEPLANE_NODE_PORTS,
    redisServerPath: s.CACHEPLANE_REDIS_SERVER,
    searchPath: s.PATH,
    redisVersions: s.CACHEPLANE_REDIS_VERSIONS?.split(","),
    runtime: s.CACHEPLANE_RUNTIME,
    readEndpoint: s.CACHEPLANE_READ_ENDPOINT,
    redisImageOverride: s.CACHEPLANE_REDIS_IMAGE,
    redisImages: DEFAULT_REDIS_IMAGES,
    logLevel: s.CACHEPLANE_LOG_LEVEL,
    bucketsDir: resolve(s.CACHEPLANE_BUCKETS_DIR ?? join(s.CACHEPLANE_DATA_DIR, "buckets")),
    masterKey: s.CACHEPLANE_MASTER_KEY,
    engines: s.CACHEPLANE_ENGINES === undefined ? undefined : parseEngines(s.CACHEPLANE_ENGINES),
    metricsToken: s.CACHEPLANE_METRICS_TOKEN,
    workerMetricsPort: s.CACHEPLANE_WORKER_METRICS_PORT,
    metrics: { intervalMs: s.CACHEPLANE_METRICS_INTERVAL, retentionMs: s.CACHEPLANE_METRICS_RETENTION },
  };
}
