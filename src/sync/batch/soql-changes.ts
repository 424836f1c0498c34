/**
 * Changed Salesforce records after a watermark, for incremental syncs: `queryAll` (so deleted
 * records come too, `IsDeleted = true`, while they sit in the recycle bin) ordered by
 * `SystemModstamp, Id`. The watermark is the last record's `SystemModstamp|Id`. The query asks
 * from the watermark's whole second (SOQL datetime literals are safest without milliseconds) and
 * the records at or before the watermark are skipped here, so records sharing a timestamp are
 * neither skipped nor read twice.
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

function after(record: ChangedRecord, watermark: { ms: number; id: string } | undefined): boolean {
  if (watermark === undefined) return true;
  const ms = modstampMs(record.SystemModstamp);
  return ms > watermark.ms || (ms === watermark.ms && record.Id > watermark.id);
}

/** Reads up to `size` records of `object` changed after `cursor`. */
export async function readChanges(
  client: SalesforceClient,
  budget: ApiBudget,
  input: { object: string; fields: readonly string[]; where?: string; cursor: string | undefined; size: number },
): Promise<SyncPage<ChangedRecord>> {
  const [stamp, id] = input.cursor === undefined ? [] : input.cursor.split('|');
  const watermark = stamp === undefined ? undefined : { ms: modstampMs(stamp), id: id ?? '' };
  const conditions = [
    ...(input.where === undefined ? [] : [`(${input.where})`]),
    ...(watermark === undefined ? [] : [`SystemModstamp >= ${new Date(watermark.ms).toISOString().slice(0, 19)}Z`]),
  ];
  const fields = [...new Set(['Id', 'SystemModstamp', 'IsDeleted', ...input.fields])].join(', ');
  const soql = `SELECT ${fields} FROM ${input.object}${conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`} ORDER BY SystemModstamp, Id`;
  const records: ChangedRecord[] = [];
  await budget.call('salesforce', async () => {
    records.length = 0;
    for await (const r of queryRecords<ChangedRecord>(client, { soql, all: true, batchSize: Math.max(200, Math.min(2000, input.size)) })) {
      if (!after(r, watermark)) continue;
      records.push(r);
      if (records.length >= input.size) break;
    }
  });
  budget.checkDaily('salesforce', client.apiUsage);
  const last = records.at(-1);
  return { records, next: last === undefined ? input.cursor : `${last.SystemModstamp}|${last.Id}` };
}
