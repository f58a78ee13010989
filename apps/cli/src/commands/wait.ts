// Shared by every mutating command: print the started Operation, or wait for it with live
// progress (--wait) and hand back the finished one.
import type { CacheplaneClient, Operation } from "@cacheplane/sdk";
import type { OutputFormat } from "../args.js";
import type { Io } from "../context.js";
import { json, operationDetails, shortName } from "../output.js";
import { startProgress } from "../progress.js";

export const WAIT_HELP = `  --wait             wait until the operation is done, showing its progress on stderr
  --timeout DUR      how long --wait waits (default 10m), e.g. 90s, 5m`;

export const WAIT_OPTIONS = { wait: { type: "boolean" }, timeout: { type: "string" } } as const;

export async function waitWithProgress(client: CacheplaneClient, io: Io, op: Operation, label: string, timeoutMs: number): Promise<Operation> {
  const progress = startProgress(io, label);
  try {
    return await client.operations.wait(op, { timeoutMs, onProgress: (o) => progress.update(o) });
  } finally {
    progress.stop();
  }
}

export function printStarted(io: Io, op: Operation, format: OutputFormat) {
  if (format === "json") return io.out(json(op));
  const id = shortName(op.name);
  io.out(operationDetails(op));
  io.out(`\nRunning. Follow it with: cacheplane operations wait ${id}\n`);
}
