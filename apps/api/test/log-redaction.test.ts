// The node-log redactor: secrets known in the clear by substring, passwords known by their hash
// by hashing the pieces of each word, and nothing else touched.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createRedactor, REDACTED } from "../src/services/log-redaction.js";

const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

describe("createRedactor", () => {
  const auth = "3f1c2a9e-6b1d-4c55-9a0e-0123456789ab";
  const password = "p@ss=w0rd'with>cuts#1";
  const redact = createRedactor({ plain: [auth, ""], passwordHashes: [sha256(password), sha256("another-password-000")] });

  it("replaces AUTH strings and their hashes wherever they appear", () => {
    expect(redact(`1:M 02 Dec 2026 07:42:30.499 # x${auth}y and ${auth}`)).toBe(`1:M 02 Dec 2026 07:42:30.499 # x${REDACTED}y and ${REDACTED}`);
    expect(redact(`user default on #${sha256(auth)} ~*`)).toBe(`user default on #${REDACTED} ~*`);
    expect(redact(`stored ${sha256(password)}`)).toBe(`stored ${REDACTED}`);
  });

  it("finds a password it knows only by hash, inside quotes, after > or =, with cut characters in it", () => {
    expect(redact(`>>> 'user alice on >${password} ~*'`)).toBe(`>>> 'user alice on >${REDACTED} ~*'`);
    expect(redact(`AUTH="${password}",`)).toBe(`AUTH="${REDACTED}",`);
    expect(redact(`ACL SETUSER bob on >another-password-000`)).toBe(`ACL SETUSER bob on >${REDACTED}`);
  });

  it("keeps every other line and character as it was", () => {
    const lines = ["", "   ", "1:M 02 Dec 2026 07:42:30.499 * Ready to accept connections tcp", "a-long-word-that-is-no-password-at-all", "\tindented\tline "];
    expect(lines.map(redact)).toEqual(lines);
    expect(createRedactor({ plain: [], passwordHashes: [] })("anything 0123456789abcdef0123")).toBe("anything 0123456789abcdef0123");
  });
});
