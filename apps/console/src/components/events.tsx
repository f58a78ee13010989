// What happened to the resource, newest first: the first page of its event log, read again
// every few seconds (failovers, repairs, zone outages show up here as they happen).
import { useClient } from "../client-context.js";
import { messageOf } from "../errors.js";
import type { Kind } from "../router.js";
import { usePoll } from "../use-poll.js";

const REFRESH_MS = 3000;

/** `state`: a change of the resource's state (READY after a failover, …) reads the log at once. */
export function Events({ kind, id, state }: { kind: Kind; id: string; state: string }) {
  const client = useClient();
  const events = usePoll(
    async () => (kind === "instance" ? client.instances.events(id, { pageSize: 50 }) : client.clusters.events(id, { pageSize: 50 })),
    REFRESH_MS,
    [client, kind, id, state],
  );
  const list = events.value?.events ?? [];
  return (
    <section class="card" aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      {events.error !== undefined && (
        <p class="error" role="alert">
          {messageOf(events.error)}
        </p>
      )}
      {events.value && list.length === 0 && <p class="muted">No events yet.</p>}
      <ol class="timeline">
        {list.map((e, i) => (
          <li key={`${e.time}-${i}`} data-event-type={e.type}>
            <time dateTime={e.time}>{new Date(e.time).toLocaleTimeString()}</time>
            <span class="event-type">{e.type}</span>
            <span class="event-message">{e.message}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
