/**
 * Updates up to 200 records of any types in one call (sObject Collections), each by its id. The
 * answer is per record: with `allOrNone` false, some may succeed while others fail.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { ErrorCode } from '../../../core/errors.ts';
import type { SalesforceClient } from '../client.ts';
import { classifySalesforceError } from '../errors.ts';
import { recordId } from './soql.ts';

/** One record to update. */
export interface RecordUpdate {
  sobject: string;
  id: string;
  fields: Readonly<Record<string, unknown>>;
}

/** The outcome for one record, in request order. */
export type RecordUpdateResult =
  | { id: string; success: true }
  | { id: string; success: false; code: ErrorCode; errorCode: string; message: string; fields: string[] };

/** Most records one collections call takes. */
export const MAX_COLLECTION_RECORDS = 200;

/** Updates the records; failures of single records are results, not throws. */
export async function updateRecords(client: SalesforceClient, input: { records: readonly RecordUpdate[]; allOrNone?: boolean }): Promise<RecordUpdateResult[]> {
  if (input.records.length === 0) return [];
  if (input.records.length > MAX_COLLECTION_RECORDS) {
    throw new InterlockError('validation', `Salesforce collections take at most ${MAX_COLLECTION_RECORDS} records, got ${input.records.length}`);
  }
  const records = input.records.map((r) => ({ ...r.fields, attributes: { type: r.sobject }, id: recordId(r.id) }));
  const res = await client.rest<Array<{ id?: string | null; success: boolean; errors: Array<{ statusCode: string; message: string; fields?: string[] }> }>>({
    method: 'PATCH',
    path: 'composite/sobjects',
    json: { allOrNone: input.allOrNone ?? false, records },
  });
  return res.body.map((r, i) => {
    const id = r.id ?? input.records[i]?.id ?? '';
    if (r.success) return { id, success: true };
    const e = r.errors[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'no error given' };
    // Collection items say statusCode where REST errors say errorCode: reuse the one table.
    const code = classifySalesforceError({ status: 400, headers: {}, body: [{ errorCode: e.statusCode, message: e.message }] })?.code ?? 'permanent';
    return { id, success: false, code, errorCode: e.statusCode, message: e.message, fields: e.fields ?? [] };
  });
}
