/**
 * A SuiteQL query as an async iterator over its rows, fetched page by page with limit/offset
 * while NetSuite says `hasMore`, so a caller that stops early fetches no more pages.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { NetSuiteClient } from '../client.ts';

/** A SuiteQL row: lower-case column names, values as text; empty columns are absent. */
export type SuiteQlRow = Record<string, string | undefined>;

/** Most rows NetSuite returns per page. */
export const MAX_SUITEQL_PAGE = 1000;

interface Page {
  hasMore: boolean;
  items: Array<Record<string, unknown>>;
}

/** Yields every row of `q`, `pageSize` rows per request. */
export async function* suiteQl(client: NetSuiteClient, input: { q: string; pageSize?: number }): AsyncGenerator<SuiteQlRow> {
  const limit = input.pageSize ?? MAX_SUITEQL_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SUITEQL_PAGE) {
    throw new InterlockError('validation', `SuiteQL page size must be 1–${MAX_SUITEQL_PAGE}, got ${limit}`);
  }
  for (let offset = 0; ; offset += limit) {
    const res = await client.rest<Page>({
      method: 'POST',
      path: 'query/v1/suiteql',
      query: { limit, offset },
      headers: { prefer: 'transient' },
      json: { q: input.q },
      // A query reads: sending it again is harmless.
      idempotent: true,
    });
    for (const item of res.body.items) {
      const row: SuiteQlRow = {};
      for (const [k, v] of Object.entries(item)) if (k !== 'links') row[k] = v === null || v === undefined ? undefined : String(v);
      yield row;
    }
    if (!res.body.hasMore || res.body.items.length === 0) return;
  }
}
