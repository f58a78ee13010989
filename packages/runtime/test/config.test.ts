import { describe, expect, it } from "vitest";
import {
  assertEngineBinary,
  assertEngineImage,
  configValuesEqual,
  parseMemory,
  parseSpecConfig,
  persistsData,
  planDataFiles,
  quoteConfValue,
  renderRedisConf,
  RESET_VALUES,
  splitConfArgs,
} from "../src/config.js";

const spec = (config: Record<string, string> = {}) => ({
  id: "abc123-0",
  host: "127.0.0.1",
  port: 7001,
  dataDir: "/var/lib/cacheplane/nodes/abc123-0",
  config,
});

describe("renderRedisConf", () => {
  it("writes the driver's directives, defaults, then spec.config", () => {
    const text = renderRedisConf(spec({ maxmemory: "1073741824", "maxmemory-policy": "allkeys-lru" }));
    const lines = text.trim().split("\n");
    expect(lines).toContain("bind 127.0.0.1");
    expect(lines).toContain("port 7001");
    expect(lines).toContain("dir /var/lib/cacheplane/nodes/abc123-0");
    expect(lines).toContain("pidfile /var/lib/cacheplane/nodes/abc123-0/redis.pid");
    expect(lines).toContain("logfile /var/lib/cacheplane/nodes/abc123-0/redis.log");
    expect(lines).toContain("daemonize no");
    expect(lines).toContain("protected-mode no");
    expect(lines).toContain('save ""');
    expect(lines).toContain("appendonly no");
    expect(lines.slice(-2)).toEqual(["maxmemory 1073741824", "maxmemory-policy allkeys-lru"]);
  });

  it("lets spec.config override the persistence defaults instead of repeating them", () => {
    const text = renderRedisConf(spec({ save: "3600 1", appendonly: "yes" }));
    expect(text.match(/^save /gm)).toHaveLength(1);
    expect(text).toContain('save "3600 1"');
    expect(text.match(/^appendonly /gm)).toHaveLength(1);
    expect(text).toContain("appendonly yes");
  });

  it("cannot be made to emit a second directive through a value", () => {
    const evil = 'x"\nport 1\r\nrequirepass "';
    const text = renderRedisConf(spec({ requirepass: evil }));
    const lines = text.trim().split("\n");
    expect(lines.filter((l) => l.startsWith("port "))).toEqual(["port 7001"]);
    const line = lines.find((l) => l.startsWith("requirepass "))!;
    expect(splitConfArgs(line)).toEqual(["requirepass", evil]);
    expect(parseSpecConfig(text)).toEqual({ requirepass: evil });
  });

  it("rejects driver-owned, malformed directive names and bad ids", () => {
    expect(() => renderRedisConf(spec({ port: "1" }))).toThrow(/managed by the driver/);
    expect(() => renderRedisConf(spec({ include: "/etc/passwd" }))).toThrow(/managed by the driver/);
    expect(() => renderRedisConf(spec({ "maxmemory\nport": "1" }))).toThrow(/invalid redis config directive/);
    expect(() => renderRedisConf({ ...spec(), id: "../etc" })).toThrow(/invalid node id/);
    expect(() => renderRedisConf({ ...spec(), port: 0 })).toThrow(/invalid port/);
    expect(() => renderRedisConf({ ...spec(), host: "127.0.0.1 0.0.0.0" })).toThrow(/invalid host/);
  });

  it("round-trips every value through parseSpecConfig", () => {
    const config = {
      requirepass: `p w"d\\ 'q' \t\u00e9`,
      "notify-keyspace-events": "",
      save: "3600 1 300 100",
      maxmemory: "104857600",
    };
    expect(parseSpecConfig(renderRedisConf(spec(config)))).toEqual(config);
  });
});

describe("renderRedisConf: endpoint addresses and replication", () => {
  it("binds spec.host first, then the endpoint addresses, once each", () => {
    const text = renderRedisConf({ ...spec(), endpointHosts: ["127.1.0.9", "127.0.0.1", "127.1.0.10", "127.1.0.9"] });
    expect(text.split("\n").filter((l) => l.startsWith("bind "))).toEqual(["bind 127.0.0.1 127.1.0.9 127.1.0.10"]);
    expect(renderRedisConf({ ...spec(), endpointHosts: [] })).toContain("\nbind 127.0.0.1\n");
  });

  it("writes replicaof for a replica, before spec.config, and nothing for a primary", () => {
    const text = renderRedisConf({ ...spec({ masterauth: "pw 1" }), replicaOf: { host: "127.3.0.1", port: 7002 } });
    const lines = text.trim().split("\n");
    expect(lines.filter((l) => /^(replicaof|slaveof) /.test(l))).toEqual(["replicaof 127.3.0.1 7002"]);
    expect(lines.indexOf("replicaof 127.3.0.1 7002")).toBeLessThan(lines.indexOf("# --- spec.config ---"));
    expect(lines.at(-1)).toBe('masterauth "pw 1"');
    expect(parseSpecConfig(text)).toEqual({ masterauth: "pw 1" }); // replicaof is not spec.config
    expect(renderRedisConf(spec())).not.toMatch(/^(replicaof|slaveof) /m);
  });

  it("keeps bind and replicaof driver-owned, and validates the topology", () => {
    expect(() => renderRedisConf(spec({ replicaof: "127.0.0.1 1" }))).toThrow(/managed by the driver/);
    expect(() => renderRedisConf(spec({ slaveof: "127.0.0.1 1" }))).toThrow(/managed by the driver/);
    expect(() => renderRedisConf(spec({ bind: "0.0.0.0" }))).toThrow(/managed by the driver/);
    expect(() => renderRedisConf({ ...spec(), endpointHosts: ["127.1.0.9 0.0.0.0"] })).toThrow(/invalid endpoint address/);
    expect(() => renderRedisConf({ ...spec(), endpointHosts: ["vip.local"] })).toThrow(/must be an IP address/);
    expect(() => renderRedisConf({ ...spec(), replicaOf: { host: "127.0.0.1\nport 1", port: 7002 } })).toThrow(/invalid replicaOf/);
    expect(() => renderRedisConf({ ...spec(), replicaOf: { host: "127.0.0.2", port: 70000 } })).toThrow(/invalid replicaOf/);
  });

  it("resets masterauth like requirepass and compares it exactly", () => {
    expect(RESET_VALUES.masterauth).toBe("");
    expect(configValuesEqual("masterauth", "Secret", "secret")).toBe(false);
    expect(configValuesEqual("masterauth", "s", "s")).toBe(true);
  });
});

describe("quoteConfValue / splitConfArgs", () => {
  it("leaves plain values bare and quotes the rest", () => {
    expect(quoteConfValue("allkeys-lru")).toBe("allkeys-lru");
    expect(quoteConfValue("")).toBe('""');
    expect(quoteConfValue("a b")).toBe('"a b"');
    expect(quoteConfValue("a\nb")).toBe('"a\\x0ab"');
  });
  it("splits like Redis's sdssplitargs", () => {
    expect(splitConfArgs(`save "3600 1"`)).toEqual(["save", "3600 1"]);
    expect(splitConfArgs(`a 'it\\'s' "x\\x41\\n"`)).toEqual(["a", "it's", "xA\n"]);
    expect(splitConfArgs(`a "unterminated`)).toBeUndefined();
    expect(splitConfArgs(`a "x"y`)).toBeUndefined();
  });
});

describe("configValuesEqual", () => {
  it("compares memory values in bytes", () => {
    expect(parseMemory("1gb")).toBe(1073741824n);
    expect(parseMemory("1g")).toBe(1000000000n);
    expect(configValuesEqual("maxmemory", "104857600", "100mb")).toBe(true);
    expect(configValuesEqual("maxmemory", "104857600", "100m")).toBe(false);
  });
  it("ignores case of words and Redis's order of keyspace event classes", () => {
    expect(configValuesEqual("maxmemory-policy", "allkeys-lru", "ALLKEYS-LRU")).toBe(true);
    expect(configValuesEqual("activedefrag", "no", "NO")).toBe(true);
    expect(configValuesEqual("notify-keyspace-events", "xE", "Ex")).toBe(true);
    expect(configValuesEqual("notify-keyspace-events", "AKE", "KEA")).toBe(true);
    expect(configValuesEqual("notify-keyspace-events", "AKE", "KEg$lshzxetd")).toBe(true);
    expect(configValuesEqual("notify-keyspace-events", "Ex", "ex")).toBe(false);
  });
  it("compares lists token by token and secrets exactly", () => {
    expect(configValuesEqual("save", "3600 1 300 100", "3600  1 300 100")).toBe(true);
    expect(configValuesEqual("save", "3600 1", "")).toBe(false);
    expect(configValuesEqual("requirepass", "Secret", "secret")).toBe(false);
  });
});

describe("planDataFiles: what a node's data files mean for its next start", () => {
  const off = { save: "", appendonly: "no" };
  const rdb = { save: "3600 1", appendonly: "no" };
  const aof = { save: "", appendonly: "yes", appendfsync: "always" };

  it("tells persistence on from off, with the driver's defaults for what the spec leaves out", () => {
    expect([off, rdb, aof, {}].map(persistsData)).toEqual([false, true, true, false]);
  });

  const primary = { primary: true, ranBefore: true, rdb: true, aof: true };

  it("removes a primary's stale RDB and AOF when persistence is off, so it starts empty", () => {
    expect(planDataFiles(off, primary)).toEqual({ remove: ["rdb", "aof"], startConfig: off });
    expect(planDataFiles(off, { ...primary, aof: false }).remove).toEqual(["rdb"]);
    expect(planDataFiles(off, { primary: true, ranBefore: true, rdb: false, aof: false }).remove).toEqual([]);
    expect(planDataFiles(rdb, primary).remove).toEqual([]);
    expect(planDataFiles(aof, primary).remove).toEqual([]);
  });

  it("leaves a replica its files (it serves them while its primary is down), and a first start (a restore put them there)", () => {
    expect(planDataFiles(off, { ...primary, primary: false })).toEqual({ remove: [], startConfig: off });
    expect(planDataFiles(off, { ...primary, ranBefore: false })).toEqual({ remove: [], startConfig: off });
  });

  it("keeps a primary's files when the start asks to (keepData: it just saved them with SHUTDOWN SAVE)", () => {
    expect(planDataFiles(off, primary, { keepData: true })).toEqual({ remove: [], startConfig: off });
    expect(planDataFiles(off, primary, { keepData: false }).remove).toEqual(["rdb", "aof"]);
    expect(planDataFiles(off, primary, {}).remove).toEqual(["rdb", "aof"]);
    // The AOF rule is about keeping data too: keepData leaves it as it is.
    expect(planDataFiles(aof, { ...primary, aof: false }, { keepData: true }).startConfig).toEqual({ ...aof, appendonly: "no" });
    expect(planDataFiles(rdb, primary, { keepData: true })).toEqual({ remove: [], startConfig: rdb });
  });

  it("starts from the RDB with AOF off when AOF is wanted but not written yet (Redis would ignore the RDB)", () => {
    expect(planDataFiles(aof, { ...primary, aof: false }).startConfig).toEqual({ ...aof, appendonly: "no" });
    expect(planDataFiles(aof, { primary: false, ranBefore: true, rdb: true, aof: false }).startConfig).toEqual({ ...aof, appendonly: "no" });
    expect(planDataFiles(aof, primary).startConfig).toBe(aof);
    expect(planDataFiles(aof, { primary: true, ranBefore: true, rdb: false, aof: false }).startConfig).toBe(aof);
  });

  it("undoes appendfsync when AOF leaves the spec", () => {
    expect(RESET_VALUES.appendfsync).toBe("everysec");
  });
});

describe("engine builds in a spec", () => {
  it("accepts an absolute binary path only", () => {
    expect(() => assertEngineBinary("n-0", "/opt/redis-7.2/bin/redis-server")).not.toThrow();
    expect(() => assertEngineBinary("n-0", "redis-server")).toThrow(/node n-0: must be an absolute path/);
    expect(() => assertEngineBinary("n-0", "./bin/redis-server")).toThrow(/must be an absolute path/);
    expect(() => assertEngineBinary("n-0", "")).toThrow(/must be an absolute path/);
    expect(() => assertEngineBinary("n-0", "/bin/redis-server\n--port 1")).toThrow(/must be an absolute path/);
  });

  it("accepts image references, not empty or spaced names", () => {
    for (const image of ["redis:7.2", "valkey/valkey:8", "localhost:5000/team/redis@sha256:0123abcd", "cacheplane/redis-local:7.0-upgrade-test"]) {
      expect(() => assertEngineImage("n-0", image)).not.toThrow();
    }
    expect(() => assertEngineImage("n-0", "")).toThrow(/invalid engine image "" for node n-0/);
    expect(() => assertEngineImage("n-0", "redis 7")).toThrow(/invalid engine image/);
    expect(() => assertEngineImage("n-0", "-redis")).toThrow(/invalid engine image/);
  });
});
