// Zone fault injection (our addition): failing a zone stops every node in it, as a real zone
// outage would; instances fail over or wait, and converge again when it recovers. A zone is
// shared by every project, so only a key with access to every project may fail one.
import type { ApiContext } from "../context.js";
import { notFound, permissionDenied } from "../errors.js";
import type { Principal } from "../plugins/auth.js";

interface ZoneKey {
  project: string;
  location: string;
  zone: string;
}

export function createZoneService(ctx: ApiContext) {
  const { prisma } = ctx;

  function check(principal: Principal | undefined, { location, zone }: ZoneKey) {
    if (location !== ctx.locations.location || !ctx.locations.zones.includes(zone)) throw notFound(`zone ${zone} in ${location}`);
    if (!principal?.projects.includes("*")) throw permissionDenied("failing a zone affects every project; it needs a key with access to every project");
  }

  async function setState(principal: Principal | undefined, key: ZoneKey, state: "UP" | "DOWN") {
    check(principal, key);
    const row = await prisma.zone.upsert({
      where: { locationId_zone: { locationId: key.location, zone: key.zone } },
      create: { locationId: key.location, zone: key.zone, state },
      update: { state },
    });
    const affected = await prisma.node.findMany({ where: { zone: key.zone }, select: { instanceUid: true }, distinct: ["instanceUid"] });
    await Promise.all(affected.map((n) => ctx.enqueueReconcile(n.instanceUid)));
    return {
      name: `projects/${key.project}/locations/${key.location}/zones/${key.zone}`,
      state,
      updateTime: row.updateTime.toISOString(),
    };
  }

  return {
    fail: (principal: Principal | undefined, key: ZoneKey) => setState(principal, key, "DOWN"),
    recover: (principal: Principal | undefined, key: ZoneKey) => setState(principal, key, "UP"),
    async states(location: string): Promise<Record<string, "UP" | "DOWN">> {
      const rows = await prisma.zone.findMany({ where: { locationId: location } });
      return Object.fromEntries(ctx.locations.zones.map((z) => [z, rows.find((r) => r.zone === z)?.state === "DOWN" ? "DOWN" : "UP"]));
    },
  };
}
export type ZoneService = ReturnType<typeof createZoneService>;
