// The live charts of the detail view: one per metric, each line a node. The page reports each
// chart's number of points (data-points) so a reader, or a test, can tell a drawn chart from an
// empty one; a chart without any says "no samples yet" instead of drawing empty axes.
import { messageOf } from "../errors.js";
import { CHARTS, type DeploymentMetrics } from "../metrics.js";
import { Chart } from "./chart.js";

export function Charts({ metrics, error }: { metrics: DeploymentMetrics | undefined; error: unknown }) {
  return (
    <section class="card" aria-labelledby="charts-title">
      <h2 id="charts-title">Metrics</h2>
      <p class="muted">{metrics ? `last ${metrics.window}, a point every ${metrics.step}` : error === undefined ? "Loading…" : ""}</p>
      {error !== undefined && !metrics && (
        <p class="error" role="alert">
          {messageOf(error)}
        </p>
      )}
      <div class="charts">
        {CHARTS.map((c) => {
          const series = (metrics?.series ?? []).filter((s) => s.metric === c.metric && s.points.length > 0);
          const points = series.reduce((n, s) => n + s.points.length, 0);
          return (
            <figure key={c.metric} class="chart" data-metric={c.metric} data-points={points}>
              <figcaption>
                {c.title} <span class="muted">· {points} points</span>
              </figcaption>
              {points === 0 ? <p class="empty muted">no samples yet</p> : <Chart title={c.title} series={series} format={c.format} ratio={c.ratio === true} />}
            </figure>
          );
        })}
      </div>
    </section>
  );
}
