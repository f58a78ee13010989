// cacheplane operations list|get|wait|cancel
import type { Cluster, Instance, Operation } from "@cacheplane/sdk";
import { GLOBAL_HELP, durationMs, noPositionals, onePositional, outputFormat, parse } from "../args.js";
import { connect, type Io } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { clusterEnv, envLines, json, operationDetails, operationTable } from "../output.js";
import { WAIT_HELP, waitWithProgress } from "./wait.js";

const HELP: Record<string, string> = {
  "": `Usage: cacheplane operations <command>

Commands:
  list              List operations, newest first
  get <operation>   Show one operation
  wait <operation>  Wait until it is done, showing progress
  cancel <operation>  Ask to cancel it (a create is rolled back)

Run 'cacheplane operations <command> --help' for its flags.`,
  list: `Usage: cacheplane operations list [--limit N] [-o table|json]\n\n  --limit N   show at most N operations (default 50)\n\n${GLOBAL_HELP}`,
  get: `Usage: cacheplane operations get <operation> [-o table|json]\n\n${GLOBAL_HELP}`,
  wait: `Usage: cacheplane operations wait <operation> [--timeout DUR] [-o table|json|env]\n\n${WAIT_HELP.split("\n")[1]}\n\n-o env prints REDIS_URL=… when the operation created or updated an instance (for a cluster,\nalso REDIS_CLUSTER=1 and CACHEPLANE_CLUSTER=<name>).\n\n${GLOBAL_HELP}`,
  cancel: `Usage: cacheplane operations cancel <operation>\n\n${GLOBAL_HELP}`,
};

async function list(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, { limit: { type: "string" } }, "operations list");
  if (v.help) return io.out(`${HELP.list}\n`);
  noPositionals(positionals, "operations list");
  const format = outputFormat(v.output, ["table", "json"]);
  const limit = v.limit === undefined ? 50 : Number(v.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number (got '${v.limit}')`);
  const client = await connect(v, io);
  const ops: Operation[] = [];
  for await (const op of client.operations.all({ pageSize: Math.min(limit, 100) })) {
    ops.push(op);
    if (ops.length >= limit) break;
  }
  if (format === "json") return io.out(json(ops));
  io.out(ops.length ? operationTable(ops) : "No operations.\n");
}

async function get(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, {}, "operations get");
  if (v.help) return io.out(`${HELP.get}\n`);
  const id = onePositional(positionals, "operation", "operations get");
  const format = outputFormat(v.output, ["table", "json"]);
  const client = await connect(v, io);
  const op = await client.operations.get(id);
  io.out(format === "json" ? json(op) : operationDetails(op));
}

async function wait(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, { timeout: { type: "string" } }, "operations wait");
  if (v.help) return io.out(`${HELP.wait}\n`);
  const id = onePositional(positionals, "operation", "operations wait");
  const format = outputFormat(v.output);
  const timeoutMs = durationMs(v.timeout, 600_000);
  const client = await connect(v, io);
  const op = await client.operations.get(id);
  const done = await waitWithProgress(client, io, op, `${op.metadata.verb} ${op.metadata.target.split("/").pop()}`, timeoutMs);
  if (format === "json") return io.out(json(done));
  if (format === "table") return io.out(operationDetails(done));
  if (/\/clusters\/[^/]+$/.test(done.metadata.target)) {
    const cluster = done.response as Cluster | undefined;
    if (!cluster?.discoveryEndpoints?.length) throw new UsageError("-o env needs an operation whose result is a cluster with an endpoint");
    return io.out(envLines(clusterEnv(await client.clusters.get(cluster.name!))));
  }
  const instance = done.response as Instance | undefined;
  if (!instance?.host) throw new UsageError("-o env needs an operation whose result is an instance with an endpoint");
  io.out(envLines([["REDIS_URL", await client.instances.redisUrl(instance.name!)]]));
}

async function cancel(args: string[], io: Io) {
  const { values: v, positionals } = parse(args, {}, "operations cancel");
  if (v.help) return io.out(`${HELP.cancel}\n`);
  const id = onePositional(positionals, "operation", "operations cancel");
  const format = outputFormat(v.output, ["table", "json"]);
  const client = await connect(v, io);
  await client.operations.cancel(id);
  const op = await client.operations.get(id);
  io.out(format === "json" ? json(op) : `Cancel requested for ${id}.\n${operationDetails(op)}`);
}

const COMMANDS: Record<string, (args: string[], io: Io) => Promise<void>> = { list, get, wait, cancel };

export async function operations(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "help" || sub === "--help" || sub === "-h") return io.out(`${HELP[""]}\n`);
  const command = COMMANDS[sub];
  if (!command) throw new UsageError(`unknown command 'operations ${sub}'. Run 'cacheplane operations --help'.`);
  await command(rest, io);
}
