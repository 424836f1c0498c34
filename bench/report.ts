/**
 * The one shape of a benchmark result: a JSON line on stdout. `ratio` always reads "times better
 * than the baseline" (above 1 is better), for rates and for times or sizes alike.
 */
export interface BenchResult {
  /** Benchmark name, e.g. `pipeline`. */
  bench: string;
  /** Case within the benchmark, e.g. `sqlite`. */
  case: string;
  /** What was measured, e.g. `events_per_s`. */
  metric: string;
  /** Our figure. */
  value: number;
  /** Unit of `value` and `baseline`. */
  unit: string;
  /** The baseline's figure, measured in the same run. */
  baseline: number;
  /** Extra fields: p50_ms, p99_ms, rss_mb … */
  [extra: string]: unknown;
}

/** Whether a higher value is better for this metric (rates) or a lower one (times, sizes). */
export type Better = 'higher' | 'lower';

/** Prints one result line, computing `ratio` from `value` and `baseline`. */
export function report(result: BenchResult, better: Better = 'higher'): void {
  const raw = better === 'higher' ? result.value / result.baseline : result.baseline / result.value;
  const ratio = Number.isFinite(raw) ? Math.round(raw * 100) / 100 : 0;
  const { bench, case: name, metric, value, unit, baseline, ...extra } = result;
  process.stdout.write(
    JSON.stringify({ bench, case: name, metric, value: round(value), unit, baseline: round(baseline), ratio, ...extra }) + '\n',
  );
}

/** Rounds a figure for display: whole numbers above 100, two decimals below. */
export function round(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100;
}

/** Percentile (0–100) of a list of numbers, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** Options every benchmark receives. */
export interface BenchOptions {
  /** Run for about ten seconds in all instead of the full size. */
  quick: boolean;
  /** Remaining command-line arguments, e.g. `--story manufacturer`. */
  args: readonly string[];
}
