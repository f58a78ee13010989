// Commands as data: a command is one spec (its arguments, a summary, a flag table, notes) and a
// run function. Its parseArgs options and its --help text are both generated from that spec, so
// the two cannot drift apart; a group (`instances`, `clusters`, …) dispatches to its commands
// and lists them in its own --help.
import { GLOBAL_HELP, flagHelp, parse, type Flags, type Parsed } from "./args.js";
import type { Io } from "./context.js";
import { UsageError } from "./exit-codes.js";

export interface CommandSpec<F extends Flags> {
  /** What follows the command's name in the usage line, e.g. "<id> [flags]". */
  args: string;
  /** One line, for the group's list of commands and the top of --help. */
  summary: string;
  flags: F;
  /** Paragraphs printed after the flags (examples, what -o env prints). */
  notes?: string;
}

export interface Command {
  readonly spec: CommandSpec<Flags>;
  run(args: string[], io: Io, name: string): Promise<void>;
}

export function commandHelp(name: string, spec: CommandSpec<Flags>): string {
  const flags = Object.keys(spec.flags).length ? `\n\n${flagHelp(spec.flags)}` : "";
  const notes = spec.notes ? `\n\n${spec.notes}` : "";
  return `Usage: cacheplane ${name} ${spec.args}\n\n${spec.summary}.${flags}${notes}\n\n${GLOBAL_HELP}`;
}

/** Parses with the spec's table, answers --help from it, then runs. */
export function command<const F extends Flags>(spec: CommandSpec<F>, run: (parsed: Parsed<F>, io: Io, name: string) => Promise<void>): Command {
  return {
    spec,
    async run(args, io, name) {
      const parsed = parse(args, spec.flags, name);
      if ((parsed.values as { help?: boolean }).help) return io.out(`${commandHelp(name, spec)}\n`);
      await run(parsed, io, name);
    },
  };
}

/** `cacheplane <group> <command> …`: dispatch, and the group's help listing every command. */
export function commandGroup(group: string, commands: Record<string, Command>) {
  const entries = Object.entries(commands).map(([name, c]) => {
    const positionals = c.spec.args
      .split(" ")
      .filter((a) => a.startsWith("<"))
      .join(" ");
    return [positionals ? `${name} ${positionals}` : name, c.spec.summary] as const;
  });
  const width = Math.max(...entries.map(([left]) => left.length));
  const help = `Usage: cacheplane ${group} <command>

Commands:
${entries.map(([left, summary]) => `  ${left.padEnd(width)}  ${summary}`).join("\n")}

Run 'cacheplane ${group} <command> --help' for its flags.`;

  return async (argv: string[], io: Io): Promise<void> => {
    const [sub, ...rest] = argv;
    if (!sub || sub === "help" || sub === "--help" || sub === "-h") return io.out(`${help}\n`);
    const found = Object.hasOwn(commands, sub) ? commands[sub] : undefined;
    if (!found) throw new UsageError(`unknown command '${group} ${sub}'. Run 'cacheplane ${group} --help'.`);
    await found.run(rest, io, `${group} ${sub}`);
  };
}
