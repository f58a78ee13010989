// MemoryDB tags, kept by the tagged resource's uid (Instance.uid, Backup.uid, RedisUser.uid, ...)
// rather than its name: a resource deleted and made again under the same name starts untagged,
// as in AWS. The native API has labels for instances and clusters; tags are MemoryDB's own and
// stay apart from them (a label's key rules are Google's, a tag's are AWS's).
import type { PrismaClient } from "@cacheplane/db";
import { fault, invalidParameterValue } from "./faults.js";

export interface Tag {
  Key: string;
  Value?: string;
}

/** MemoryDB's limit per resource. */
export const MAX_TAGS = 50;
/** AWS keeps keys and values starting with it for its own tags. */
const RESERVED_PREFIX = "aws:";

/**
 * The tags by key, refused as MemoryDB refuses them: a reserved key, or more than a resource may
 * have. A create checks its Tags with this before it makes the resource, so a bad tag leaves
 * nothing behind.
 */
export function checkTags(tags: Tag[] | undefined): Map<string, string> {
  const wanted = new Map<string, string>();
  for (const tag of tags ?? []) {
    if (tag.Key.toLowerCase().startsWith(RESERVED_PREFIX))
      throw invalidParameterValue(`Tag key ${tag.Key}: keys starting with '${RESERVED_PREFIX}' are reserved`);
    // The last value of a key named twice wins, as AWS applies them in order.
    wanted.set(tag.Key, tag.Value ?? "");
  }
  quota(wanted.size);
  return wanted;
}

function quota(total: number) {
  if (total > MAX_TAGS) throw fault("TagQuotaPerResourceExceeded", `A resource may have at most ${MAX_TAGS} tags; this request would leave it with ${total}`);
}

/** Adds the tags to the resource, replacing the value of a key it has already (TagResource). */
export async function writeTags(prisma: PrismaClient, projectId: string, resourceUid: string, tags: Tag[] | undefined): Promise<void> {
  const wanted = checkTags(tags);
  if (wanted.size === 0) return;
  await prisma.$transaction(async (tx) => {
    // Two TagResource calls at once must not both pass the limit check: one at a time per resource.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`tags:${resourceUid}`}))`;
    const existing = await tx.resourceTag.findMany({ where: { resourceUid }, select: { key: true } });
    quota(new Set([...existing.map((t) => t.key), ...wanted.keys()]).size);
    for (const [key, value] of wanted) {
      await tx.resourceTag.upsert({
        where: { resourceUid_key: { resourceUid, key } },
        create: { resourceUid, projectId, key, value },
        update: { value },
      });
    }
  });
}

/** The resource's tags, by key. */
export async function readTags(prisma: PrismaClient, resourceUid: string): Promise<{ Key: string; Value: string }[]> {
  const rows = await prisma.resourceTag.findMany({ where: { resourceUid }, orderBy: { key: "asc" } });
  return rows.map((row) => ({ Key: row.key, Value: row.value }));
}

/** Removes the named keys (UntagResource); a key the resource does not have is TagNotFoundFault. */
export async function removeTags(prisma: PrismaClient, resourceUid: string, keys: string[]): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const existing = new Set((await tx.resourceTag.findMany({ where: { resourceUid, key: { in: keys } }, select: { key: true } })).map((t) => t.key));
    const missing = keys.find((key) => !existing.has(key));
    if (missing !== undefined) throw fault("TagNotFoundFault", `Tag ${missing} not found on the resource`);
    await tx.resourceTag.deleteMany({ where: { resourceUid, key: { in: keys } } });
  });
}

/** Every tag of a resource, when the resource itself is deleted. */
export async function deleteTags(prisma: PrismaClient, resourceUid: string): Promise<void> {
  await prisma.resourceTag.deleteMany({ where: { resourceUid } });
}
