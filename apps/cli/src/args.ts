// A small layer over node:util parseArgs: flag tables that are both the parser's options and
// the --help text, global flags every command takes, strict parsing, and one-line usage errors
// that point at --help.
import { parseArgs } from "node:util";
import { UsageError } from "./exit-codes.js";

type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean };

/**
 * One flag in a command's table: what parseArgs needs plus what --help prints, so the two are
 * written once. `arg` names the value in the help (`--shard-count N`); a `negatable` boolean
 * also accepts `--no-<name>` (shown as `--[no-]<name>`; read it with `toggle`).
 */
export interface Flag extends OptionSpec {
  help: string;
  arg?: string;
  negatable?: boolean;
}
export type Flags = Record<string, Flag>;

export const GLOBAL_OPTIONS = {
  url: { type: "string", arg: "URL", help: "API address (else CACHEPLANE_URL, else the cli.json that `cacheplane up` wrote)" },
  "api-key": { type: "string", arg: "KEY", help: "API key (else CACHEPLANE_API_KEY, else the key file named in cli.json)" },
  project: { type: "string", arg: "ID", help: 'project (default: CACHEPLANE_PROJECT or "default")' },
  location: { type: "string", arg: "ID", help: 'location (default: CACHEPLANE_LOCATION or "local1")' },
  output: { type: "string", short: "o", arg: "FMT", help: "table (default), json, or env (REDIS_URL=… lines)" },
  help: { type: "boolean", short: "h", help: "show help" },
} as const satisfies Flags;

/** Aligned `  --flag ARG   help` lines in table order, the help wrapped to stay within 100 columns. */
export function flagHelp(flags: Flags, minWidth = 17): string {
  const left = Object.entries(flags).map(([name, f]) => `${f.short ? `-${f.short}, ` : ""}--${f.negatable ? "[no-]" : ""}${name}${f.arg ? ` ${f.arg}` : ""}`);
  const width = Math.max(minWidth, ...left.map((l) => l.length));
  const room = Math.max(40, 100 - width - 4);
  return Object.values(flags)
    .map((f, i) => {
      const lines = wrap(f.help, room);
      return [`  ${left[i]!.padEnd(width)}  ${lines[0] ?? ""}`.trimEnd(), ...lines.slice(1).map((l) => `${" ".repeat(width + 4)}${l}`)].join("\n");
    })
    .join("\n");
}

function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

export const GLOBAL_HELP = `Global flags:\n${flagHelp(GLOBAL_OPTIONS)}`;

type Negations<O> = { [K in keyof O as O[K] extends { negatable: true } ? `no-${K & string}` : never]: { type: "boolean" } };
type AllOptions<O> = typeof GLOBAL_OPTIONS & O & Negations<O>;
export type Parsed<O extends Record<string, OptionSpec>> = ReturnType<
  typeof parseArgs<{ args: string[]; options: AllOptions<O>; allowPositionals: true; strict: true }>
>;

export function parse<const O extends Record<string, OptionSpec>>(args: string[], options: O, command: string): Parsed<O> {
  const negations = Object.fromEntries(
    Object.entries(options).flatMap(([name, o]) => ((o as Partial<Flag>).negatable ? [[`no-${name}`, { type: "boolean" }]] : [])),
  );
  try {
    return parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options, ...negations } as AllOptions<O>, allowPositionals: true, strict: true });
  } catch (error) {
    const why = (error as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    throw new UsageError(`${why}. Run 'cacheplane ${command} --help'.`);
  }
}

/** A negatable flag's value: true (`--x`), false (`--no-x`), or undefined (neither). */
export function toggle(values: Record<string, unknown>, name: string): boolean | undefined {
  const on = values[name] === true;
  const off = values[`no-${name}`] === true;
  if (on && off) throw new UsageError(`--${name} and --no-${name} contradict each other`);
  return on ? true : off ? false : undefined;
}

export type OutputFormat = "table" | "json" | "env";

export function outputFormat(value: string | undefined, allowed: OutputFormat[] = ["table", "json", "env"]): OutputFormat {
  const format = (value ?? "table") as OutputFormat;
  if (!allowed.includes(format)) throw new UsageError(`--output must be one of ${allowed.join(", ")} here (got '${value}')`);
  return format;
}

/** The one positional a command needs, e.g. the instance id. */
export function onePositional(positionals: string[], what: string, command: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(`${positionals.length ? "expected only" : "missing"} ${what}. Usage: cacheplane ${command} <${what}>`);
  }
  return positionals[0]!;
}

export function noPositionals(positionals: string[], command: string) {
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'. Run 'cacheplane ${command} --help'.`);
}

/** `--timeout 90s` / `90` / `2m` as milliseconds. */
export function durationMs(value: string | undefined, fallbackMs: number, flag = "--timeout"): number {
  if (value === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  if (!m) throw new UsageError(`${flag} must be a duration such as 90s or 5m (got '${value}')`);
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * scale;
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number (got '${value}')`);
  return Number(value);
}

/** Repeated `--label k=v` flags as an object. */
export function keyValues(values: string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!values?.length) return undefined;
  const out: Record<string, string> = {};
  for (const pair of values) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag} takes key=value (got '${pair}')`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase() as T;
  if (!allowed.includes(upper)) throw new UsageError(`${flag} must be one of ${allowed.join(", ")} (got '${value}')`);
  return upper;
}
