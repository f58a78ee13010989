// One uPlot time series chart, a line per node. uPlot draws on a canvas and keeps its own DOM,
// so this component owns a plain <div> and creates the plot into it; new data of the same lines
// goes through setData (no re-creation, no flicker), a different set of lines re-creates it.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { MetricSeries } from "../metrics.js";

const COLOURS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];
const HEIGHT = 170;

/** Every series on one time axis (the union of their times), with gaps where a node had no sample. */
export function align(series: MetricSeries[]): uPlot.AlignedData {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => Date.parse(p.time) / 1000)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const column: (number | null)[] = new Array(times.length).fill(null);
    for (const p of s.points) column[index.get(Date.parse(p.time) / 1000)!] = p.value;
    return column;
  });
  return [times, ...columns];
}

export const labelOf = (s: MetricSeries) => `${s.shard ? `${s.shard} ` : ""}${s.node} (${s.role.toLowerCase()}, ${s.zone})`;

/** From the first sample to the last; with a single one uPlot would stretch it over years, so
 *  the minute before it is shown instead. */
const timeRange: uPlot.Range.Function = (u) => {
  const xs = u.data[0];
  const first = xs[0] ?? Date.now() / 1000;
  const last = xs[xs.length - 1] ?? first;
  return last - first < 1 ? [first - 60, last + 5] : [first, last];
};
/** Values from zero (a gauge near 0 does not look like a cliff), ratios on their whole 0..1
 *  scale, and at least 0..4 so a flat zero line gets whole-number ticks. */
const valueRange =
  (ratio: boolean): uPlot.Range.Function =>
  (_u, _min, max) =>
    ratio ? [0, 1] : [0, Math.max(4, Math.ceil(max * 1.15))];

export function Chart({ title, series, format, ratio = false }: { title: string; series: MetricSeries[]; format: (v: number) => string; ratio?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<{ u: uPlot; labels: string } | null>(null);
  const labels = series.map(labelOf).join("|");

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const data = align(series);
    if (plot.current && plot.current.labels === labels) {
      plot.current.u.setData(data);
      return;
    }
    plot.current?.u.destroy();
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      scales: { x: { time: true, range: timeRange }, y: { range: valueRange(ratio) } },
      series: [
        {},
        ...series.map((s, i) => ({
          label: labelOf(s),
          stroke: COLOURS[i % COLOURS.length]!,
          width: 1.5,
          spanGaps: true,
          value: (_u: uPlot, v: number | null) => (v == null ? "—" : format(v)),
        })),
      ],
      axes: [{}, { size: 64, values: (_u, ticks) => ticks.map((t) => format(t)) }],
      legend: { live: true },
    };
    plot.current = { u: new uPlot(opts, data, el), labels };
  });

  // The plot follows its box's width (a rotated phone, a resized window).
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => plot.current?.u.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.current?.u.destroy();
      plot.current = null;
    };
  }, []);

  return <div class="plot" ref={box} role="img" aria-label={title} />;
}
