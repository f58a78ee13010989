// A node's own log lines (GET …/nodes/{node}/logs through the SDK): the newest lines of the
// chosen node's redis-server log, read again every few seconds, with the secrets the control
// plane redacts already `[redacted]`. The primary of the first shard is shown first.
import { useState } from "preact/hooks";
import { useClient } from "../client-context.js";
import type { Deployment } from "../deployment.js";
import { messageOf } from "../errors.js";
import { usePoll } from "../use-poll.js";

const REFRESH_MS = 3000;
/** Enough to see a start, a failover or a save; the API serves up to 10,000. */
const TAIL = 200;

export function NodeLogs({ d }: { d: Deployment }) {
  const client = useClient();
  const nodes = d.shards.flatMap((s) => s.nodes.map((n) => ({ ...n, shard: s.id })));
  const [chosen, setChosen] = useState<string>();
  const node = nodes.find((n) => n.id === chosen) ?? nodes.find((n) => n.role === "PRIMARY") ?? nodes[0];
  const logs = usePoll(
    async () => {
      if (!node) return { lines: [] as string[] };
      return d.kind === "instance" ? client.instances.logs(d.id, node.id, { tail: TAIL }) : client.clusters.logs(d.id, node.id, { tail: TAIL });
    },
    REFRESH_MS,
    [client, d.kind, d.id, node?.id],
  );
  return (
    <section class="card" aria-labelledby="logs-title">
      <h2 id="logs-title">Node logs</h2>
      {nodes.length === 0 ? (
        <p class="muted">No nodes yet.</p>
      ) : (
        <p>
          <label for="logs-node">Node</label>{" "}
          <select id="logs-node" value={node?.id} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
            {nodes.map((n) => (
              <option key={n.id} value={n.id}>
                {n.id} ({n.role.toLowerCase()}, {n.zone}
                {d.kind === "cluster" ? `, shard ${n.shard}` : ""})
              </option>
            ))}
          </select>
        </p>
      )}
      {logs.error !== undefined && (
        <p class="error" role="alert">
          {messageOf(logs.error)}
        </p>
      )}
      {logs.value && (
        <pre class="logs" data-node={node?.id}>
          {logs.value.lines.length ? logs.value.lines.join("\n") : "(no lines yet)"}
        </pre>
      )}
    </section>
  );
}
