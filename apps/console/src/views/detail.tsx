// One instance or cluster: what it is, what is running on it, its topology, how to connect,
// live charts, its events and its nodes' logs, each read again every few seconds while the view is open.
import { CacheplaneError } from "@cacheplane/sdk";
import { useClient } from "../client-context.js";
import { Actions } from "../components/actions.js";
import { Charts } from "../components/charts.js";
import { Connection } from "../components/connection.js";
import { Events } from "../components/events.js";
import { NodeLogs } from "../components/node-logs.js";
import { RunningOperations } from "../components/running-operations.js";
import { StateBadge } from "../components/state-badge.js";
import { Topology } from "../components/topology.js";
import { loadDeployment } from "../deployment.js";
import { messageOf } from "../errors.js";
import { loadMetrics } from "../metrics.js";
import type { Kind } from "../router.js";
import { usePoll } from "../use-poll.js";

/** How often the resource and its charts are read again (the worker samples every few seconds). */
export const REFRESH_MS = 2000;

export function Detail({ kind, id }: { kind: Kind; id: string }) {
  const client = useClient();
  const deployment = usePoll(() => loadDeployment(client, kind, id), REFRESH_MS, [client, kind, id]);
  const metrics = usePoll(() => loadMetrics(client, kind, id), REFRESH_MS, [client, kind, id]);
  const d = deployment.value;
  const gone = deployment.error instanceof CacheplaneError && deployment.error.status === "NOT_FOUND";

  if (!d) {
    return (
      <section>
        <h1>{id}</h1>
        {deployment.error !== undefined ? (
          <p class="error" role="alert">
            {gone ? `${kind} ${id} does not exist (or no longer does).` : messageOf(deployment.error)}
          </p>
        ) : (
          <p class="muted">Loading…</p>
        )}
        <RunningOperations kind={kind} id={id} />
      </section>
    );
  }
  return (
    <section class="detail">
      <div class="heading">
        <div>
          <p class="muted kind">{kind}</p>
          <h1>{d.id}</h1>
        </div>
        <StateBadge state={gone ? "DELETED" : d.state} />
      </div>
      <p class="summary">
        {d.shape} · {d.memory}
        {d.statusMessage ? ` · ${d.statusMessage}` : ""}
      </p>
      {deployment.error !== undefined && (
        <p class="error" role="alert">
          {gone ? `${kind} ${id} no longer exists.` : messageOf(deployment.error)}
        </p>
      )}
      <RunningOperations kind={kind} id={id} onChange={deployment.refresh} />
      <Actions d={d} onDone={deployment.refresh} />
      <Topology d={d} metrics={metrics.value} />
      <Connection d={d} />
      <Charts metrics={metrics.value} error={metrics.error} />
      <Events kind={kind} id={id} state={d.state} />
      <NodeLogs d={d} />
    </section>
  );
}
