// cacheplane maintenance-versions list|release: the engine catalogue's builds (a cacheplane
// addition; in the cloud Google releases them, here the operator does). A release is what gets
// older instances and clusters scheduled for maintenance. Flags and --help from the tables below.
import { noPositionals, onePositional, outputFormat } from "../args.js";
import { command, commandGroup } from "../command.js";
import { connect } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { json, maintenanceVersionTable } from "../output.js";
import { MAINTENANCE_VERSION } from "./maintenance.js";

const list = command(
  {
    args: "[-o table|json]",
    summary: "List the maintenance versions of the engine catalogue, oldest first",
    flags: {},
    notes: "Each engine's first version is RELEASED from the start; the others are AVAILABLE until released.",
  },
  async ({ values: v, positionals }, io, name) => {
    noPositionals(positionals, name);
    const format = outputFormat(v.output, ["table", "json"]);
    const client = await connect(v, io);
    const { maintenanceVersions } = await client.maintenanceVersions.list();
    if (format === "json") return io.out(json(maintenanceVersions));
    io.out(maintenanceVersions.length ? maintenanceVersionTable(maintenanceVersions) : "No maintenance versions.\n");
  },
);

const release = command(
  {
    args: "<version> [-o table|json]",
    summary: "Release a maintenance version (needs an admin key)",
    flags: {},
    notes: `Instances and clusters on an older version of its engines are then scheduled for it: in their next
maintenance window, or at once when they have no maintenance policy ('get' shows the schedule,
'reschedule-maintenance' moves it). Releasing a released version changes nothing.`,
  },
  async ({ values: v, positionals }, io, name) => {
    const arg = onePositional(positionals, "version", name);
    const version = arg.replace(/^maintenanceVersions\//, "");
    if (!MAINTENANCE_VERSION.test(version)) {
      throw new UsageError(
        `the version must be a maintenance version such as 20261115_00_00, as 'cacheplane maintenance-versions list' prints it (got '${arg}')`,
      );
    }
    const format = outputFormat(v.output, ["table", "json"]);
    const client = await connect(v, io);
    const released = await client.maintenanceVersions.release(version);
    io.out(
      format === "json"
        ? json(released)
        : `Released ${released.maintenanceVersion} (${released.redisVersions.join(", ")}) at ${released.releaseTime ?? "?"}.\n`,
    );
  },
);

export const maintenanceVersions = commandGroup("maintenance-versions", { list, release });
