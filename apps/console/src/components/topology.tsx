// Where the nodes run: one row per shard, one column per zone, each node with its role, its
// state and, for a replica, how far it is behind its primary (the newest point of its
// replication_lag_bytes series).
import type { NodeInfo } from "@cacheplane/sdk";
import type { Deployment } from "../deployment.js";
import { type DeploymentMetrics, formatBytes, latest } from "../metrics.js";
import { StateBadge } from "./state-badge.js";

export function Topology({ d, metrics }: { d: Deployment; metrics: DeploymentMetrics | undefined }) {
  const zones = [...new Set(d.shards.flatMap((s) => s.nodes.map((n) => n.zone)))].sort();
  return (
    <section class="card" aria-labelledby="topology-title">
      <h2 id="topology-title">Topology</h2>
      {zones.length === 0 ? (
        <p class="muted">No nodes yet.</p>
      ) : (
        <table class="topology">
          <thead>
            <tr>
              {d.kind === "cluster" && <th scope="col">Shard</th>}
              {zones.map((z) => (
                <th key={z} scope="col">
                  {z}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {d.shards.map((shard) => (
              <tr key={shard.id}>
                {d.kind === "cluster" && <th scope="row">{shard.id}</th>}
                {zones.map((z) => (
                  <td key={z}>
                    {shard.nodes
                      .filter((n) => n.zone === z)
                      .map((n) => (
                        <NodeCell key={n.id} node={n} lag={n.role === "REPLICA" ? latest(metrics, "replication_lag_bytes", n.id) : undefined} />
                      ))}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NodeCell({ node, lag }: { node: NodeInfo; lag: number | undefined }) {
  return (
    <div class={`node ${node.role.toLowerCase()}`} data-node={node.id} data-role={node.role} data-zone={node.zone}>
      <div class="node-role">{node.role === "PRIMARY" ? "★ primary" : "replica"}</div>
      <div class="mono node-id">{node.id}</div>
      <div class="mono muted">
        {node.host}:{node.port}
      </div>
      <StateBadge state={node.state} />
      {node.role === "REPLICA" && <div class="lag">lag {lag === undefined ? "—" : formatBytes(lag)}</div>}
    </div>
  );
}
