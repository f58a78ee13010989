// Node ports are allocated by the control plane: the lowest port in the range that no node
// record holds and that nothing else on the machine is bound to. The unique (host, port)
// constraint settles races between workers.
import { createServer } from "node:net";
import type { PrismaClient } from "@cacheplane/db";

export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function candidatePorts(prisma: PrismaClient, host: string, range: { first: number; last: number }) {
  const taken = new Set((await prisma.node.findMany({ where: { host }, select: { port: true } })).map((n) => n.port));
  const free: number[] = [];
  for (let port = range.first; port <= range.last && free.length < 32; port++) {
    if (!taken.has(port)) free.push(port);
  }
  return free;
}
