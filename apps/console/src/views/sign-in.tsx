// Sign in with an API key: it is checked with one read (the location list) before it is kept,
// so a wrong key is refused here, in the API's words, rather than on every view.
import { useState } from "preact/hooks";
import { messageOf } from "../errors.js";
import { clientFor } from "../session.js";

export function SignIn({ onSignedIn }: { onSignedIn: (apiKey: string) => void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await clientFor(key.trim()).locations.list();
      onSignedIn(key.trim());
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>cacheplane</h1>
      <form onSubmit={submit} class="card">
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="apiKey"
          type="password"
          autocomplete="off"
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          aria-describedby={error ? "sign-in-error" : undefined}
        />
        <p class="hint">Kept for this tab only (sessionStorage). `cacheplane up` prints the admin key once and saves it in ~/.cacheplane/admin-key.</p>
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
