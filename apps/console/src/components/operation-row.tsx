// One Operation: its verb, what it is doing now (statusDetail), how long it has run, and how it
// ended. There is no percentage in the API, so progress is the statusDetail and the clock.
import type { Operation } from "@cacheplane/sdk";

const seconds = (from: string, to?: string) => Math.max(0, ((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000).toFixed(0);
const shortName = (name: string) => name.slice(name.lastIndexOf("/") + 1);

export function OperationRow({ op, label }: { op: Operation; label?: string }) {
  const m = op.metadata;
  const outcome = !op.done ? "running" : op.error ? "failed" : "done";
  return (
    <li class={`operation ${outcome}`} data-operation={shortName(op.name)} data-verb={m.verb} data-done={String(op.done)}>
      <div class="op-head">
        <strong>{label ?? `${m.verb} ${shortName(m.target)}`}</strong>
        <span class="muted">
          {outcome} · {seconds(m.createTime, m.endTime)} s
        </span>
      </div>
      {!op.done && <progress aria-label={`${m.verb} in progress`} />}
      {m.statusDetail && <p class="status-detail">{m.statusDetail}</p>}
      {op.error && (
        <p class="error" role="alert">
          {op.error.message}
        </p>
      )}
    </li>
  );
}
