// Shared by every mutating command: the --wait/--timeout and --request-id flags, printing the started
// Operation, or waiting for it with live progress and handing back the finished one.
import type { CacheplaneClient, Operation } from "@cacheplane/sdk";
import { flagHelp, type Flags, type OutputFormat } from "../args.js";
import type { Io } from "../context.js";
import { json, operationDetails, shortName } from "../output.js";
import { startProgress } from "../progress.js";

export const DEFAULT_WAIT_MS = 600_000;

export const WAIT_FLAGS = {
  wait: { type: "boolean", help: "wait until the operation is done, showing its progress on stderr" },
  timeout: { type: "string", arg: "DUR", help: "how long --wait waits (default 10m), e.g. 90s, 5m" },
} as const satisfies Flags;

/** Every mutation takes a requestId (AIP-155). */
export const REQUEST_ID = {
  "request-id": { type: "string", arg: "ID", help: "makes the call idempotent (a retry with the same id gets the same operation)" },
} as const satisfies Flags;

/** For commands whose flags are not a table yet. */
export const WAIT_OPTIONS = WAIT_FLAGS;
export const WAIT_HELP = flagHelp(WAIT_FLAGS);

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
