// cacheplane keys create|list|revoke — API keys (admin only).
import type { ApiKey } from "@cacheplane/sdk";
import { GLOBAL_HELP, noPositionals, onePositional, outputFormat, parse } from "../args.js";
import { connect, type Io } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { details, envLines, json, keyTable, shortName } from "../output.js";

const HELP: Record<string, string> = {
  "": `Usage: cacheplane keys <command>

Commands:
  create <display name>  Create an API key (its secret is shown once)
  list                   List API keys (never their secrets)
  revoke <key>           Revoke a key; it stops working at once

Run 'cacheplane keys <command> --help' for its flags.`,
  create: `Usage: cacheplane keys create <display name> [--scope PROJECT]... [-o table|json|env]

  --scope PROJECT   a project the key may use (repeatable; default: the --project); '*' is every project

-o env prints CACHEPLANE_API_KEY=… (for a CI secret or an environment file).

${GLOBAL_HELP}`,
  list: `Usage: cacheplane keys list [-o table|json]\n\n${GLOBAL_HELP}`,
  revoke: `Usage: cacheplane keys revoke <key> [-o table|json]\n\n${GLOBAL_HELP}`,
};

async function create(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, { scope: { type: "string", multiple: true } }, "keys create");
  if (v.help) return io.out(`${HELP.create}\n`);
  const displayName = onePositional(positionals, "display name", "keys create");
  const format = outputFormat(v.output);
  const client = await connect(v, io);
  const created = await client.apiKeys.create({ displayName, projects: v.scope?.length ? v.scope : [client.project] });
  if (format === "json") return io.out(json(created));
  if (format === "env") return io.out(envLines([["CACHEPLANE_API_KEY", created.keyString]]));
  io.out(details([["key", shortName(created.name)], ["displayName", created.displayName], ["projects", created.projects.join(",")], ["secret", created.keyString]]));
  io.out("\nThe secret is shown only now; store it somewhere safe.\n");
}

async function list(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, {}, "keys list");
  if (v.help) return io.out(`${HELP.list}\n`);
  noPositionals(positionals, "keys list");
  const format = outputFormat(v.output, ["table", "json"]);
  const client = await connect(v, io);
  const all: ApiKey[] = [];
  for await (const key of client.apiKeys.all()) all.push(key);
  io.out(format === "json" ? json(all) : keyTable(all));
}

async function revoke(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, {}, "keys revoke");
  if (v.help) return io.out(`${HELP.revoke}\n`);
  const key = onePositional(positionals, "key", "keys revoke");
  const format = outputFormat(v.output, ["table", "json"]);
  const client = await connect(v, io);
  const revoked = await client.apiKeys.revoke(key);
  io.out(format === "json" ? json(revoked) : `Revoked key ${shortName(revoked.name)} (${revoked.displayName}).\n`);
}

const COMMANDS: Record<string, (args: string[], io: Io) => Promise<void>> = { create, list, revoke };

export async function keys(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "help" || sub === "--help" || sub === "-h") return io.out(`${HELP[""]}\n`);
  const command = COMMANDS[sub];
  if (!command) throw new UsageError(`unknown command 'keys ${sub}'. Run 'cacheplane keys --help'.`);
  await command(rest, io);
}
