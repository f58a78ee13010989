// The location's zones, each up or down, with fail and recover (POST …/zones/{zone}:fail |
// :recover, our fault-injection addition). Only an admin key may take a zone down, since a zone
// holds every project's nodes: other keys see the API's PERMISSION_DENIED here.
import { useState } from "preact/hooks";
import { useClient } from "../client-context.js";
import { StateBadge } from "../components/state-badge.js";
import { messageOf } from "../errors.js";
import { usePoll } from "../use-poll.js";

export function Zones() {
  const client = useClient();
  const zones = usePoll(() => client.zones.list(), 2000, [client]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const act = async (zone: string, verb: "fail" | "recover") => {
    setBusy(zone);
    setError(undefined);
    try {
      await (verb === "fail" ? client.zones.fail(zone) : client.zones.recover(zone));
      zones.refresh();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <section>
      <h1>Zones of {client.location}</h1>
      <p class="muted">Taking a zone down stops every node in it, as in a zone outage; HA instances fail over to another zone. Admin keys only.</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {zones.error !== undefined && (
        <p class="error" role="alert">
          {messageOf(zones.error)}
        </p>
      )}
      <ul class="zones">
        {(zones.value ?? []).map((z) => (
          <li key={z.zone} class="card zone" data-zone={z.zone} data-state={z.state}>
            <strong>{z.zone}</strong>
            <StateBadge state={z.state} />
            {z.state === "DOWN" ? (
              <button type="button" disabled={busy !== undefined} onClick={() => act(z.zone, "recover")}>
                Recover
              </button>
            ) : (
              <button type="button" class="danger" disabled={busy !== undefined} onClick={() => act(z.zone, "fail")}>
                Fail
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
