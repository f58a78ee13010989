// How to connect: redis-cli and redis:// forms of each endpoint, each with a copy button. The
// AUTH string is fetched (GET …/authString) only when the user asks to see it, and is never kept
// beyond this view.
import { useState } from "preact/hooks";
import { useClient } from "../client-context.js";
import { connectionStrings, type Deployment } from "../deployment.js";
import { messageOf } from "../errors.js";

export function Connection({ d }: { d: Deployment }) {
  const client = useClient();
  const [auth, setAuth] = useState<string>();
  const [error, setError] = useState<string>();
  const show = async () => {
    setError(undefined);
    try {
      setAuth((await client.instances.authString(d.id)) ?? "");
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const endpoints = [
    ...(d.endpoint ? [{ label: d.kind === "cluster" ? "Discovery endpoint" : "Primary endpoint", at: d.endpoint }] : []),
    ...(d.readEndpoint ? [{ label: "Read endpoint", at: d.readEndpoint }] : []),
  ];
  return (
    <section class="card" aria-labelledby="connect-title">
      <h2 id="connect-title">Connect</h2>
      {endpoints.length === 0 && <p class="muted">No endpoint yet.</p>}
      {endpoints.map((e) => {
        const s = connectionStrings(d, e.at, auth || undefined);
        return (
          <div key={e.label} class="endpoint">
            <h3>{e.label}</h3>
            <CopyLine label={`${e.label}, redis-cli`} text={s.cli} />
            <CopyLine label={`${e.label}, URL`} text={s.url} />
          </div>
        );
      })}
      {d.authEnabled && (
        <div class="auth">
          {auth === undefined ? (
            <button type="button" class="secondary" onClick={show}>
              Show AUTH string
            </button>
          ) : (
            <>
              <CopyLine label="AUTH string" text={auth || "(none)"} />
              <button type="button" class="secondary" onClick={() => setAuth(undefined)}>
                Hide AUTH string
              </button>
            </>
          )}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

function CopyLine({ label, text }: { label: string; text: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard (plain http on another host): the text is selectable in the field.
    }
  };
  return (
    <div class="copy-line">
      <input class="mono" readOnly value={text} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
      <button type="button" class="secondary" onClick={copy} aria-label={`Copy ${label}`}>
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
