// Redis ACL users (MemoryDB's model, our addition on the native API): what an access string may
// say, and the exact `ACL SETUSER` arguments a user becomes on every node. No I/O.
//
// An access string is the part of a Redis ACL rule list that grants access: on/off, key and
// channel patterns, command rules. Passwords are not part of it: they come from the user's
// authenticationMode and reach nodes only as their SHA-256 (`#<hex>`, which Redis accepts), so
// no password is ever stored or sent in the clear. Every rule is checked here against Redis 7's
// grammar, so a mistake is an INVALID_ARGUMENT naming the rule, never a node that refuses it
// later. Command names are checked for their form only: which commands exist is the engine's
// business (7.2 and valkey have more), and a name a node refuses surfaces as an ACL_REJECTED
// event with the user disabled on that node (see the worker's acl/apply-acl.ts).

/** The ACL categories of Redis 7 (ACL CAT), and `all`, which +@all/-@all name. */
export const ACL_CATEGORIES: ReadonlySet<string> = new Set([
  "all",
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
]);

/** The user the control plane keeps for itself (and AUTH strings): never an API user. */
export const DEFAULT_USER = "default";
/** The ACL every project and location has from the start: no ACL users, the default user as the
 *  deployment's AUTH settings say (MemoryDB's open-access). Nothing is stored for it. */
export const OPEN_ACCESS = "open-access";

export const MAX_ACCESS_STRING_LENGTH = 4096;
const MAX_RULES = 256;

export type AccessCheck = { ok: true; rules: string[] } | { ok: false; rule: string; reason: string };

const KEYWORDS = new Set([
  "on",
  "off",
  "allkeys",
  "resetkeys",
  "allchannels",
  "resetchannels",
  "allcommands",
  "nocommands",
  "reset",
  "sanitize-payload",
  "skip-sanitize-payload",
]);
const PASSWORD_RULES = new Set(["nopass", "resetpass"]);
const SELECTOR_RULES = new Set(["clearselectors"]);
/** A command name (GET, client, restore-asking) and an optional subcommand or first argument
 *  (config|get, select|0), as Redis splits them on '|'. */
const COMMAND = /^[a-z][a-z0-9_.-]*(\|[a-z0-9_.:-]+)?$/i;
const KEY_FLAGS = /^%([RW]+)~/i;

/**
 * Checks an access string and returns its rules, as Redis would apply them after `reset`
 * (passwords are added after them). Rules are separated by whitespace; keywords are
 * case-insensitive as in Redis; patterns are kept as written.
 */
export function checkAccessString(accessString: string): AccessCheck {
  if (accessString.length > MAX_ACCESS_STRING_LENGTH) {
    return { ok: false, rule: accessString.slice(0, 20), reason: `the access string is longer than ${MAX_ACCESS_STRING_LENGTH} characters` };
  }
  const rules = accessString.split(/\s+/).filter(Boolean);
  if (rules.length === 0) return { ok: false, rule: "", reason: "the access string is empty; 'on ~* &* +@all' grants everything" };
  if (rules.length > MAX_RULES) return { ok: false, rule: rules[MAX_RULES]!, reason: `at most ${MAX_RULES} rules` };
  // Redis refuses a pattern after '*' (allkeys / allchannels) until the list is reset: so do we.
  let allKeys = false;
  let allChannels = false;
  for (const rule of rules) {
    const fail = (reason: string): AccessCheck => ({ ok: false, rule, reason });
    const word = rule.toLowerCase();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (/[\x00-\x1f\x7f]/.test(rule)) return fail("control characters are not allowed");
    if (KEYWORDS.has(word)) {
      if (word === "allkeys") allKeys = true;
      if (word === "resetkeys" || word === "reset") allKeys = false;
      if (word === "allchannels") allChannels = true;
      if (word === "resetchannels" || word === "reset") allChannels = false;
      continue;
    }
    if (PASSWORD_RULES.has(word) || /^[<>#!]/.test(rule)) {
      // Named by its kind only: what follows '>' is a password, never repeated in an error.
      if (/^[<>#!]/.test(rule)) return { ok: false, rule: `${rule[0]}…`, reason: "passwords are not part of an access string: set them in authenticationMode" };
      return fail(
        word === "nopass"
          ? "passwords are not part of an access string: use authenticationMode NO_PASSWORD"
          : "passwords are not part of an access string: set them in authenticationMode",
      );
    }
    if (SELECTOR_RULES.has(word) || rule.startsWith("(")) return fail("ACL selectors are not supported");
    if (rule.startsWith("~") || rule.startsWith("%")) {
      const flags = KEY_FLAGS.exec(rule);
      if (rule.startsWith("%") && !flags) return fail("a key permission is %R~, %W~ or %RW~ followed by a pattern");
      const pattern = rule.slice(flags ? flags[0].length : 1);
      if (pattern === "") return fail("the key pattern is empty");
      if (allKeys) return fail("a key pattern after '~*' or 'allkeys' has no effect; add 'resetkeys' before it");
      if (rule === "~*") allKeys = true;
      continue;
    }
    if (rule.startsWith("&")) {
      const pattern = rule.slice(1);
      if (pattern === "") return fail("the channel pattern is empty");
      if (allChannels) return fail("a channel pattern after '&*' or 'allchannels' has no effect; add 'resetchannels' before it");
      if (pattern === "*") allChannels = true;
      continue;
    }
    if (rule.startsWith("+@") || rule.startsWith("-@")) {
      if (!ACL_CATEGORIES.has(word.slice(2))) return fail(`unknown ACL category; one of ${[...ACL_CATEGORIES].join(", ")}`);
      continue;
    }
    if (rule.startsWith("+") || rule.startsWith("-")) {
      if (!COMMAND.test(rule.slice(1))) return fail("a command rule is +command, -command or +command|subcommand");
      continue;
    }
    return fail("unknown ACL rule");
  }
  return { ok: true, rules };
}

export interface AclUserAuth {
  type: "PASSWORD" | "NO_PASSWORD";
  /** SHA-256 hex of each password (PASSWORD). */
  passwordHashes: readonly string[];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The `ACL SETUSER <name> ...` arguments that make a node's user exactly this one, whatever it
 * had before: `reset` first, then the access string, then the passwords (only as hashes). The
 * access string must have passed checkAccessString.
 */
export function aclUserRules(accessString: string, auth: AclUserAuth): string[] {
  const check = checkAccessString(accessString);
  if (!check.ok) throw new Error(`invalid access string: ${check.reason}`);
  for (const hash of auth.passwordHashes) if (!SHA256_HEX.test(hash)) throw new Error("a password hash is not SHA-256 hex");
  // Passwords after the rules: a `reset` inside the access string would otherwise drop them.
  const passwords = auth.type === "NO_PASSWORD" ? ["nopass"] : auth.passwordHashes.map((h) => `#${h}`);
  return ["reset", ...check.rules, ...passwords];
}

/** The `ACL SETUSER default ...` arguments for the control plane's own user: every command, key
 *  and channel, with exactly these passwords (none: nopass, as a node without auth has). One
 *  command, so no client ever sees the default user without its passwords. */
export function defaultUserRules(passwordHashes: readonly string[]): string[] {
  for (const hash of passwordHashes) if (!SHA256_HEX.test(hash)) throw new Error("a password hash is not SHA-256 hex");
  const passwords = passwordHashes.length > 0 ? ["resetpass", ...passwordHashes.map((h) => `#${h}`)] : ["nopass"];
  return ["on", ...passwords, "~*", "&*", "+@all"];
}

/** One line of ACL LIST ("user alice on #ab.. ~app:* resetchannels -@all +@read"), split. */
export interface AclLine {
  name: string;
  /** Flags: on, off, nopass, sanitize-payload, skip-sanitize-payload. */
  flags: string[];
  /** SHA-256 hex of its passwords, in the node's order. */
  passwordHashes: string[];
  /** Everything after the passwords: patterns, channels, command rules, selectors. */
  rest: string[];
}

const FLAG_WORDS = new Set(["on", "off", "nopass", "sanitize-payload", "skip-sanitize-payload"]);

/** Parses one ACL LIST line; undefined when it is not one. */
export function parseAclLine(line: string): AclLine | undefined {
  const [keyword, name, ...words] = line.trim().split(/\s+/);
  if (keyword !== "user" || !name) return undefined;
  const flags: string[] = [];
  const passwordHashes: string[] = [];
  const rest: string[] = [];
  for (const word of words) {
    if (rest.length === 0 && FLAG_WORDS.has(word)) flags.push(word);
    else if (rest.length === 0 && word.startsWith("#")) passwordHashes.push(word.slice(1));
    else rest.push(word);
  }
  return { name, flags, passwordHashes, rest };
}

/** Whether a node's default user is what defaultUserRules(passwordHashes) makes it: on, exactly
 *  these passwords (in any order), every key, channel and command, and nothing narrower. */
export function defaultUserMatches(line: AclLine | undefined, passwordHashes: readonly string[]): boolean {
  if (!line || line.name !== DEFAULT_USER || !line.flags.includes("on")) return false;
  const nopass = line.flags.includes("nopass");
  if (passwordHashes.length === 0 ? !nopass || line.passwordHashes.length > 0 : nopass) return false;
  const want = new Set(passwordHashes);
  if (line.passwordHashes.length !== want.size || line.passwordHashes.some((h) => !want.has(h))) return false;
  return line.rest.join(" ") === "~* &* +@all";
}

export const userResourceName = (project: string, location: string, user: string) => `projects/${project}/locations/${location}/users/${user}`;
export const aclResourceName = (project: string, location: string, acl: string) => `projects/${project}/locations/${location}/acls/${acl}`;
