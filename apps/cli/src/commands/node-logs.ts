// cacheplane instances logs / clusters logs: a data node's own log lines, as the API gives them
// (newest --tail, oldest first, secrets redacted). One file for both groups' commands, so
// instances.ts and clusters.ts only list them.
import { onePositional, outputFormat, positiveInt, type Flags } from "../args.js";
import { command } from "../command.js";
import { connect, type Io } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { json } from "../output.js";

const TAIL_FLAG = {
  tail: { type: "string", arg: "N", help: "the newest N lines (default 100, at most 10000)" },
} as const satisfies Flags;

function print(io: Io, logs: { node: string; lines: string[] }, format: string) {
  if (format === "json") return io.out(json(logs));
  io.out(logs.lines.map((l) => `${l}\n`).join(""));
}

export const instanceLogs = command(
  {
    args: "<id> [--node ID] [--tail N] [-o table|json]",
    summary: "Show a node's own log lines (default: the primary's), secrets redacted",
    flags: { node: { type: "string", arg: "ID", help: "a node id as 'instances get' shows it (default: the primary)" }, ...TAIL_FLAG },
    notes: "The lines are redis-server's own log, oldest first; AUTH strings and users' passwords read [redacted].",
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    const format = outputFormat(v.output, ["table", "json"]);
    const tail = positiveInt(v.tail, "--tail");
    const client = await connect(v, io);
    let node = v.node;
    if (node === undefined) {
      const instance = await client.instances.get(id);
      node = (instance.nodes ?? []).find((n) => n.role === "PRIMARY")?.id;
      if (!node) throw new UsageError(`instance ${id} has no primary node yet (state ${instance.state}); name one with --node`);
    }
    print(io, await client.instances.logs(id, node, tail !== undefined ? { tail } : {}), format);
  },
);

export const clusterLogs = command(
  {
    args: "<id> --node ID [--tail N] [-o table|json]",
    summary: "Show a cluster node's own log lines, secrets redacted",
    flags: { node: { type: "string", arg: "ID", help: "a node id as 'clusters get' shows it (required)" }, ...TAIL_FLAG },
    notes: "The lines are redis-server's own log, oldest first; AUTH strings and users' passwords read [redacted].",
  },
  async ({ values: v, positionals }, io, name) => {
    const id = onePositional(positionals, "id", name);
    if (v.node === undefined) throw new UsageError(`--node is required: a node id as 'cacheplane clusters get ${id}' shows it`);
    const format = outputFormat(v.output, ["table", "json"]);
    const tail = positiveInt(v.tail, "--tail");
    const client = await connect(v, io);
    print(io, await client.clusters.logs(id, v.node, tail !== undefined ? { tail } : {}), format);
  },
);
