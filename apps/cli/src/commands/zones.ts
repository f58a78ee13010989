// cacheplane zones list|fail|recover: zone fault injection (a cacheplane addition, for resilience
// tests). A failed zone's nodes stop as in an outage; HA deployments fail over out of it and
// rejoin when it recovers. Failing and recovering need an admin key: a zone holds every project.
import { noPositionals, onePositional, outputFormat } from "../args.js";
import { command, commandGroup } from "../command.js";
import { connect } from "../context.js";
import { json, table } from "../output.js";

const list = command(
  {
    args: "[-o table|json]",
    summary: "List the location's zones and whether each is UP or DOWN",
    flags: {},
  },
  async ({ values: v, positionals }, io, name) => {
    noPositionals(positionals, name);
    const format = outputFormat(v.output, ["table", "json"]);
    const zones = await (await connect(v, io)).zones.list();
    io.out(
      format === "json"
        ? json(zones)
        : table(
            ["ZONE", "STATE"],
            zones.map((z) => [z.zone, z.state]),
          ),
    );
  },
);

const change = (verb: "fail" | "recover") =>
  command(
    {
      args: "<zone> [-o table|json]",
      summary:
        verb === "fail"
          ? "Take a zone down as an outage would: its nodes stop, HA deployments fail over out of it (admin key)"
          : "Bring a zone back: its nodes start again and rejoin as replicas (admin key)",
      flags: {},
      notes:
        verb === "fail"
          ? `A BASIC deployment in the zone is down until it recovers. Failing a zone that is DOWN changes nothing.
Example: cacheplane zones fail local1-a && cacheplane instances get my-cache`
          : "Recovering a zone that is UP changes nothing.",
    },
    async ({ values: v, positionals }, io, name) => {
      const zone = onePositional(positionals, "zone", name);
      const format = outputFormat(v.output, ["table", "json"]);
      const client = await connect(v, io);
      const changed = verb === "fail" ? await client.zones.fail(zone) : await client.zones.recover(zone);
      io.out(format === "json" ? json(changed) : `Zone ${changed.name.split("/").pop()} is ${changed.state}.\n`);
    },
  );

export const zones = commandGroup("zones", { list, fail: change("fail"), recover: change("recover") });
