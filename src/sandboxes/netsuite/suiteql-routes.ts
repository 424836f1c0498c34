/**
 * `POST /services/rest/query/v1/suiteql?limit=&offset=` with `Prefer: transient` and a body
 * `{"q": "SELECT …"}`. Answers NetSuite's collection: `links` (self/first/previous/next/last),
 * `count`, `hasMore`, `items` (each with empty `links`, values as text, empty columns left out),
 * `offset` and `totalResults`. Page size defaults to and caps at 1000.
 */
import type { FastifyInstance } from 'fastify';
import { NetSuiteError } from './errors.ts';
import { pageLinks } from './record-routes.ts';
import type { NsStore } from './store.ts';
import { printable, runSuiteQl } from './suiteql/execute.ts';

/** SuiteQL's row ceiling through REST. */
const MAX_ROWS = 100_000;

/** Registers the SuiteQL route (in a scope with auth and the concurrency limit). */
export function registerSuiteQlRoute(app: FastifyInstance, deps: { readonly store: NsStore; readonly url: () => string }): void {
  app.post('/services/rest/query/v1/suiteql', async (request) => {
    const prefer = String(request.headers['prefer'] ?? '');
    if (!/\btransient\b/i.test(prefer)) {
      throw new NetSuiteError(400, 'INVALID_HEADER', 'The request header Prefer must be set to transient for SuiteQL queries.', { header: 'Prefer' });
    }
    const query = request.query as Record<string, string | undefined>;
    const limit = bounded(query['limit'], 1000, 1, 1000, 'limit');
    const offset = bounded(query['offset'], 0, 0, MAX_ROWS, 'offset');
    const q = (request.body as Record<string, unknown> | null | undefined)?.['q'];
    if (typeof q !== 'string' || q.trim() === '') {
      throw new NetSuiteError(400, 'INVALID_CONTENT', 'The request body must be {"q": "<SuiteQL query>"}.', { path: 'q' });
    }
    const rows = runSuiteQl(deps.store, q).slice(0, MAX_ROWS);
    const page = rows.slice(offset, offset + limit);
    return {
      links: pageLinks(`${deps.url()}/services/rest/query/v1/suiteql`, undefined, limit, offset, rows.length),
      count: page.length,
      hasMore: offset + page.length < rows.length,
      items: page.map((row) => {
        const item: Record<string, unknown> = { links: [] };
        for (const [k, v] of Object.entries(row)) if (v !== null) item[k] = printable(v);
        return item;
      }),
      offset,
      totalResults: rows.length,
    };
  });
}

function bounded(raw: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new NetSuiteError(400, 'INVALID_PARAMETER', `Invalid value for query parameter ${name}: ${raw}.`, { queryParam: name });
  }
  return n;
}
