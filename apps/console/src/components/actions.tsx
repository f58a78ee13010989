// What can be done to the resource. Each action is one SDK call whose Operation goes to the tray
// (followed until done); a refusal is shown here in the API's words (FAILED_PRECONDITION while
// another change runs, PERMISSION_DENIED for a viewer key, a field violation for a bad size).
import type { Operation } from "@cacheplane/sdk";
import { useState } from "preact/hooks";
import { useClient } from "../client-context.js";
import type { Deployment } from "../deployment.js";
import { messageOf, violationsOf } from "../errors.js";
import { track } from "../operations.js";
import { navigate } from "../router.js";
import { ConfirmDialog } from "./confirm-dialog.js";

export function Actions({ d, onDone }: { d: Deployment; onDone: () => void }) {
  const client = useClient();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const isInstance = d.kind === "instance";
  const ha = isInstance ? d.instance?.tier === "STANDARD_HA" : (d.cluster?.replicaCount ?? 0) > 0;
  const [memory, setMemory] = useState(String(d.instance?.memorySizeGb ?? ""));
  const [replicas, setReplicas] = useState(String((isInstance ? d.instance?.replicaCount : d.cluster?.replicaCount) ?? 0));
  const [shards, setShards] = useState(String(d.cluster?.shardCount ?? 1));
  const [shard, setShard] = useState(d.shards[0]?.id ?? "0001");

  const run = async (label: string, call: () => Promise<Operation>, after?: () => void) => {
    setBusy(true);
    setError(undefined);
    try {
      track(client, await call(), `${label} ${d.id}`);
      onDone();
      after?.();
    } catch (e) {
      const violations = Object.entries(violationsOf(e));
      setError(violations.length ? violations.map(([f, m]) => `${f}: ${m}`).join("; ") : messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const update = (label: string, patch: Record<string, number>) =>
    run(label, () => (isInstance ? client.instances.update(d.id, patch) : client.clusters.update(d.id, patch)));

  return (
    <section class="card" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <div class="actions">
        {isInstance && (
          <NumberAction
            id="act-memory"
            label="Memory (GB)"
            value={memory}
            setValue={setMemory}
            button="Resize"
            busy={busy}
            onRun={() => update("resize", { memorySizeGb: Number(memory) })}
          />
        )}
        {(!isInstance || ha) && (
          <NumberAction
            id="act-replicas"
            label={isInstance ? "Replicas" : "Replicas per shard"}
            value={replicas}
            setValue={setReplicas}
            button="Change replicas"
            busy={busy}
            onRun={() => update("change replicas of", { replicaCount: Number(replicas) })}
          />
        )}
        {!isInstance && (
          <NumberAction
            id="act-shards"
            label="Shards"
            value={shards}
            setValue={setShards}
            button="Reshard"
            busy={busy}
            onRun={() => update("reshard", { shardCount: Number(shards) })}
          />
        )}
      </div>
      <div class="buttons">
        {isInstance && ha && (
          <button type="button" disabled={busy} onClick={() => run("fail over", () => client.instances.failover(d.id))}>
            Fail over
          </button>
        )}
        {!isInstance && ha && (
          <span class="inline-action">
            <label for="act-shard">Shard</label>
            <select id="act-shard" value={shard} onChange={(e) => setShard(e.currentTarget.value)}>
              {d.shards.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.id}
                </option>
              ))}
            </select>
            <button type="button" disabled={busy} onClick={() => run(`fail over shard ${shard} of`, () => client.clusters.failoverShard(d.id, { shard }))}>
              Fail over shard
            </button>
          </span>
        )}
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => run("back up", () => (isInstance ? client.instances.backup(d.id) : client.clusters.backup(d.id)))}
        >
          Back up
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => setConfirming(true)}>
          Delete…
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ConfirmDialog
        open={confirming}
        title={`Delete ${d.kind} ${d.id}?`}
        expect={d.id}
        confirmLabel={`Delete ${d.id}`}
        onClose={() => setConfirming(false)}
        onConfirm={() =>
          run(
            "delete",
            () => (isInstance ? client.instances.delete(d.id) : client.clusters.delete(d.id)),
            () => navigate({ view: "list" }),
          )
        }
      />
    </section>
  );
}

function NumberAction({
  id,
  label,
  value,
  setValue,
  button,
  busy,
  onRun,
}: {
  id: string;
  label: string;
  value: string;
  setValue: (v: string) => void;
  button: string;
  busy: boolean;
  onRun: () => void;
}) {
  return (
    <form
      class="inline-action"
      onSubmit={(e) => {
        e.preventDefault();
        onRun();
      }}
    >
      <label for={id}>{label}</label>
      <input id={id} type="number" inputMode="numeric" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      <button type="submit" class="secondary" disabled={busy}>
        {button}
      </button>
    </form>
  );
}
