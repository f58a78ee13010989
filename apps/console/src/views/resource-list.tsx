// Every instance and cluster of the project, read again every few seconds. A table on a wide
// screen; each row becomes a card on a phone (styles.css), with the same cells labelled.
import { useClient } from "../client-context.js";
import { StateBadge } from "../components/state-badge.js";
import { fromCluster, fromInstance, type Deployment } from "../deployment.js";
import { messageOf } from "../errors.js";
import { hrefOf } from "../router.js";
import { usePoll } from "../use-poll.js";

const REFRESH_MS = 3000;

export function ResourceList() {
  const client = useClient();
  const { value, error } = usePoll(
    async () => {
      const [instances, clusters] = await Promise.all([client.instances.list({ pageSize: 100 }), client.clusters.list({ pageSize: 100 })]);
      return [...instances.instances.map(fromInstance), ...clusters.clusters.map(fromCluster)];
    },
    REFRESH_MS,
    [client],
  );
  return (
    <section>
      <div class="heading">
        <h1>Instances and clusters</h1>
        <div class="buttons">
          <a class="button" href={hrefOf({ view: "create", kind: "instance" })}>
            Create instance
          </a>
          <a class="button secondary" href={hrefOf({ view: "create", kind: "cluster" })}>
            Create cluster
          </a>
        </div>
      </div>
      {error !== undefined && (
        <p class="error" role="alert">
          {messageOf(error)}
        </p>
      )}
      {value === undefined ? (
        error === undefined && <p class="muted">Loading…</p>
      ) : value.length === 0 ? (
        <p class="muted">Nothing here yet: create an instance or a cluster.</p>
      ) : (
        <table class="resources">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">State</th>
              <th scope="col">Shape</th>
              <th scope="col">Memory</th>
              <th scope="col">Endpoint</th>
            </tr>
          </thead>
          <tbody>
            {value.map((d) => (
              <Row key={d.name} d={d} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Row({ d }: { d: Deployment }) {
  return (
    <tr data-resource={d.id}>
      <th scope="row" data-label="Name">
        <a href={hrefOf({ view: "detail", kind: d.kind, id: d.id })}>{d.id}</a>
      </th>
      <td data-label="Kind">{d.kind}</td>
      <td data-label="State">
        <StateBadge state={d.state} />
      </td>
      <td data-label="Shape">{d.shape}</td>
      <td data-label="Memory">{d.memory}</td>
      <td data-label="Endpoint" class="mono">
        {d.endpoint ? `${d.endpoint.host}:${d.endpoint.port}` : "—"}
      </td>
    </tr>
  );
}
