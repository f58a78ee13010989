// ACL users on real redis-server nodes through the process driver: the aclfile a node starts
// with, applyAcl, and what a restart keeps. (Both drivers: test/e2e/acl.test.ts.)
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { renderAclFile, type NodeRuntime, type NodeSpec } from "../src/index.js";
import { testNodes, until } from "./helpers.js";

const nodes = testNodes();
afterAll(() => nodes.cleanup());

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const running = (rt: NodeRuntime, spec: NodeSpec) =>
  until(
    () => rt.observe(spec),
    (o) => o.liveness === "running" && !o.loading,
  );

/** Connects as a user (or anonymously); resolves to the error's first word, or "OK". */
async function login(port: number, username?: string, password?: string, command: string[] = ["PING"]): Promise<string> {
  const redis = new Redis({ host: "127.0.0.1", port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    if (password) await redis.call("AUTH", ...(username ? [username] : []), password);
    await redis.call(command[0]!, ...command.slice(1));
    return "OK";
  } catch (err) {
    return (err as Error).message.split(" ")[0]!;
  } finally {
    redis.disconnect();
  }
}

describe("the aclfile a node starts with", () => {
  const H = sha("control-password-0123");
  it("always holds the default user from the spec, and keeps only the users the spec names", () => {
    const saved = [
      "user default on nopass ~* &* +@all",
      `user alice on #${"a".repeat(64)} ~a:* resetchannels -@all +get`,
      "user gone on nopass ~* -@all",
      "",
    ].join("\n");
    const spec = { id: "n1", config: { requirepass: "x" }, acl: { defaultPasswordHashes: [H], users: ["alice"] } };
    expect(renderAclFile(spec, saved)).toBe(`user default on #${H} ~* &* +@all\nuser alice on #${"a".repeat(64)} ~a:* resetchannels -@all +get\n`);
  });

  it("without spec.acl: the default user from requirepass (never nopass beside a password), every saved user", () => {
    expect(renderAclFile({ id: "n1", config: { requirepass: "pw" } }, "user bob on nopass ~* -@all\n")).toBe(
      `user default on #${sha("pw")} ~* &* +@all\nuser bob on nopass ~* -@all\n`,
    );
    expect(renderAclFile({ id: "n1", config: {} }, undefined)).toBe("user default on nopass ~* &* +@all\n");
  });

  it("refuses a hash that is not one (it would inject a line)", () => {
    expect(() => renderAclFile({ id: "n1", config: {}, acl: { defaultPasswordHashes: ["x\nuser evil on nopass"], users: [] } }, undefined)).toThrow(/SHA-256/);
  });
});

describe("applyAcl on a real node", () => {
  it("sets, refuses, removes and persists users; a restart keeps them and drops the ones the spec no longer names", async () => {
    const rt = nodes.runtime();
    const control = "control-password-0123456789";
    const base = await nodes.spec({ requirepass: control, masterauth: control });
    const spec: NodeSpec = { ...base, acl: { defaultPasswordHashes: [sha(control)], users: ["alice", "bob"] } };
    await rt.start(spec);
    await running(rt, spec);
    expect(statSync(path.join(spec.dataDir, "users.acl")).mode & 0o777).toBe(0o600);
    // Never more open than the spec: the default user has its password from the first moment.
    expect(await login(spec.port)).toBe("NOAUTH");
    expect(await login(spec.port, "default", control)).toBe("OK");

    const alicePw = "alice-password-123456";
    const applied = await rt.applyAcl(spec, {
      set: [
        { name: "alice", rules: ["reset", "on", "~a:*", "+get", "+set", `#${sha(alicePw)}`] },
        { name: "bob", rules: ["reset", "on", "~*", "+nosuchcommand", "nopass"] },
      ],
      remove: [],
    });
    expect(applied.saved).toBe(true);
    expect(applied.rejected).toEqual([{ name: "bob", reason: expect.stringMatching(/nosuchcommand/) }]);
    expect(applied.lines.find((l) => l.startsWith("user bob "))).toMatch(/^user bob off /);
    expect(await login(spec.port, "alice", alicePw, ["SET", "a:1", "x"])).toBe("OK");
    expect(await login(spec.port, "alice", alicePw, ["SET", "b:1", "x"])).toBe("NOPERM");
    expect(await login(spec.port, "alice", alicePw, ["DEL", "a:1"])).toBe("NOPERM");
    expect(await login(spec.port, "alice", "wrong-password-123456")).toBe("WRONGPASS");
    expect(await login(spec.port, "bob", "anything-at-all-1234")).toBe("WRONGPASS");
    expect(readFileSync(path.join(spec.dataDir, "users.acl"), "utf8")).toMatch(/^user alice on /m);

    const observed = await rt.observe(spec);
    expect(observed.acl?.lines.map((l) => l.split(" ")[1])).toEqual(["alice", "bob", "default"]);
    expect((await rt.observe(base)).acl).toBeUndefined(); // a probe without spec.acl does not ask

    // The default user is never removed.
    await rt.applyAcl(spec, { set: [], remove: ["bob", "default"] });
    expect(await login(spec.port, "default", control)).toBe("OK");

    // Restart: alice comes back from the aclfile; a user the spec no longer names does not.
    await rt.stop(spec);
    const later = { ...spec, acl: { ...spec.acl!, users: ["alice"] } };
    await rt.start(later);
    await running(rt, later);
    expect(await login(spec.port, "alice", alicePw, ["GET", "a:1"])).toBe("OK");
    expect(await login(spec.port, "default", control)).toBe("OK");
    const lines = (await rt.observe(later)).acl!.lines;
    expect(lines.map((l) => l.split(" ")[1])).toEqual(["alice", "default"]);
  });

  it("throws, changing nothing, for a default user it cannot set, and when the node does not answer", async () => {
    const rt = nodes.runtime();
    const spec: NodeSpec = { ...(await nodes.spec()), acl: { defaultPasswordHashes: [], users: [] } };
    await rt.start(spec);
    await running(rt, spec);
    await expect(rt.applyAcl(spec, { set: [{ name: "default", rules: ["+nosuchcommand"] }], remove: [] })).rejects.toThrow(/nosuchcommand/);
    expect(await login(spec.port)).toBe("OK"); // still open as its spec says, not reset
    await rt.stop(spec);
    await expect(rt.applyAcl(spec, { set: [], remove: ["x"] })).rejects.toThrow(/does not answer|not running/);
  });
});
