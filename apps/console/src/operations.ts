// The Operations this tab started: each action adds its Operation here, and the tray polls it
// until it is done, so every action shows its progress (statusDetail) and its outcome even after
// the user moves to another view. Finished ones stay a while so the outcome can be read.
import type { CacheplaneClient, Operation } from "@cacheplane/sdk";
import { useEffect, useState } from "preact/hooks";

const KEEP_DONE_MS = 20_000;
const POLL_MS = 700;

export interface Tracked {
  operation: Operation;
  /** What the user asked for, in words ("fail over my-cache"). */
  label: string;
  doneAt?: number;
  pollError?: string;
}

let tracked: Tracked[] = [];
const listeners = new Set<() => void>();
const changed = () => {
  for (const listener of listeners) listener();
};
let timer: ReturnType<typeof setTimeout> | undefined;

export function track(client: CacheplaneClient, operation: Operation, label: string) {
  tracked = [{ operation, label, ...(operation.done ? { doneAt: Date.now() } : {}) }, ...tracked.filter((t) => t.operation.name !== operation.name)];
  changed();
  schedule(client);
}

function schedule(client: CacheplaneClient) {
  if (timer !== undefined) return;
  timer = setTimeout(async () => {
    timer = undefined;
    const now = Date.now();
    tracked = tracked.filter((t) => !t.doneAt || now - t.doneAt < KEEP_DONE_MS);
    tracked = await Promise.all(
      tracked.map(async (t) => {
        if (t.operation.done) return t;
        try {
          const operation = await client.operations.get(t.operation.name);
          return { operation, label: t.label, ...(operation.done ? { doneAt: Date.now() } : {}) };
        } catch (e) {
          return { ...t, pollError: e instanceof Error ? e.message : String(e) };
        }
      }),
    );
    changed();
    if (tracked.length) schedule(client);
  }, POLL_MS);
}

export function forgetAll() {
  tracked = [];
  clearTimeout(timer);
  timer = undefined;
  changed();
}

export function useTracked(): Tracked[] {
  const [list, setList] = useState(tracked);
  useEffect(() => {
    const listener = () => setList(tracked);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return list;
}
