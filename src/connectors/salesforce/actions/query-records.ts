/**
 * Any SOQL query as an async iterator over its records, following `nextRecordsUrl` until
 * Salesforce says `done` — so a caller can stop early and the rest is never fetched.
 */
import type { SalesforceClient } from '../client.ts';

/** A query. */
export interface QueryInput {
  soql: string;
  /** Include deleted and archived records (`queryAll`). */
  all?: boolean;
  /** Records per batch, 200–2000 (`Sforce-Query-Options`); Salesforce may send fewer. */
  batchSize?: number;
}

/** A record as Salesforce returns it: `attributes` and the selected fields. */
export type SalesforceRecord = { attributes?: { type: string; url?: string } } & Record<string, unknown>;

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: SalesforceRecord[];
}

/** Yields every record of the query, one batch request at a time. */
export async function* queryRecords<T extends SalesforceRecord = SalesforceRecord>(client: SalesforceClient, input: QueryInput): AsyncGenerator<T> {
  const headers = input.batchSize === undefined ? undefined : { 'sforce-query-options': `batchSize=${input.batchSize}` };
  let page = (
    await client.rest<QueryPage>({ method: 'GET', path: input.all === true ? 'queryAll' : 'query', query: { q: input.soql }, ...(headers ? { headers } : {}) })
  ).body;
  for (;;) {
    for (const record of page.records) yield record as T;
    if (page.done || page.nextRecordsUrl === undefined) return;
    page = (await client.rest<QueryPage>({ method: 'GET', path: page.nextRecordsUrl, ...(headers ? { headers } : {}) })).body;
  }
}
