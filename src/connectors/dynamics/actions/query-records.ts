/**
 * Any Web API query as an async iterator over its rows, one page per request: page size by
 * `Prefer: odata.maxpagesize`, following `@odata.nextLink` verbatim (Dataverse asks clients not
 * to edit it), so a caller can stop early and the rest is never fetched.
 */
import type { DynamicsClient } from '../client.ts';

/** A query of one entity set. */
export interface QueryInput {
  /** Entity set, e.g. `accounts`. */
  entitySet: string;
  /** `$select` columns. */
  select?: readonly string[];
  /** `$filter` expression (build literals with `literal()`). */
  filter?: string;
  /** `$orderby`, e.g. `['modifiedon asc']`. */
  orderBy?: readonly string[];
  /** Rows per page (≤ 5000). @default 5000 */
  pageSize?: number;
}

/** A row as the Web API returns it. */
export type DynamicsRow = Record<string, unknown>;

interface Page {
  value: DynamicsRow[];
  '@odata.nextLink'?: string;
}

/** Yields every row of the query. */
export async function* queryRecords<T extends DynamicsRow = DynamicsRow>(client: DynamicsClient, input: QueryInput): AsyncGenerator<T> {
  const headers = { prefer: `odata.maxpagesize=${input.pageSize ?? 5000}` };
  const query: Record<string, string> = {};
  if (input.select !== undefined && input.select.length > 0) query['$select'] = input.select.join(',');
  if (input.filter !== undefined) query['$filter'] = input.filter;
  if (input.orderBy !== undefined && input.orderBy.length > 0) query['$orderby'] = input.orderBy.join(',');
  let page = (await client.api<Page>({ method: 'GET', path: input.entitySet, query, headers })).body;
  for (;;) {
    for (const row of page.value) yield row as T;
    const next = page['@odata.nextLink'];
    if (next === undefined) return;
    page = (await client.api<Page>({ method: 'GET', path: next, headers })).body;
  }
}
