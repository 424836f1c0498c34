/**
 * Changed Salesforce records after a watermark, for incremental syncs: `queryAll` (so deleted
 * records come too, `IsDeleted = true`, while they sit in the recycle bin) ordered by
 * `SystemModstamp`. The watermark is the last timestamp read and the ids already read at exactly
 * that timestamp (`<stamp>|<id>,<id>…`): records sharing a timestamp (a bulk load) are told apart
 * by id without trusting the vendor's order of ids, which need not be ours. The query asks from
 * the watermark's whole second (SOQL datetime literals are safest without milliseconds) and what
 * was already read is skipped here, so nothing is skipped unread and nothing read twice.
 */
import { queryRecords } from '../../connectors/salesforce/actions/query-records.ts';
import type { SalesforceClient } from '../../connectors/salesforce/client.ts';
import type { ApiBudget } from './budget.ts';
import type { SyncPage } from './sync-definition.ts';

/** A changed record: at least its Id, modstamp and deletion flag. */
export type ChangedRecord = { Id: string; SystemModstamp: string; IsDeleted: boolean } & Record<string, unknown>;

/** Salesforce's `2026-11-26T19:28:10.808+0000` as epoch ms. */
function modstampMs(stamp: string): number {
  return Date.parse(stamp.replace(/\+0000$/, 'Z'));
}

interface Watermark {
  ms: number;
  stamp: string;
  /** Ids read at exactly `ms`. */
  seen: Set<string>;
}

function parse(cursor: string | undefined): Watermark | undefined {
  if (cursor === undefined) return undefined;
  const [stamp = '', ids = ''] = cursor.split('|');
  return { ms: modstampMs(stamp), stamp, seen: new Set(ids.split(',').filter((id) => id !== '')) };
}

function unread(record: ChangedRecord, watermark: Watermark | undefined): boolean {
  if (watermark === undefined) return true;
  const ms = modstampMs(record.SystemModstamp);
  return ms > watermark.ms || (ms === watermark.ms && !watermark.seen.has(record.Id));
}

function advance(watermark: Watermark | undefined, records: readonly ChangedRecord[]): string | undefined {
  let mark = watermark;
  for (const r of records) {
    const ms = modstampMs(r.SystemModstamp);
    if (mark === undefined || ms > mark.ms) mark = { ms, stamp: r.SystemModstamp, seen: new Set() };
    mark.seen.add(r.Id);
  }
  return mark === undefined ? undefined : `${mark.stamp}|${[...mark.seen].join(',')}`;
}

/** Reads up to `size` records of `object` changed after `cursor`. */
export async function readChanges(
  client: SalesforceClient,
  budget: ApiBudget,
  input: { object: string; fields: readonly string[]; where?: string; cursor: string | undefined; size: number },
): Promise<SyncPage<ChangedRecord>> {
  const watermark = parse(input.cursor);
  const conditions = [
    ...(input.where === undefined ? [] : [`(${input.where})`]),
    ...(watermark === undefined ? [] : [`SystemModstamp >= ${new Date(watermark.ms).toISOString().slice(0, 19)}Z`]),
  ];
  const fields = [...new Set(['Id', 'SystemModstamp', 'IsDeleted', ...input.fields])].join(', ');
  const soql = `SELECT ${fields} FROM ${input.object}${conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`} ORDER BY SystemModstamp`;
  const records: ChangedRecord[] = [];
  await budget.call('salesforce', async () => {
    records.length = 0;
    for await (const r of queryRecords<ChangedRecord>(client, { soql, all: true, batchSize: Math.max(200, Math.min(2000, input.size)) })) {
      if (!unread(r, watermark)) continue;
      records.push(r);
      if (records.length >= input.size) break;
    }
  });
  budget.checkDaily('salesforce', client.apiUsage);
  // Records come in timestamp order, so the page's last timestamp is its highest.
  return { records, next: records.length === 0 ? input.cursor : advance(watermark === undefined ? undefined : { ...watermark, seen: new Set(watermark.seen) }, records) };
}
