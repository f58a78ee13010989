import { describe, expect, it } from "vitest";
import { formatAddress, isAuthError, isLoadingError, parseInfo, parseReplication } from "../src/redis-admin.js";

describe("parseInfo", () => {
  it("splits INFO text into sections of key/value pairs", () => {
    const text =
      "# Persistence\r\nloading:0\r\nrdb_changes_since_last_save:3\r\n\r\n# Replication\r\nrole:master\r\nslave0:ip=127.0.0.1,port=7001,state=online,offset=42,lag=0\r\n";
    expect(parseInfo(text)).toEqual({
      persistence: { loading: "0", rdb_changes_since_last_save: "3" },
      replication: { role: "master", slave0: "ip=127.0.0.1,port=7001,state=online,offset=42,lag=0" },
    });
  });
});

describe("error classification", () => {
  it("recognises auth and loading replies", () => {
    expect(isAuthError(new Error("NOAUTH Authentication required."))).toBe(true);
    expect(isAuthError(new Error("WRONGPASS invalid username-password pair or user is disabled."))).toBe(true);
    expect(isLoadingError(new Error("LOADING Redis is loading the dataset in memory"))).toBe(true);
    expect(isAuthError(new Error("ERR unknown command"))).toBe(false);
  });
});

describe("parseReplication", () => {
  it("reads a primary's offset and replica count", () => {
    const { replication } = parseInfo("# Replication\r\nrole:master\r\nconnected_slaves:2\r\nmaster_repl_offset:1234\r\n");
    expect(parseReplication(replication)).toEqual({ role: "primary", offset: 1234, connectedReplicas: 2 });
  });
  it("reads a replica's primary, link and offset", () => {
    const text =
      "# Replication\r\nrole:slave\r\nmaster_host:127.3.0.1\r\nmaster_port:7002\r\nmaster_link_status:up\r\n" +
      "master_sync_in_progress:0\r\nslave_repl_offset:99\r\nmaster_repl_offset:100\r\n";
    expect(parseReplication(parseInfo(text).replication)).toEqual({
      role: "replica",
      primaryHost: "127.3.0.1",
      primaryPort: 7002,
      linkUp: true,
      offset: 99,
      syncing: false,
      synced: true,
    });
    const syncing =
      "# Replication\r\nrole:slave\r\nmaster_host:h\r\nmaster_port:1\r\nmaster_link_status:down\r\nmaster_sync_in_progress:1\r\nmaster_repl_offset:7\r\n";
    expect(parseReplication(parseInfo(syncing).replication)).toMatchObject({ linkUp: false, syncing: true, offset: 7 });
  });
  it("tells a replica that lost its primary after a sync from one that never synced", () => {
    const down = (since: number, offset: number) =>
      `# Replication\r\nrole:slave\r\nmaster_host:h\r\nmaster_port:1\r\nmaster_link_status:down\r\nmaster_sync_in_progress:0\r\nslave_repl_offset:${offset}\r\nmaster_link_down_since_seconds:${since}\r\n`;
    // Synced at offset 0 from a primary that died before its stream began: it still holds the data.
    expect(parseReplication(parseInfo(down(0, 0)).replication)).toMatchObject({ linkUp: false, offset: 0, synced: true });
    // Never synced: Redis reports offset 1 (no primary state at all) and -1.
    expect(parseReplication(parseInfo(down(-1, 1)).replication)).toMatchObject({ linkUp: false, offset: 1, synced: false });
  });
  it("is undefined without a role", () => {
    expect(parseReplication(undefined)).toBeUndefined();
    expect(parseReplication({})).toBeUndefined();
  });
  it("formats addresses as CLIENT LIST's laddr", () => {
    expect(formatAddress("127.1.0.9", 7001)).toBe("127.1.0.9:7001");
    expect(formatAddress("::1", 7001)).toBe("[::1]:7001");
  });
});
