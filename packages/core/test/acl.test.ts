import { describe, expect, it } from "vitest";
import { aclUserRules, checkAccessString, defaultUserMatches, defaultUserRules, parseAclLine } from "../src/acl.js";

const H1 = "a".repeat(64);
const H2 = "b".repeat(64);

const accepts = (s: string) => {
  const check = checkAccessString(s);
  expect(check, s).toMatchObject({ ok: true });
  return check.ok ? check.rules : [];
};
const refuses = (s: string, rule: string, reason?: RegExp) => {
  const check = checkAccessString(s);
  expect(check.ok, s).toBe(false);
  if (!check.ok) {
    expect(check.rule).toBe(rule);
    if (reason) expect(check.reason).toMatch(reason);
  }
};

describe("access strings", () => {
  it("takes every rule of Redis 7 that grants access, keywords in any case", () => {
    expect(accepts("on ~* &* +@all")).toEqual(["on", "~*", "&*", "+@all"]);
    accepts("off ~app:* %R~cache:* %W~log:* %RW~both:* resetchannels &news:* -@all +@read +@write -del +get");
    accepts("ON ALLKEYS ALLCHANNELS ALLCOMMANDS");
    accepts("on resetkeys resetchannels nocommands +ping");
    accepts("on ~a +config|get -config|set +select|0 +client|no-evict -@dangerous +@READ");
    accepts("reset on sanitize-payload skip-sanitize-payload ~k");
    accepts("  on\t~a   +get\n");
    accepts("on %WR~x");
  });

  it("keeps the rules as written (patterns are case-sensitive)", () => {
    expect(accepts("on ~App:* +GET")).toEqual(["on", "~App:*", "+GET"]);
  });

  it("refuses passwords: they belong to authenticationMode", () => {
    refuses("on nopass ~*", "nopass", /NO_PASSWORD/);
    // Named by its kind only: a password is never repeated in an error.
    refuses("on >secretsecretsecret ~*", ">…", /authenticationMode/);
    refuses("on <old ~*", "<…");
    refuses(`on #${H1}`, "#…");
    refuses(`on !${H1}`, "!…");
    refuses("on resetpass", "resetpass");
  });

  it("refuses selectors, unknown categories and malformed commands", () => {
    refuses("on (~a +get)", "(~a", /selectors/);
    refuses("on clearselectors", "clearselectors", /selectors/);
    refuses("on +@nosuch", "+@nosuch", /unknown ACL category/);
    refuses("on -@", "-@");
    refuses("on +get|", "+get|", /command rule/);
    refuses("on +|get", "+|get");
    refuses("on +", "+");
    refuses("on +ge t", "t", /unknown ACL rule/);
  });

  it("names the first unknown rule", () => {
    refuses("on ~* foo bar", "foo", /unknown ACL rule/);
    refuses("allkey", "allkey");
    refuses("on ~a user", "user");
  });

  it("refuses what Redis refuses: a pattern after * until it is reset", () => {
    refuses("on ~* ~foo", "~foo", /resetkeys/);
    refuses("on allkeys %R~foo", "%R~foo", /resetkeys/);
    accepts("on ~* resetkeys ~foo");
    accepts("on allkeys reset ~foo");
    // %RW~* is a pattern, not allkeys (Redis 7.0 accepts a pattern after it).
    accepts("on %RW~* ~foo");
    refuses("on &* &news", "&news", /resetchannels/);
    refuses("on allchannels &news", "&news");
    accepts("on &* resetchannels &news");
  });

  it("refuses empty patterns and bad key permissions", () => {
    refuses("on ~", "~", /empty/);
    refuses("on &", "&", /empty/);
    refuses("on %R~", "%R~", /empty/);
    refuses("on %~a", "%~a", /%R~/);
    refuses("on %X~a", "%X~a");
  });

  it("refuses an empty, oversized or control-character access string", () => {
    refuses("", "", /empty/);
    refuses("   ", "", /empty/);
    expect(checkAccessString("~a ".repeat(2000)).ok).toBe(false);
    expect(checkAccessString(Array.from({ length: 300 }, (_, i) => `~k${i}`).join(" ")).ok).toBe(false);
    refuses("on ~a\u0001b", "~a\u0001b", /control/);
  });
});

describe("SETUSER arguments", () => {
  it("reset, the access string, then the passwords as hashes", () => {
    expect(aclUserRules("on ~app:* +@read", { type: "PASSWORD", passwordHashes: [H1, H2] })).toEqual(["reset", "on", "~app:*", "+@read", `#${H1}`, `#${H2}`]);
    expect(aclUserRules("on ~* +@all", { type: "NO_PASSWORD", passwordHashes: [] })).toEqual(["reset", "on", "~*", "+@all", "nopass"]);
  });

  it("puts passwords after a reset written in the access string", () => {
    expect(aclUserRules("on ~a reset on ~b", { type: "PASSWORD", passwordHashes: [H1] }).at(-1)).toBe(`#${H1}`);
  });

  it("refuses an invalid access string or a hash that is not one", () => {
    expect(() => aclUserRules("on nopass", { type: "NO_PASSWORD", passwordHashes: [] })).toThrow(/invalid access string/);
    expect(() => aclUserRules("on", { type: "PASSWORD", passwordHashes: ["plaintext"] })).toThrow(/SHA-256/);
  });

  it("the default user: everything, with exactly its passwords, or nopass", () => {
    expect(defaultUserRules([H1])).toEqual(["on", "resetpass", `#${H1}`, "~*", "&*", "+@all"]);
    expect(defaultUserRules([])).toEqual(["on", "nopass", "~*", "&*", "+@all"]);
    expect(() => defaultUserRules(["x"])).toThrow();
  });
});

describe("ACL LIST lines", () => {
  it("splits flags, password hashes and the rest", () => {
    expect(parseAclLine(`user app on sanitize-payload #${H1} #${H2} ~app:* resetchannels -@all +@read`)).toEqual({
      name: "app",
      flags: ["on", "sanitize-payload"],
      passwordHashes: [H1, H2],
      rest: ["~app:*", "resetchannels", "-@all", "+@read"],
    });
    expect(parseAclLine("user default on nopass ~* &* +@all")).toEqual({
      name: "default",
      flags: ["on", "nopass"],
      passwordHashes: [],
      rest: ["~*", "&*", "+@all"],
    });
    expect(parseAclLine("nonsense")).toBeUndefined();
  });

  it("knows when the default user is exactly the control plane's", () => {
    const line = (s: string) => parseAclLine(s);
    expect(defaultUserMatches(line("user default on nopass ~* &* +@all"), [])).toBe(true);
    expect(defaultUserMatches(line(`user default on #${H1} ~* &* +@all`), [H1])).toBe(true);
    expect(defaultUserMatches(line(`user default on #${H2} #${H1} ~* &* +@all`), [H1, H2])).toBe(true);
    expect(defaultUserMatches(line(`user default on #${H1} ~* &* +@all`), [H1, H2])).toBe(false);
    expect(defaultUserMatches(line(`user default on #${H1} #${H2} ~* &* +@all`), [H1])).toBe(false);
    expect(defaultUserMatches(line("user default on nopass ~* &* +@all"), [H1])).toBe(false);
    expect(defaultUserMatches(line(`user default on #${H1} ~* &* +@all`), [])).toBe(false);
    expect(defaultUserMatches(line(`user default off #${H1} ~* &* +@all`), [H1])).toBe(false);
    expect(defaultUserMatches(line(`user default on #${H1} ~* &* +@all -flushall`), [H1])).toBe(false);
    expect(defaultUserMatches(line(`user default on #${H1} ~* resetchannels +@all`), [H1])).toBe(false);
    expect(defaultUserMatches(undefined, [])).toBe(false);
  });
});
