// Live progress of a waited-for Operation on stderr: a spinner with the Operation's
// statusDetail on a terminal, one plain line per change otherwise (CI logs). stdout stays
// clean for `--output json|env`.
import type { Operation } from "@cacheplane/sdk";
import type { Io } from "./context.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface Progress {
  update(op: Operation): void;
  /** Clears the spinner line; safe to call twice. */
  stop(): void;
}

export function startProgress(io: Io, label: string): Progress {
  const started = Date.now();
  let detail = "starting";
  let last: string | undefined;
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

  if (!io.errIsTTY) {
    return {
      update(op) {
        const next = op.metadata.statusDetail;
        if (next && next !== last) io.err(`${label}: ${next} (${seconds()})\n`);
        last = next;
      },
      stop() {},
    };
  }

  let frame = 0;
  const draw = () => io.err(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label}: ${detail} (${seconds()})`);
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  let stopped = false;
  return {
    update(op) {
      detail = op.metadata.statusDetail || detail;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      io.err("\r\x1b[2K");
    },
  };
}
