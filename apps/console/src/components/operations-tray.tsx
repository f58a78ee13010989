// This tab's Operations, on every view: an action started on one page is still followed after
// the user moves to another, above each view. Announced politely to screen readers as they change.
import { useTracked } from "../operations.js";
import { OperationRow } from "./operation-row.js";

export function OperationsTray() {
  const tracked = useTracked();
  if (!tracked.length) return null;
  return (
    <aside class="tray" aria-label="Your operations" aria-live="polite">
      <ul class="operations">
        {tracked.map((t) => (
          <OperationRow key={t.operation.name} op={t.operation} label={t.label} />
        ))}
      </ul>
    </aside>
  );
}
