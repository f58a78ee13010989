// cacheplane locations list
import type { Location } from "@cacheplane/sdk";
import { GLOBAL_HELP, noPositionals, outputFormat, parse } from "../args.js";
import { connect, type Io } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { json, locationTable } from "../output.js";

const HELP = `Usage: cacheplane locations list [-o table|json]

Lists the locations of the project and their zones.

${GLOBAL_HELP}`;

export async function locations(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "help" || sub === "--help" || sub === "-h") return io.out(`${HELP}\n`);
  if (sub !== "list") throw new UsageError(`unknown command 'locations ${sub}'. Run 'cacheplane locations --help'.`);
  const { values: v, positionals } = parse(rest, {}, "locations list");
  if (v.help) return io.out(`${HELP}\n`);
  noPositionals(positionals, "locations list");
  const format = outputFormat(v.output, ["table", "json"]);
  const client = await connect(v, io);
  const all: Location[] = [];
  for await (const location of client.locations.all()) all.push(location);
  io.out(format === "json" ? json(all) : locationTable(all));
}
