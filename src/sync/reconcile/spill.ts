/**
 * Sorting a side that cannot be read in key order (Stripe lists newest first; SOQL and SuiteQL
 * sort by their own collations): its projections are written to `reconcile_spill` in batches and
 * read back in binary key order, a page at a time. The store does the sort on disk, so a side of
 * any size costs one batch of memory, and the order is the one the merge join compares in.
 */
import type { Store } from '../../store/store.ts';
import type { Projection } from './projection.ts';

const BATCH = 500;

/** Spills `records` of `side` for `runId`; answers how many were written. */
export async function spill(store: Store, runId: number, side: string, records: AsyncIterable<readonly Projection[]>, onBatch?: (n: number) => void): Promise<number> {
  let seq = 0;
  let batch: Array<{ run_id: number; side: string; key: string; seq: number; body: string }> = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await store.transaction((trx) => trx.insertInto('reconcile_spill').values(rows).execute(), { durable: false });
  };
  for await (const page of records) {
    for (const r of page) {
      batch.push({ run_id: runId, side, key: r.key, seq: seq++, body: JSON.stringify({ id: r.id, fields: r.fields, context: r.context }) });
      if (batch.length >= BATCH) await flush();
    }
    onBatch?.(seq);
  }
  await flush();
  return seq;
}

/** Reads a spilled side back in key order (keyset paging, so each page is one index range). */
export async function* readSpilled(store: Store, runId: number, side: string, pageSize = 2000): AsyncGenerator<Projection[]> {
  let after: { key: string; seq: number } | undefined;
  for (;;) {
    let q = store.db.selectFrom('reconcile_spill').select(['key', 'seq', 'body']).where('run_id', '=', runId).where('side', '=', side);
    if (after !== undefined) {
      const a = after;
      q = q.where((eb) => eb.or([eb('key', '>', a.key), eb.and([eb('key', '=', a.key), eb('seq', '>', a.seq)])]));
    }
    const rows = await q.orderBy('key').orderBy('seq').limit(pageSize).execute();
    if (rows.length > 0) yield rows.map((row) => ({ key: row.key, ...(JSON.parse(row.body) as Omit<Projection, 'key'>) }));
    const last = rows.at(-1);
    if (last === undefined || rows.length < pageSize) return;
    after = { key: last.key, seq: Number(last.seq) };
  }
}

/** Drops a run's spilled rows. */
export async function dropSpill(store: Store, runId: number): Promise<void> {
  await store.db.deleteFrom('reconcile_spill').where('run_id', '=', runId).execute();
}
