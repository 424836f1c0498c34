/**
 * A run's report as CSV (RFC 4180, one discrepancy per line) or JSON (the run and its
 * discrepancies), written chunk by chunk so a report of a million lines never sits in memory.
 */
import type { StoredDiscrepancy } from './discrepancy.ts';
import type { ReconcileRun } from './run-history.ts';

/** The CSV columns, in order. */
export const CSV_COLUMNS = ['id', 'kind', 'key', 'system', 'record_ids', 'field', 'expected', 'actual', 'heal_status', 'heal_detail'] as const;

function cell(v: unknown): string {
  const text = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (with its line break) for a discrepancy. */
export function csvLine(d: StoredDiscrepancy): string {
  return [d.id, d.kind, d.key, d.system, d.recordIds.join(' '), d.field, d.expected, d.actual, d.healStatus, d.healDetail].map(cell).join(',') + '\r\n';
}

/** The report as CSV chunks: a header line, then one line per discrepancy. */
export async function* toCsv(discrepancies: AsyncIterable<StoredDiscrepancy>): AsyncGenerator<string> {
  yield CSV_COLUMNS.join(',') + '\r\n';
  for await (const d of discrepancies) yield csvLine(d);
}

/** The report as JSON chunks: `{"run": …, "discrepancies": [ … ]}`. */
export async function* toJson(run: ReconcileRun, discrepancies: AsyncIterable<StoredDiscrepancy>): AsyncGenerator<string> {
  yield `{"run":${JSON.stringify(run)},"discrepancies":[`;
  let first = true;
  for await (const d of discrepancies) {
    yield (first ? '\n' : ',\n') + JSON.stringify(d);
    first = false;
  }
  yield '\n]}\n';
}
