import { describe, expect, it } from "vitest";
import { isAuthError, isLoadingError, parseInfo } from "../src/redis-admin.js";

describe("parseInfo", () => {
  it("splits INFO text into sections of key/value pairs", () => {
    const text = "# Persistence\r\nloading:0\r\nrdb_changes_since_last_save:3\r\n\r\n# Replication\r\nrole:master\r\nslave0:ip=127.0.0.1,port=7001,state=online,offset=42,lag=0\r\n";
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
