// Imports are checked before a node is pointed at them: Redis itself finds a bad file only at
// start-up, when it refuses to load it and exits, and the instance would be down until fixed.

import { open } from "node:fs/promises";
import { NotAnRdbFileError } from "./errors.js";

/** "REDIS" and the 4-digit RDB format version, e.g. "REDIS0010" (Redis 7.0), "REDIS0012" (7.4). */
const RDB_MAGIC = /^REDIS[0-9]{4}$/;
const MAGIC_BYTES = 9;

/** True when the file starts with Redis's RDB magic ("REDIS" followed by 4 ASCII digits). A missing
 *  file throws (ENOENT): that is not an answer about its contents. */
export async function isRdbFile(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(MAGIC_BYTES);
    let filled = 0;
    while (filled < MAGIC_BYTES) {
      const { bytesRead } = await handle.read(head, filled, MAGIC_BYTES - filled, filled);
      if (bytesRead === 0) return false;
      filled += bytesRead;
    }
    return RDB_MAGIC.test(head.toString("latin1"));
  } finally {
    await handle.close();
  }
}

/** Throws NotAnRdbFileError("<what> is not an RDB file (it does not start with the REDIS magic)"). */
export async function assertRdbFile(path: string, what: string): Promise<void> {
  if (!(await isRdbFile(path))) throw new NotAnRdbFileError(`${what} is not an RDB file (it does not start with the REDIS magic)`);
}
