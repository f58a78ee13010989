// The Operations running on this resource that another client started (another tab, the CLI,
// the worker's own maintenance); this tab's own are in the tray above every view.
import { useEffect, useRef } from "preact/hooks";
import { useClient } from "../client-context.js";
import { useTracked } from "../operations.js";
import type { Kind } from "../router.js";
import { usePoll } from "../use-poll.js";
import { OperationRow } from "./operation-row.js";

const REFRESH_MS = 1500;

export function RunningOperations({ kind, id, onChange }: { kind: Kind; id: string; onChange?: () => void }) {
  const client = useClient();
  const target = `projects/${client.project}/locations/${client.location}/${kind}s/${id}`;
  const running = usePoll(
    async () => (await client.operations.list({ pageSize: 50 })).operations.filter((op) => !op.done && op.metadata.target === target),
    REFRESH_MS,
    [client, target],
  );
  const mine = useTracked().filter((t) => t.operation.metadata.target === target);
  const names = new Set(mine.map((t) => t.operation.name));
  const others = (running.value ?? []).filter((op) => !names.has(op.name));

  // When something ends, the resource has changed: read it now rather than on the next tick.
  const count = others.length + mine.filter((t) => !t.operation.done).length;
  const last = useRef(count);
  useEffect(() => {
    if (count < last.current) onChange?.();
    last.current = count;
  }, [count, onChange]);

  if (!others.length) return null;
  return (
    <section class="card" aria-labelledby="ops-title">
      <h2 id="ops-title">Running operations</h2>
      <ul class="operations">
        {others.map((op) => (
          <OperationRow key={op.name} op={op} />
        ))}
      </ul>
    </section>
  );
}
