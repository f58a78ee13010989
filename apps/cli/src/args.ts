// A small layer over node:util parseArgs: global flags every command takes, strict parsing,
// and one-line usage errors that point at --help.
import { parseArgs } from "node:util";
import { UsageError } from "./exit-codes.js";

type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean };

export const GLOBAL_OPTIONS = {
  url: { type: "string" },
  "api-key": { type: "string" },
  project: { type: "string" },
  location: { type: "string" },
  output: { type: "string", short: "o" },
  help: { type: "boolean", short: "h" },
} as const satisfies Record<string, OptionSpec>;

export const GLOBAL_HELP = `Global flags:
  --url URL          API address (else CACHEPLANE_URL, else the cli.json that \`cacheplane up\` wrote)
  --api-key KEY      API key (else CACHEPLANE_API_KEY, else the key file named in cli.json)
  --project ID       project (default: CACHEPLANE_PROJECT or "default")
  --location ID      location (default: CACHEPLANE_LOCATION or "local1")
  -o, --output FMT   table (default), json, or env (REDIS_URL=… lines)
  -h, --help         show help`;

export function parse<const O extends Record<string, OptionSpec>>(args: string[], options: O, command: string) {
  try {
    return parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    const why = (error as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    throw new UsageError(`${why}. Run 'cacheplane ${command} --help'.`);
  }
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
