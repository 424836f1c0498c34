/**
 * `GET /query?q=` and `/queryAll?q=`, paged: each answer holds at most one batch (2000 by
 * default, `Sforce-Query-Options: batchSize=N` between 200 and 2000), and `nextRecordsUrl`
 * (`/services/data/vXX.X/query/<locator>-<offset>`) fetches the next one until `done`.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiVersion } from './context.ts';
import type { SalesforceContext } from './context.ts';
import { SalesforceError } from './errors.ts';
import { executeSoql } from './soql/execute.ts';
import type { QueryResult, Row } from './soql/execute.ts';
import { parseSoql } from './soql/parse.ts';

/** How many open cursors are kept; older ones are dropped, as Salesforce drops old cursors. */
const MAX_CURSORS = 200;

interface Cursor {
  readonly rows: Row[];
  readonly totalSize: number;
  readonly batchSize: number;
}

// A single-page answer, serialised once per query result: polling clients repeat queries over
// unchanged data, and serialising and encoding the body is then most of the work.
const singlePages = new WeakMap<QueryResult, { batchSize: number; body: Buffer }>();

/** Registers the query routes (inside the `/services/data/:version` scope). */
export function registerQueryRoutes(app: FastifyInstance, ctx: SalesforceContext): void {
  const cursors = new Map<string, Cursor>();

  const run = async (request: FastifyRequest, reply: FastifyReply, includeDeleted: boolean): Promise<unknown> => {
    const v = apiVersion(request);
    const q = (request.query as Record<string, unknown>)['q'];
    if (typeof q !== 'string' || q.trim() === '') {
      throw new SalesforceError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    }
    const query = parseSoql(q);
    const result = executeSoql(ctx.store, query, v, includeDeleted);
    const size = batchSize(request, ctx.config.defaultBatchSize);
    const cached = singlePages.get(result);
    if (cached && cached.batchSize === size) return reply.type('application/json; charset=utf-8').send(cached.body);
    const cursor: Cursor = { rows: result.rows, totalSize: result.totalSize, batchSize: size };
    const body = page(cursors, cursor, undefined, 0, v);
    if (result.rows.length > size) return body;
    const buffer = Buffer.from(JSON.stringify(body));
    singlePages.set(result, { batchSize: size, body: buffer });
    return reply.type('application/json; charset=utf-8').send(buffer);
  };

  const more = async (request: FastifyRequest): Promise<unknown> => {
    const v = apiVersion(request);
    const locator = (request.params as Record<string, string | undefined>)['locator'] ?? '';
    const dash = locator.lastIndexOf('-');
    const id = locator.slice(0, dash);
    const offset = Number(locator.slice(dash + 1));
    const cursor = cursors.get(id);
    if (dash < 0 || !cursor || !Number.isInteger(offset) || offset < 0 || offset > cursor.rows.length) {
      throw new SalesforceError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    return page(cursors, cursor, id, offset, v);
  };

  app.get('/query', (request, reply) => run(request, reply, false));
  app.get('/queryAll', (request, reply) => run(request, reply, true));
  app.get('/query/:locator', more);
  app.get('/queryAll/:locator', more);
}

function page(cursors: Map<string, Cursor>, cursor: Cursor, id: string | undefined, offset: number, version: string): unknown {
  const end = offset + cursor.batchSize;
  const records = cursor.rows.slice(offset, end);
  const done = end >= cursor.rows.length;
  let locatorId = id;
  if (done) {
    if (locatorId) cursors.delete(locatorId);
  } else if (!locatorId) {
    locatorId = `01g${randomBytes(8).toString('hex').slice(0, 12)}AAA`;
    cursors.set(locatorId, cursor);
    if (cursors.size > MAX_CURSORS) cursors.delete(cursors.keys().next().value as string);
  }
  const body: Record<string, unknown> = { totalSize: cursor.totalSize, done };
  if (!done) body['nextRecordsUrl'] = `/services/data/v${version}/query/${locatorId}-${end}`;
  body['records'] = records;
  return body;
}

function batchSize(request: FastifyRequest, fallback: number): number {
  const header = request.headers['sforce-query-options'];
  const match = typeof header === 'string' ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  const n = match?.[1] ? Number(match[1]) : fallback;
  return Math.min(2000, Math.max(200, n));
}
