// Secrets out of a node's log lines (GET …/nodes/{node}/logs). The engine does not log its
// passwords by itself, but a line can hold one: a script's redis.log(), a config file refused at
// start ("FATAL CONFIG FILE ERROR … >>> 'requirepass …'"), an ACL rule echoed back. Each secret is
// replaced by [redacted] where it appears; the rest of the line, and every other line, is kept.
//
// Two kinds of secret: those the control plane holds in the clear (AUTH strings, and the SHA-256
// of each, which the aclfile and ACL rules carry as #<hex>), found by substring; and ACL users'
// passwords, of which only the SHA-256 is stored: those are found by hashing the candidates a line
// offers. A password is 16-128 printable characters without spaces (contracts' redis-user.ts), so
// a candidate is a piece of one whitespace-free word, cut where Redis quotes or prefixes a value
// (' " ` < > # = , ; : ( ) [ ] { }), with every cut kept as a possible start or end (a password
// may itself contain those characters). A password glued to other text with none of them between
// (a word such as "xpassword…") is not recognized; Redis prints none that way.

import { createHash } from "node:crypto";

export const REDACTED = "[redacted]";

export interface LogSecrets {
  /** Secrets known in the clear (AUTH strings, current, rotated and pending). */
  plain: string[];
  /** SHA-256 hex of passwords known only by their hash (ACL users). */
  passwordHashes: string[];
}

const PASSWORD_MIN = 16;
const PASSWORD_MAX = 128;
const CUT = new Set("'\"`<>#=,;:()[]{}");

const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

/** [start, end) of each piece of `word` whose SHA-256 is one of `hashes`, longest first. */
function hashedPasswordsIn(word: string, hashes: ReadonlySet<string>): [number, number][] {
  const starts = [0];
  const ends: number[] = [];
  for (let i = 0; i < word.length; i++) {
    if (CUT.has(word[i]!)) {
      ends.push(i);
      starts.push(i + 1);
    }
  }
  ends.push(word.length);
  const found: [number, number][] = [];
  for (const start of starts) {
    for (const end of ends) {
      const length = end - start;
      if (length < PASSWORD_MIN || length > PASSWORD_MAX) continue;
      if (hashes.has(sha256(word.slice(start, end)))) found.push([start, end]);
    }
  }
  return found.sort((a, b) => b[1] - b[0] - (a[1] - a[0]));
}

/** A function that redacts the given secrets from one line. */
export function createRedactor(secrets: LogSecrets): (line: string) => string {
  const plain = new Set<string>();
  for (const secret of secrets.plain) {
    if (!secret) continue;
    plain.add(secret);
    plain.add(sha256(secret)); // the default user's #<hex> in the aclfile and ACL rules
  }
  for (const hash of secrets.passwordHashes) plain.add(hash);
  // Longest first, so a secret that contains a shorter one is replaced whole.
  const literals = [...plain].sort((a, b) => b.length - a.length);
  const hashes = new Set(secrets.passwordHashes);

  const redactWord = (word: string) => {
    if (word.length < PASSWORD_MIN) return word;
    let out = word;
    for (const [start, end] of hashedPasswordsIn(word, hashes)) {
      const piece = word.slice(start, end);
      out = out.split(piece).join(REDACTED);
    }
    return out;
  };

  return (line) => {
    let out = line;
    for (const secret of literals) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    if (hashes.size > 0) out = out.split(/(\s+)/).map(redactWord).join("");
    return out;
  };
}
