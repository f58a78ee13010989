// Audit rows are written off the request path: record() only queues, and one createMany a few
// milliseconds later writes every row queued meanwhile, so a burst of mutations costs one insert
// and a slow or failing database never slows or fails a request. A failed write is logged (with
// the count lost, never the rows' content beyond ids) and dropped rather than retried forever.
import type { PrismaClient } from "@cacheplane/db";

export interface AuditEntry {
  projectId: string;
  time: Date;
  keyId: string;
  method: string;
  operation: string;
  resource: string;
  requestId?: string;
  status: number;
  operationName?: string;
}

export interface AuditWriter {
  record(entry: AuditEntry): void;
  /** Writes everything queued so far; resolves once it is in the database (or given up). */
  flush(): Promise<void>;
}

interface Log {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface AuditWriterOptions {
  delayMs?: number;
  maxBatch?: number;
  /** Beyond this many queued rows (a database that has stopped answering) new ones are dropped. */
  maxQueued?: number;
}

export function createAuditWriter(prisma: PrismaClient, log: Log, options: AuditWriterOptions = {}): AuditWriter {
  const { delayMs = 20, maxBatch = 500, maxQueued = 10_000 } = options;
  let queued: AuditEntry[] = [];
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  async function writeQueued() {
    if (dropped > 0) {
      log.warn({ dropped }, "audit log queue full; rows dropped");
      dropped = 0;
    }
    while (queued.length > 0) {
      const batch = queued.slice(0, maxBatch);
      queued = queued.slice(maxBatch);
      try {
        await prisma.auditLog.createMany({ data: batch });
      } catch (err) {
        log.error({ err: (err as Error).message, lost: batch.length }, "audit log write failed");
      }
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing.then(writeQueued);
    return writing;
  }

  return {
    record(entry) {
      if (queued.length >= maxQueued) {
        dropped++;
        return;
      }
      queued.push(entry);
      if (!timer) {
        timer = setTimeout(() => void flush(), delayMs);
        timer.unref();
      }
    },
    flush,
  };
}
