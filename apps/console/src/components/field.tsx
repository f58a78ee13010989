// A labelled input with the API's own complaint about it underneath (a field violation of an
// INVALID_ARGUMENT), tied to the input for screen readers.
import type { ComponentChildren } from "preact";

export function Field({
  id,
  label,
  violation,
  hint,
  children,
}: {
  id: string;
  label: string;
  violation?: string | undefined;
  hint?: string;
  children: ComponentChildren;
}) {
  return (
    <div class={`field${violation ? " invalid" : ""}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && <p class="hint">{hint}</p>}
      {violation && (
        <p class="violation" id={`${id}-violation`} data-field={id} role="alert">
          {violation}
        </p>
      )}
    </div>
  );
}
