// Create an instance or a cluster. The form does not validate anything itself (noValidate): the
// API is the one judge, and its INVALID_ARGUMENT field violations are shown next to the fields
// they name, so the console can never disagree with the contract.
import type { ClusterInput, InstanceInput } from "@cacheplane/sdk";
import { useState } from "preact/hooks";
import { useClient } from "../client-context.js";
import { Field } from "../components/field.js";
import { messageOf, violationsOf } from "../errors.js";
import { track } from "../operations.js";
import { type Kind, navigate } from "../router.js";

type Values = Record<string, string | boolean>;

const DEFAULTS: Record<Kind, Values> = {
  instance: { id: "", tier: "STANDARD_HA", memorySizeGb: "1", replicaCount: "1", authEnabled: false },
  cluster: { id: "", shardCount: "3", replicaCount: "1", nodeType: "REDIS_SHARED_CORE_NANO" },
};

/** An input's text as the number the API expects, or the text itself so the API can say why not. */
const num = (v: string | boolean | undefined) => (v === "" || v === undefined ? undefined : Number.isNaN(Number(v)) ? v : Number(v));

function bodyOf(kind: Kind, v: Values): InstanceInput | ClusterInput {
  const body: Record<string, unknown> =
    kind === "instance"
      ? {
          tier: v.tier,
          memorySizeGb: num(v.memorySizeGb),
          authEnabled: v.authEnabled === true,
          ...(v.tier === "STANDARD_HA" ? { replicaCount: num(v.replicaCount) } : {}),
        }
      : { shardCount: num(v.shardCount), replicaCount: num(v.replicaCount), nodeType: v.nodeType };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) as InstanceInput;
}

export function CreateForm({ kind }: { kind: Kind }) {
  const client = useClient();
  const [values, setValues] = useState<Values>(DEFAULTS[kind]);
  const [violations, setViolations] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const idField = kind === "instance" ? "instanceId" : "clusterId";
  const set = (name: string) => (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    setValues({ ...values, [name]: input.type === "checkbox" ? input.checked : input.value });
  };
  const text = (name: string) => String(values[name] ?? "");

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setViolations({});
    const id = text("id").trim();
    try {
      const body = bodyOf(kind, values);
      const op = kind === "instance" ? await client.instances.create(id, body as InstanceInput) : await client.clusters.create(id, body as ClusterInput);
      track(client, op, `create ${kind} ${id}`);
      navigate({ view: "detail", kind, id });
    } catch (err) {
      const found = violationsOf(err);
      setViolations(found);
      // What no field shows (or an error that is not a validation one) goes above the button.
      const known = new Set([idField, "tier", "memorySizeGb", "replicaCount", "authEnabled", "shardCount", "nodeType"]);
      const rest = Object.entries(found).filter(([field]) => !known.has(field));
      if (!Object.keys(found).length) setError(messageOf(err));
      else if (rest.length) setError(rest.map(([f, d]) => `${f}: ${d}`).join("; "));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>Create {kind === "instance" ? "an instance" : "a cluster"}</h1>
      <form class="card form" onSubmit={submit} noValidate>
        <Field
          id={idField}
          label={kind === "instance" ? "Instance id" : "Cluster id"}
          violation={violations[idField]}
          hint="Lowercase letters, digits and hyphens."
        >
          <input
            id={idField}
            name={idField}
            value={text("id")}
            onInput={set("id")}
            autocomplete="off"
            aria-invalid={violations[idField] ? "true" : undefined}
          />
        </Field>
        {kind === "instance" ? (
          <>
            <Field id="tier" label="Tier" violation={violations.tier}>
              <select id="tier" name="tier" value={text("tier")} onChange={set("tier")}>
                <option value="BASIC">BASIC (one node)</option>
                <option value="STANDARD_HA">STANDARD_HA (a primary and replicas, across zones)</option>
              </select>
            </Field>
            <Field id="memorySizeGb" label="Memory (GB)" violation={violations.memorySizeGb}>
              <input
                id="memorySizeGb"
                name="memorySizeGb"
                type="number"
                inputMode="numeric"
                value={text("memorySizeGb")}
                onInput={set("memorySizeGb")}
                aria-invalid={violations.memorySizeGb ? "true" : undefined}
              />
            </Field>
            {values.tier === "STANDARD_HA" && (
              <Field id="replicaCount" label="Replicas" violation={violations.replicaCount}>
                <input id="replicaCount" name="replicaCount" type="number" inputMode="numeric" value={text("replicaCount")} onInput={set("replicaCount")} />
              </Field>
            )}
            <div class="field check">
              <input id="authEnabled" name="authEnabled" type="checkbox" checked={values.authEnabled === true} onChange={set("authEnabled")} />
              <label for="authEnabled">Require an AUTH string</label>
            </div>
          </>
        ) : (
          <>
            <Field id="shardCount" label="Shards" violation={violations.shardCount}>
              <input id="shardCount" name="shardCount" type="number" inputMode="numeric" value={text("shardCount")} onInput={set("shardCount")} />
            </Field>
            <Field id="replicaCount" label="Replicas per shard" violation={violations.replicaCount}>
              <input id="replicaCount" name="replicaCount" type="number" inputMode="numeric" value={text("replicaCount")} onInput={set("replicaCount")} />
            </Field>
            <Field id="nodeType" label="Node type" violation={violations.nodeType}>
              <select id="nodeType" name="nodeType" value={text("nodeType")} onChange={set("nodeType")}>
                <option value="REDIS_SHARED_CORE_NANO">REDIS_SHARED_CORE_NANO</option>
                <option value="REDIS_STANDARD_SMALL">REDIS_STANDARD_SMALL</option>
                <option value="REDIS_HIGHMEM_MEDIUM">REDIS_HIGHMEM_MEDIUM</option>
                <option value="REDIS_HIGHMEM_XLARGE">REDIS_HIGHMEM_XLARGE</option>
              </select>
            </Field>
          </>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="buttons">
          <button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create"}
          </button>
          <a class="button secondary" href="#/">
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}
