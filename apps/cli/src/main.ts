// The `cacheplane` command line: one dispatcher, one module per command group (loaded only
// when used, so `cacheplane instances list` never loads the control plane itself). Even the
// environment parsing and the error mapping (the SDK) are loaded only past `--help`: the
// bundle's entry stays a few kilobytes, so `cacheplane --help` costs about what `node -e 0` does.
import type { Io } from "./context.js";

const HELP = `Usage: cacheplane <command> [flags]

Control plane:
  up          Run the control plane (api + worker) with embedded defaults (--detach for background)
  down        Stop the control plane started by \`up\`
  status      Is it up, and how many instances does it run

Resources:
  instances   create | list | get | update | delete | failover | import | export
              upgrade | reschedule-maintenance
  clusters    create | list | get | update | delete | failover-shard | events (Redis Cluster)
              upgrade | reschedule-maintenance
  backups     create | list | get | delete | export (of instances and clusters)
  operations  list | get | wait | cancel
  locations   list
  zones       list | fail | recover (fault injection; fail and recover need an admin key)
  keys        create | list | revoke | aws-credentials (API keys; AWS credentials for MemoryDB)

Engine catalogue:
  maintenance-versions  list | release (release needs an admin key)

Run 'cacheplane <command> --help' for more. The API address and key come from --url/--api-key,
CACHEPLANE_URL/CACHEPLANE_API_KEY, or the cli.json that \`up\` writes in CACHEPLANE_DATA_DIR
(default ~/.cacheplane).

Exit codes: 0 ok, 1 failed, 2 usage or invalid argument, 3 not found, 4 conflict,
5 server unreachable or failing, 6 unauthenticated or forbidden, 7 --wait timed out.`;

type Command = (args: string[], io: Io) => Promise<void>;
const COMMANDS: Record<string, () => Promise<Command>> = {
  up: async () => (await import("./commands/control-plane.js")).up,
  down: async () => (await import("./commands/control-plane.js")).down,
  status: async () => (await import("./commands/control-plane.js")).status,
  instances: async () => (await import("./commands/instances.js")).instances,
  clusters: async () => (await import("./commands/clusters.js")).clusters,
  backups: async () => (await import("./commands/backups.js")).backups,
  operations: async () => (await import("./commands/operations.js")).operations,
  locations: async () => (await import("./commands/locations.js")).locations,
  zones: async () => (await import("./commands/zones.js")).zones,
  keys: async () => (await import("./commands/keys.js")).keys,
  "maintenance-versions": async () => (await import("./commands/maintenance-versions.js")).maintenanceVersions,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const load = COMMANDS[command];
  const { EXIT, UsageError } = await import("./exit-codes.js");
  if (!load) throw new UsageError(`unknown command '${command}'. Run 'cacheplane --help'.`);
  const { loadCliEnv } = await import("./env.js");
  const io: Io = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTTY: Boolean(process.stderr.isTTY),
    env: loadCliEnv(),
  };
  await (await load())(rest, io);
  return EXIT.OK;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (error: unknown) => {
    // One line, no stack: every expected error says what went wrong and, where it can, what to do.
    const [{ CliEnvError }, { EXIT, exitCodeOf, messageOf }] = await Promise.all([import("./env.js"), import("./exit-codes.js")]);
    const code = error instanceof CliEnvError ? EXIT.USAGE : exitCodeOf(error);
    process.stderr.write(`cacheplane: ${messageOf(error)}\n`);
    process.exit(code);
  },
);
