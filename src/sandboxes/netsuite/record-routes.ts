/**
 * The REST record service, `/services/rest/record/v1/{type}`: create (204 + `Location`), get
 * (`expandSubResources`, `fields`), update (PATCH, `replace=` for sublists), delete, upsert by
 * external id (`PUT …/eid:{externalId}`), access by `eid:` in any id position, sublist reads,
 * transformations (`POST …/{id}/!transform/{type}`), and collection lists with `q`, `limit` and
 * `offset`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { affectsCredit, customerOf, refreshCustomerCredit } from './credit.ts';
import { NetSuiteError, nonexistent } from './errors.ts';
import { compileFilter } from './list-filter.ts';
import { createRecord, updateRecord } from './records.ts';
import { recordUrl, renderLines, renderRecord } from './render.ts';
import { transformRecord } from './transform.ts';
import { findNsSublist, findRecordType } from './schema.ts';
import type { NsRecordType } from './schema.ts';
import type { NsRecord, NsStore } from './store.ts';

/** What the record routes need. */
export interface RecordRouteDeps {
  /** Records. */
  readonly store: NsStore;
  /** Base URL. */
  readonly url: () => string;
}

type Params = Record<string, string | undefined>;

/** Registers the record routes (in a scope with auth and the concurrency limit). */
export function registerRecordRoutes(app: FastifyInstance, deps: RecordRouteDeps): void {
  const { store } = deps;
  const created = (reply: FastifyReply, type: NsRecordType, record: NsRecord): FastifyReply =>
    reply.code(204).header('Location', recordUrl(deps.url(), type.name, record.id)).send();

  // Synchronous, answering through `reply` and returning nothing: an async handler costs a
  // promise and a microtask on every create.
  app.post('/services/rest/record/v1/:type', (request, reply) => {
    const type = recordType(request);
    created(reply, type, createRecord(store, type, request.body));
  });

  app.get('/services/rest/record/v1/:type', async (request) => {
    const type = recordType(request);
    const query = request.query as Params;
    const limit = intParam(query['limit'], 1000, 1, 1000, 'limit');
    const offset = intParam(query['offset'], 0, 0, Number.MAX_SAFE_INTEGER, 'offset');
    const filter = query['q'] ? compileFilter(type, query['q']) : undefined;
    const all = store.list(new Set([type.name])).filter((r) => !filter || filter(r));
    const page = all.slice(offset, offset + limit);
    const base = `${deps.url()}/services/rest/record/v1/${type.name}`;
    return {
      links: pageLinks(base, query['q'], limit, offset, all.length),
      count: page.length,
      hasMore: offset + page.length < all.length,
      items: page.map((r) => ({ links: [{ rel: 'self', href: recordUrl(deps.url(), type.name, r.id) }], id: r.id })),
      offset,
      totalResults: all.length,
    };
  });

  app.get('/services/rest/record/v1/:type/:id', async (request) => {
    const type = recordType(request);
    const record = find(store, type, (request.params as Params)['id'] ?? '');
    const query = request.query as Params;
    const fields = query['fields'] ? new Set(query['fields'].split(',').map((f) => f.trim().toLowerCase())) : undefined;
    return renderRecord(store, deps.url(), type, record, { expand: query['expandSubResources'] === 'true', fields });
  });

  app.post('/services/rest/record/v1/:type/:id/!transform/:target', async (request, reply) => {
    const type = recordType(request);
    const params = request.params as Params;
    const source = find(store, type, params['id'] ?? '');
    const target = findRecordType(params['target'] ?? '');
    if (!target) throw new NetSuiteError(404, 'INVALID_RCRD_TYPE', `Record type '${params['target'] ?? ''}' does not exist.`);
    return created(reply, target, transformRecord(store, source, target, request.body));
  });

  app.get('/services/rest/record/v1/:type/:id/:sublist', async (request) => {
    const type = recordType(request);
    const params = request.params as Params;
    const record = find(store, type, params['id'] ?? '');
    const sublist = findNsSublist(type, params['sublist'] ?? '');
    if (!sublist) throw new NetSuiteError(404, 'NONEXISTENT_FIELD', `The sub-resource ${params['sublist'] ?? ''} does not exist on ${type.name}.`);
    return renderLines(store, deps.url(), `${recordUrl(deps.url(), type.name, record.id)}/${sublist.name}`, sublist, record.sublists[sublist.name] ?? []);
  });

  app.patch('/services/rest/record/v1/:type/:id', async (request, reply) => {
    const type = recordType(request);
    const record = find(store, type, (request.params as Params)['id'] ?? '');
    const replace = ((request.query as Params)['replace'] ?? '').split(',').map((s) => s.trim()).filter((s) => s);
    updateRecord(store, type, record, request.body, replace);
    return reply.code(204).send();
  });

  app.put('/services/rest/record/v1/:type/:id', async (request, reply) => {
    const type = recordType(request);
    const key = (request.params as Params)['id'] ?? '';
    if (!key.startsWith('eid:') || key.length <= 4) {
      throw new NetSuiteError(405, 'INVALID_REQUEST', 'PUT is supported only for upsert by external ID: use .../{type}/eid:{externalId}.');
    }
    const existing = store.byExternalId(type, key.slice(4));
    const record = existing ? updateRecord(store, type, existing, request.body, replaceAll(type, request.body)) : createRecord(store, type, request.body, key.slice(4));
    return created(reply, type, record);
  });

  app.delete('/services/rest/record/v1/:type/:id', async (request, reply) => {
    const type = recordType(request);
    const record = find(store, type, (request.params as Params)['id'] ?? '');
    if (hasDependents(store, type, record.id)) {
      throw new NetSuiteError(400, 'USER_ERROR', 'Error while accessing a resource. This record cannot be deleted because it has dependent records.');
    }
    store.delete(type, record.id);
    if (affectsCredit(type)) refreshCustomerCredit(store, customerOf(record));
    return reply.code(204).send();
  });
}

const TRANSACTIONS: ReadonlySet<string> = new Set(['salesOrder', 'invoice', 'customerPayment']);

/** Whether transactions still point at a customer or an item (NetSuite refuses such deletes). */
function hasDependents(store: NsStore, type: NsRecordType, id: string): boolean {
  if (type.name !== 'customer' && type.table !== 'item') return false;
  return store.list(TRANSACTIONS).some((t) =>
    type.name === 'customer'
      ? t.fields['entity'] === id || t.fields['customer'] === id
      : (t.sublists['item'] ?? []).some((line) => line['item'] === id),
  );
}

/** A PUT upsert replaces the sublists it sends, as a full representation. */
function replaceAll(type: NsRecordType, body: unknown): string[] {
  if (body === null || typeof body !== 'object') return [];
  const keys = Object.keys(body).map((k) => k.toLowerCase());
  return type.sublists.filter((s) => keys.includes(s.name.toLowerCase())).map((s) => s.name);
}

function recordType(request: FastifyRequest): NsRecordType {
  const name = (request.params as Params)['type'] ?? '';
  const type = findRecordType(name);
  if (!type) throw new NetSuiteError(404, 'INVALID_RCRD_TYPE', `Record type '${name}' does not exist.`);
  return type;
}

/** Finds a record by internal id or `eid:<externalId>`. */
function find(store: NsStore, type: NsRecordType, key: string): NsRecord {
  const record = key.startsWith('eid:') ? store.byExternalId(type, key.slice(4)) : /^\d+$/.test(key) ? store.get(type, key) : undefined;
  if (!record) {
    if (!key.startsWith('eid:') && !/^\d+$/.test(key)) throw new NetSuiteError(400, 'INVALID_ID', `Invalid record ID: ${key}. The ID must be a number or eid:<external ID>.`);
    throw nonexistent(type.name, key);
  }
  return record;
}

function intParam(raw: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new NetSuiteError(400, 'INVALID_PARAMETER', `Invalid value for query parameter ${name}: ${raw}. It must be an integer between ${min} and ${max}.`, { queryParam: name });
  }
  return n;
}

/** `self`, `first`, `prev`, `next`, `last` links of a collection page. */
export function pageLinks(base: string, q: string | undefined, limit: number, offset: number, total: number): Array<{ rel: string; href: string }> {
  const href = (o: number): string => {
    const params = new URLSearchParams();
    if (q) params.set('q', q);
    params.set('limit', String(limit));
    params.set('offset', String(o));
    return `${base}?${params.toString()}`;
  };
  const lastOffset = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
  // Oracle's examples list the navigation links first and `self` last.
  const links: Array<{ rel: string; href: string }> = [];
  if (offset > 0) links.push({ rel: 'first', href: href(0) }, { rel: 'previous', href: href(Math.max(0, offset - limit)) });
  if (offset + limit < total) links.push({ rel: 'next', href: href(offset + limit) }, { rel: 'last', href: href(lastOffset) });
  links.push({ rel: 'self', href: href(offset) });
  return links;
}
