/**
 * The one-line progress of a reconciliation for a terminal: a bar when the total is known (every
 * side was counted while it was spilled), a running count while a side is being read.
 */
import type { Progress } from './reconciler.ts';

const count = (n: number): string => n.toLocaleString('en-US');

/** The progress line (no line break), `width` characters of bar. */
export function progressText(p: Progress, width = 30): string {
  if (p.phase === 'read') return `reading ${p.system ?? ''}: ${count(p.done)} records`;
  if (p.total === undefined || p.total === 0) return `comparing: ${count(p.done)} records`;
  const share = Math.min(1, p.done / p.total);
  const filled = Math.round(share * width);
  return `comparing [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(share * 100)}% ${count(p.done)}/${count(p.total)}`;
}
