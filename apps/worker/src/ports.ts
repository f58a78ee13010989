// Ports are allocated per instance: every node of an instance listens on the instance's port
// at its own loopback address, and the primary also on the endpoint address. The port is the
// lowest in the range that no instance holds and that nothing on the machine is bound to at
// the endpoint address; a unique (host, port) constraint settles races between workers.
import type { PrismaClient } from "@cacheplane/db";

export async function candidatePorts(prisma: PrismaClient, range: { first: number; last: number }) {
  const taken = new Set((await prisma.instance.findMany({ where: { port: { not: null } }, select: { port: true } })).map((i) => i.port));
  const free: number[] = [];
  for (let port = range.first; port <= range.last && free.length < 32; port++) {
    if (!taken.has(port)) free.push(port);
  }
  return free;
}
