/**
 * SLO arithmetic. An SLO says what share of events must be good over a rolling window (e.g. 95 %
 * of closed-won deals booked in the ERP within 15 minutes over 28 days). From the good and total
 * events of the window follow the SLI (good / total), the error budget left (1 − bad share /
 * allowed bad share, from 1 untouched to 0 spent), and the burn rate over the last hour (bad
 * share / allowed bad share: 1 spends the budget exactly over the window, 14.4 spends 2 % of a
 * 30-day budget in one hour — the usual paging threshold).
 */
import type { Tally } from './store-figures.ts';

/** The window the burn rate is measured over. */
export const BURN_WINDOW_MS = 3_600_000;

/** An SLO's state. `null` where there were no events to judge by. */
export interface SloResult {
  sli: number | null;
  errorBudgetRemaining: number | null;
  burnRate: number | null;
}

/** Evaluates an SLO of `objective` (0 < objective < 1) from its window's and its last hour's events. */
export function evaluateSlo(objective: number, window: Tally, lastHour: Tally): SloResult {
  const allowed = 1 - objective;
  const sli = window.total === 0 ? null : window.good / window.total;
  const errorBudgetRemaining = sli === null ? null : Math.min(1, Math.max(0, 1 - (1 - sli) / allowed));
  const burnRate = lastHour.total === 0 ? null : (1 - lastHour.good / lastHour.total) / allowed;
  return { sli, errorBudgetRemaining, burnRate: burnRate === null ? null : round(burnRate) };
}

/** The `q` quantile (0..1) of `values` by nearest rank, or null for none. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** Counts `times` (epoch ms) into `buckets` buckets of `bucketMs` ending at `end`; oldest first, as [start ISO, count]. */
export function perBucket(times: readonly number[], end: number, bucketMs: number, buckets: number): Array<[string, number]> {
  const start = end - bucketMs * buckets;
  const counts = new Array<number>(buckets).fill(0);
  for (const t of times) {
    const i = Math.floor((t - start) / bucketMs);
    if (i >= 0 && i < buckets) counts[i]! += 1;
  }
  return counts.map((c, i) => [new Date(start + i * bucketMs).toISOString(), c]);
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
