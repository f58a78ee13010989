// A modal confirmation on the browser's own <dialog>: it traps focus, Escape cancels, and the
// focus returns to the button that opened it. The user must type the resource's id to confirm
// a deletion, as cloud consoles ask, so a slip of the keyboard cannot delete the wrong thing.
import { useEffect, useRef, useState } from "preact/hooks";

export function ConfirmDialog({
  open,
  title,
  expect,
  confirmLabel,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  expect: string;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState("");
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setTyped("");
      dialog.showModal();
    } else if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" onClose={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          if (typed !== expect) e.preventDefault();
          else onConfirm();
        }}
      >
        <h2 id="confirm-title">{title}</h2>
        <label for="confirm-input">
          Type <strong class="mono">{expect}</strong> to confirm
        </label>
        <input id="confirm-input" autocomplete="off" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
        <div class="buttons">
          <button type="submit" class="danger" disabled={typed !== expect}>
            {confirmLabel}
          </button>
          <button type="button" class="secondary" onClick={() => ref.current?.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
