// A rename is durable only once its directory is flushed: a key or a backup that a crash could
// take back after we said it was written is worse than none.
import { open } from "node:fs/promises";

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
