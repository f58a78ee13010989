// Pure helpers for a node's Redis configuration: sizing, the generated redis.conf, and the
// value comparison that lets observe() and configure() agree with what start() wrote.
// No I/O here, so every rule is unit-tested without a redis-server.

import { REDIS_CONFIG_DEFAULTS } from "@cacheplane/core";
import net from "node:net";
import path from "node:path";
import type { NodeTls } from "./node-runtime.js";
import { TLS_DIRECTIVES, tlsDirectives } from "./tls/node-tls.js";

/** Files the process driver keeps inside a node's data dir (the dir is also Redis's `dir`). */
export const nodeFiles = (dataDir: string) => ({
  conf: path.join(dataDir, "redis.conf"),
  pid: path.join(dataDir, "redis.pid"),
  log: path.join(dataDir, "redis.log"),
  /** Cluster mode: the node's cluster state, seeded with its identity before the first start. */
  nodesConf: path.join(dataDir, "nodes.conf"),
  /** The node's ACL users (aclfile): written by start() (acl/acl-file.ts), then by ACL SAVE. */
  acl: path.join(dataDir, "users.acl"),
});

/** Directives the driver writes itself; a spec may not set them (it would fight the driver). */
export const DRIVER_OWNED_DIRECTIVES: ReadonlySet<string> = new Set([
  "bind",
  "port",
  "dir",
  "pidfile",
  "logfile",
  "daemonize",
  "set-proc-title", // must stay "no": adoption reads the config path from /proc/<pid>/cmdline
  "include",
  "supervised",
  "replicaof", // NodeSpec.replicaOf
  "slaveof", // its old name
  // Cluster mode is the control plane's: it decides failovers and replica placement.
  "cluster-enabled",
  "cluster-config-file",
  "cluster-announce-ip",
  "cluster-port",
  "cluster-node-timeout",
  "cluster-replica-no-failover",
  "cluster-slave-no-failover",
  "cluster-allow-replica-migration",
  "cluster-require-full-coverage",
  // TLS is NodeSpec.tls: its files and listeners are the driver's.
  ...TLS_DIRECTIVES,
  // Users are NodeSpec.acl and applyAcl(): the aclfile is the driver's, and Redis refuses
  // `user` lines in redis.conf beside an aclfile.
  "aclfile",
  "user",
]);

/**
 * Cluster-mode directives. The control plane fails shards over itself, faster than Redis would
 * (cluster-node-timeout), so replicas never start an election of their own, and it places
 * replicas itself, so Redis never migrates one to another shard. A shard that is down does not
 * stop the others serving (full coverage off), as Memorystore's clusters behave.
 * cluster-node-timeout sets how often nodes ping each other (every timeout / 2 at least) and
 * so how fast a new slot owner reaches every node: 5000 made a new cluster wait ~3 s for its
 * replicas to see the owners; 2000 brings that under a second.
 */
export const clusterDirectives = (host: string) => [
  "cluster-enabled yes",
  "cluster-config-file nodes.conf",
  `cluster-announce-ip ${host}`,
  "cluster-node-timeout 2000",
  "cluster-replica-no-failover yes",
  "cluster-allow-replica-migration no",
  "cluster-require-full-coverage no",
];

/** Defaults the driver writes unless spec.config names the directive. */
export const DRIVER_DEFAULTS: Readonly<Record<string, string>> = {
  "protected-mode": "no",
  save: "", // no RDB snapshots unless persistence is asked for
  appendonly: "no",
};

/**
 * Value a directive returns to when it disappears from spec.config, so configure() can undo it
 * on the live node (a restart would get it from the regenerated file anyway). Directives not
 * listed here keep their live value until the next restart.
 */
export const RESET_VALUES: Readonly<Record<string, string>> = {
  ...DRIVER_DEFAULTS,
  requirepass: "",
  masterauth: "",
  masteruser: "",
  // Redis's own default: AOF turned off leaves no "always" behind to surprise its next start.
  appendfsync: "everysec",
  maxmemory: "0",
  ...REDIS_CONFIG_DEFAULTS,
};

/** Whether a node running with these directives keeps its data across a restart. */
export const persistsData = (config: Record<string, string>) =>
  (config.appendonly ?? DRIVER_DEFAULTS.appendonly) === "yes" || (config.save ?? DRIVER_DEFAULTS.save) !== "";

/** Where Redis keeps a node's data in its dir (the defaults of dbfilename, appenddirname and
 *  appendfilename: the spec cannot change them). `legacyAof` is the single file of Redis < 7,
 *  which Redis 7 still loads (and upgrades) when there is no manifest. */
export const persistenceFiles = (dataDir: string) => ({
  rdb: path.join(dataDir, "dump.rdb"),
  aofDir: path.join(dataDir, "appendonlydir"),
  aofManifest: path.join(dataDir, "appendonlydir", "appendonly.aof.manifest"),
  legacyAof: path.join(dataDir, "appendonly.aof"),
});

/**
 * What a node's data files mean for its next start, from the directives it must run with, its
 * role and the files its dir holds (no I/O here; the drivers look and act):
 * - a primary with persistence off that ran before: its RDB and AOF are stale (its last full sync
 *   from when it was a replica, a snapshot from when persistence was on, a manual BGSAVE) and are
 *   removed, so it starts empty as a cloud's replaced node does, never with keys deleted since
 *   coming back. A replica keeps them: it serves what it had while its primary is down, and
 *   resyncs anyway. A first start keeps them too: they were put there for it (a restore);
 * - AOF on but no AOF written yet (AOF was turned on while the node was down) and an RDB there:
 *   Redis would start empty (with appendonly yes it ignores dump.rdb), so the node starts from
 *   its RDB with appendonly no, and configure() turns AOF on live, which writes the AOF from the
 *   loaded data.
 * `keepData` (StartOptions.keepData) overrides the first rule: the caller has just had the node
 * SHUTDOWN SAVE its dataset (an engine upgrade of a node with no replica), so its RDB is current.
 */
export function planDataFiles(
  config: Record<string, string>,
  node: { primary: boolean; ranBefore: boolean; rdb: boolean; aof: boolean },
  start: { keepData?: boolean } = {},
): { remove: ("rdb" | "aof")[]; startConfig: Record<string, string> } {
  if (!persistsData(config)) {
    const stale = node.primary && node.ranBefore && start.keepData !== true;
    return { remove: stale ? [...(node.rdb ? ["rdb" as const] : []), ...(node.aof ? ["aof" as const] : [])] : [], startConfig: config };
  }
  if (config.appendonly === "yes" && !node.aof && node.rdb) return { remove: [], startConfig: { ...config, appendonly: "no" } };
  return { remove: [], startConfig: config };
}

/** Directives whose values are secrets: compared exactly, never logged. */
export const SECRET_DIRECTIVES: ReadonlySet<string> = new Set(["requirepass", "masterauth", "masteruser"]);

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DIRECTIVE = /^[a-z][a-z0-9-]{0,63}$/;

export class InvalidNodeSpecError extends Error {
  override name = "InvalidNodeSpecError";
}

/** NodeEngine.binary: an absolute path (the process driver spawns it with the data dir as cwd,
 *  so a relative one would name another file per node). */
export function assertEngineBinary(id: string, binary: string): void {
  if (typeof binary !== "string" || !path.isAbsolute(binary) || /[\0\n]/.test(binary)) {
    throw new InvalidNodeSpecError(`invalid engine binary ${JSON.stringify(binary)} for node ${id}: must be an absolute path`);
  }
}

// A Docker reference as far as it matters here: no whitespace, no empty name (the engine checks the rest).
const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/;

/** NodeEngine.image: an image reference ("redis:7.2", "registry:5000/team/redis@sha256:…"). */
export function assertEngineImage(id: string, image: string): void {
  if (typeof image !== "string" || !IMAGE_REF.test(image)) {
    throw new InvalidNodeSpecError(`invalid engine image ${JSON.stringify(image)} for node ${id}`);
  }
}

/** Node ids name directories and files, so they must be plain path segments. */
export const isNodeId = (id: string) => NODE_ID.test(id);

export function assertNodeId(id: string): void {
  if (!isNodeId(id)) throw new InvalidNodeSpecError(`invalid node id ${JSON.stringify(id)}: use letters, digits, '.', '_', '-'`);
}

export function assertDirectiveName(name: string): void {
  if (!DIRECTIVE.test(name)) throw new InvalidNodeSpecError(`invalid redis config directive ${JSON.stringify(name)}`);
  if (DRIVER_OWNED_DIRECTIVES.has(name)) {
    throw new InvalidNodeSpecError(`redis config directive "${name}" is managed by the driver and cannot be set in spec.config`);
  }
}

// Characters that never need quoting in redis.conf; anything else goes in double quotes.
const BARE = /^[A-Za-z0-9._:/@+,=%-]+$/;

/**
 * Quotes a value for redis.conf so it is read back as exactly one argument. Redis splits the file
 * into lines first, then each line with sdssplitargs; inside double quotes `\\`, `\"` and `\xHH`
 * are escapes. Every control character (newline included) is written as `\xHH`, so a user value
 * can never end the line and inject a second directive.
 */
export function quoteConfValue(value: string): string {
  if (BARE.test(value)) return value;
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\" || ch === '"') out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Splits one redis.conf line into arguments the way Redis does (sdssplitargs), so the driver can
 * read back a file it wrote. Returns undefined for unbalanced quotes, as Redis would reject them.
 */
export function splitConfArgs(line: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\v" || c === "\f";
  while (true) {
    while (i < line.length && isSpace(line[i])) i++;
    if (i >= line.length) return args;
    let cur = "";
    let inDq = false;
    let inSq = false;
    let done = false;
    while (!done) {
      const c = line[i];
      if (inDq) {
        if (c === undefined) return undefined;
        if (c === "\\" && line[i + 1] === "x" && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === "\\" && line[i + 1] !== undefined) {
          const n = line[++i]!;
          cur += ({ n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" } as Record<string, string>)[n] ?? n;
        } else if (c === '"') {
          if (line[i + 1] !== undefined && !isSpace(line[i + 1])) return undefined;
          done = true;
        } else cur += c;
      } else if (inSq) {
        if (c === undefined) return undefined;
        if (c === "\\" && line[i + 1] === "'") {
          cur += "'";
          i++;
        } else if (c === "'") {
          if (line[i + 1] !== undefined && !isSpace(line[i + 1])) return undefined;
          done = true;
        } else cur += c;
      } else if (c === undefined || isSpace(c)) {
        done = true;
      } else if (c === '"') inDq = true;
      else if (c === "'") inSq = true;
      else cur += c;
      if (c !== undefined) i++;
    }
    args.push(cur);
  }
}

export interface ConfSpec {
  id: string;
  host: string;
  port: number;
  dataDir: string;
  config: Record<string, string>;
  /** Extra addresses to listen on (same port), bound after host. */
  endpointHosts?: readonly string[];
  /** The primary to replicate from; absent: a primary. */
  replicaOf?: { host: string; port: number };
  /** Cluster mode (see NodeSpec.cluster). */
  cluster?: { myId: string; primaryId?: string };
  /** TLS only on `port` (see NodeSpec.tls); the files are under dataDir/tls. */
  tls?: NodeTls;
}

const HOST = /^[A-Za-z0-9.:-]+$/;
const validPort = (port: number) => Number.isInteger(port) && port >= 1 && port <= 65535;

/** The addresses a node's redis.conf binds: a cluster node binds only its own (its endpoint
 *  addresses are added live), so the cluster bus never holds an address that moves. */
export const confBindAddresses = (spec: Pick<ConfSpec, "host" | "endpointHosts" | "cluster">) => (spec.cluster ? [spec.host] : bindAddresses(spec));

/** The addresses a node listens on: spec.host, then its endpoint addresses (duplicates dropped). */
export function bindAddresses(spec: Pick<ConfSpec, "host" | "endpointHosts">): string[] {
  return [...new Set([spec.host, ...(spec.endpointHosts ?? [])])];
}

/** Throws InvalidNodeSpecError unless endpointHosts are IP addresses and replicaOf is host:port. */
export function assertTopology(spec: Pick<ConfSpec, "id" | "endpointHosts" | "replicaOf">): void {
  for (const address of spec.endpointHosts ?? []) {
    if (typeof address !== "string" || net.isIP(address) === 0) {
      throw new InvalidNodeSpecError(`invalid endpoint address ${JSON.stringify(address)} for node ${spec.id}: must be an IP address`);
    }
  }
  const primary = spec.replicaOf;
  if (primary !== undefined) {
    if (typeof primary.host !== "string" || !HOST.test(primary.host) || !validPort(primary.port)) {
      throw new InvalidNodeSpecError(`invalid replicaOf ${JSON.stringify(primary)} for node ${spec.id}`);
    }
  }
}

const SPEC_SECTION = "# --- spec.config ---";

/**
 * The whole redis.conf for a node, regenerated from the spec on every start and configure
 * (CONFIG REWRITE is not used: the spec, not the live node, is the source of truth).
 * Throws InvalidNodeSpecError for a bad id, port, host or directive name.
 */
export function renderRedisConf(spec: ConfSpec): string {
  assertNodeId(spec.id);
  if (!validPort(spec.port)) {
    throw new InvalidNodeSpecError(`invalid port ${spec.port} for node ${spec.id}`);
  }
  if (!HOST.test(spec.host)) throw new InvalidNodeSpecError(`invalid host ${JSON.stringify(spec.host)} for node ${spec.id}`);
  assertTopology(spec);
  for (const name of Object.keys(spec.config)) assertDirectiveName(name);

  const files = nodeFiles(spec.dataDir);
  const lines = [
    `# Generated by cacheplane for node ${spec.id}; rewritten from the spec on every start and configure.`,
    `bind ${confBindAddresses(spec).join(" ")}`,
    // A TLS node has no plaintext listener: its port speaks TLS only.
    ...(spec.tls ? ["port 0", `tls-port ${spec.port}`] : [`port ${spec.port}`]),
    `dir ${quoteConfValue(spec.dataDir)}`,
    `pidfile ${quoteConfValue(files.pid)}`,
    `logfile ${quoteConfValue(files.log)}`,
    // Always there (it cannot be added to a running node), so ACL SAVE can persist users.
    `aclfile ${quoteConfValue(files.acl)}`,
    "daemonize no",
    "set-proc-title no",
  ];
  // A replica's primary is part of the file so that a restart never brings it back as a primary.
  // In cluster mode nodes.conf says it instead (Redis refuses replicaof there).
  if (spec.cluster) lines.push(...clusterDirectives(spec.host));
  else if (spec.replicaOf) lines.push(`replicaof ${spec.replicaOf.host} ${spec.replicaOf.port}`);
  if (spec.tls) for (const [name, value] of Object.entries(tlsDirectives(spec.tls, spec.dataDir))) lines.push(`${name} ${quoteConfValue(value)}`);
  for (const [name, value] of Object.entries(DRIVER_DEFAULTS)) {
    if (!(name in spec.config)) lines.push(`${name} ${quoteConfValue(value)}`);
  }
  lines.push(SPEC_SECTION);
  for (const [name, value] of Object.entries(spec.config)) lines.push(`${name} ${quoteConfValue(value)}`);
  return `${lines.join("\n")}\n`;
}

/** Reads back the spec.config section of a file renderRedisConf wrote (undefined if not ours). */
export function parseSpecConfig(confText: string): Record<string, string> | undefined {
  const lines = confText.split("\n");
  const start = lines.indexOf(SPEC_SECTION);
  if (start < 0) return undefined;
  const config: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    const args = splitConfArgs(line);
    if (!args || args.length === 0 || args[0]!.startsWith("#")) continue;
    config[args[0]!] = args.slice(1).join(" ");
  }
  return config;
}

const MEMORY = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i;
const MEMORY_UNITS: Record<string, bigint> = {
  "": 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n ** 2n,
  mb: 1024n ** 2n,
  g: 1000n ** 3n,
  gb: 1024n ** 3n,
};

/** Bytes of a Redis memory value ("100mb", "1gb", "1073741824"), as Redis's memtoull reads it. */
export function parseMemory(value: string): bigint | undefined {
  const m = MEMORY.exec(value.trim());
  return m ? BigInt(m[1]!) * MEMORY_UNITS[(m[2] ?? "").toLowerCase()]! : undefined;
}

// notify-keyspace-events: Redis answers CONFIG GET in its own canonical order ("Ex" -> "xE", "KEA"
// -> "AKE"), so compare the set of classes, with "A" standing for "g$lshzxetd" as in Redis 7.0.
const eventClasses = (v: string) => new Set([...v.replace(/A/g, "g$lshzxetd")]);

const tokenEqual = (a: string, b: string) => {
  if (a === b) return true;
  const ma = parseMemory(a);
  const mb = parseMemory(b);
  if (ma !== undefined && mb !== undefined) return ma === mb;
  return /^[a-z-]+$/i.test(a) && a.toLowerCase() === b.toLowerCase(); // yes/NO, ALLKEYS-LRU
};

/**
 * Whether a live value (CONFIG GET) means the same as a desired one: memory units are compared
 * in bytes, words case-insensitively, lists token by token (save "3600 1 300 100"); secrets are
 * compared exactly.
 */
export function configValuesEqual(name: string, live: string, desired: string): boolean {
  if (live === desired) return true;
  if (SECRET_DIRECTIVES.has(name)) return false;
  if (name === "notify-keyspace-events") {
    const a = eventClasses(live);
    const b = eventClasses(desired);
    return a.size === b.size && [...a].every((c) => b.has(c));
  }
  const ta = live.trim().split(/\s+/);
  const tb = desired.trim().split(/\s+/);
  return ta.length === tb.length && ta.every((t, i) => tokenEqual(t, tb[i]!));
}

/** A node's files, checked to be <nodesRoot>/<id>: drivers delete that dir on destroy and
 *  find orphans by those names, so they accept no other place. */
export function locateNode(nodesRoot: string, spec: { id: string; dataDir: string }) {
  assertNodeId(spec.id);
  const dataDir = path.resolve(spec.dataDir);
  if (dataDir !== path.join(nodesRoot, spec.id)) {
    throw new InvalidNodeSpecError(`node ${spec.id}: dataDir must be ${path.join(nodesRoot, spec.id)}, got ${spec.dataDir}`);
  }
  return { dataDir, ...nodeFiles(dataDir) };
}
