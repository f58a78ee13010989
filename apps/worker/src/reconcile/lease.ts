// One reconcile per instance at a time, across workers: a lease row with an expiry and a
// fencing epoch. Writes that matter carry the epoch, so a worker that lost its lease (paused,
// partitioned) cannot overwrite a newer one's work. A lease held by a dead process on this
// machine is taken over at once instead of waiting for it to expire.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@cacheplane/db";

export const LEASE_TTL_MS = 5_000;

export interface Lease {
  uid: string;
  owner: string;
  epoch: number;
  /** Stops renewal and gives the lease back. */
  release(): Promise<void>;
}

const HOST = hostname();
const newOwner = () => `${HOST}/${process.pid}/${randomBytes(4).toString("hex")}`;

function ownerIsDeadHere(owner: string | null): boolean {
  if (!owner) return false;
  const [host, pid] = owner.split("/");
  if (host !== HOST || !pid || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export async function acquireLease(prisma: PrismaClient, uid: string): Promise<Lease | undefined> {
  const owner = newOwner();
  const now = new Date();
  const until = () => new Date(Date.now() + LEASE_TTL_MS);
  let taken = await prisma.instance.updateMany({
    where: { uid, OR: [{ leaseOwner: null }, { leaseUntil: { lt: now } }] },
    data: { leaseOwner: owner, leaseUntil: until(), leaseEpoch: { increment: 1 } },
  });
  if (taken.count === 0) {
    const current = await prisma.instance.findUnique({ where: { uid }, select: { leaseOwner: true } });
    if (!current || !ownerIsDeadHere(current.leaseOwner)) return undefined;
    taken = await prisma.instance.updateMany({
      where: { uid, leaseOwner: current.leaseOwner },
      data: { leaseOwner: owner, leaseUntil: until(), leaseEpoch: { increment: 1 } },
    });
    if (taken.count === 0) return undefined;
  }
  const row = await prisma.instance.findUnique({ where: { uid }, select: { leaseEpoch: true, leaseOwner: true } });
  if (!row || row.leaseOwner !== owner) return undefined;
  const epoch = row.leaseEpoch;
  const renew = setInterval(() => {
    prisma.instance.updateMany({ where: { uid, leaseOwner: owner, leaseEpoch: epoch }, data: { leaseUntil: until() } }).catch(() => undefined); // a failed renewal only shortens the lease; fencing keeps us safe
  }, LEASE_TTL_MS / 3);
  renew.unref();
  return {
    uid,
    owner,
    epoch,
    async release() {
      clearInterval(renew);
      await prisma.instance
        .updateMany({ where: { uid, leaseOwner: owner, leaseEpoch: epoch }, data: { leaseOwner: null, leaseUntil: null } })
        .catch(() => undefined);
    },
  };
}
