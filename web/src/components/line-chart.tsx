/**
 * A small SVG line chart of one series over time: enough for "orders booked per hour" on the
 * overview without a charting library in the bundle.
 */

/** Props of {@link LineChart}. */
export interface LineChartProps {
  name: string;
  unit: string;
  points: ReadonlyArray<readonly [string, number]>;
}

const W = 320;
const H = 120;
const PAD = 4;

/** The chart, its latest value and its range. */
export function LineChart({ name, unit, points }: LineChartProps) {
  const xs = points.map(([t]) => Date.parse(t));
  const ys = points.map(([, v]) => v);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(1, ...ys)];
  const sx = (x: number) => PAD + ((x - x0) / Math.max(1, x1 - x0)) * (W - 2 * PAD);
  const sy = (y: number) => H - PAD - ((y - y0) / Math.max(1e-9, y1 - y0)) * (H - 2 * PAD);
  const line = points.map((_, i) => `${i === 0 ? 'M' : 'L'}${sx(xs[i]!).toFixed(1)},${sy(ys[i]!).toFixed(1)}`).join(' ');
  const last = ys.at(-1);
  return (
    <figure className="chart" data-testid={`chart-${name}`}>
      <figcaption>
        <span>{name}</span>
        <strong>
          {last === undefined ? '—' : last.toLocaleString('en-US', { maximumFractionDigits: 2 })} {unit}
        </strong>
      </figcaption>
      {points.length < 2 ? (
        <div className="muted chart-empty">not enough data yet</div>
      ) : (
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${name} over time, max ${y1} ${unit}`}>
          <path d={`${line} L${sx(x1).toFixed(1)},${sy(y0)} L${sx(x0).toFixed(1)},${sy(y0)} Z`} className="area" />
          <path d={line} className="line" />
        </svg>
      )}
    </figure>
  );
}
