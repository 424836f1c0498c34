/**
 * sObject Collections (`/composite/sobjects`): create, update, upsert by external id, read and
 * delete up to 200 records in one call. The call answers 200 with one SaveResult per record, in
 * request order; item errors use `statusCode` (not `errorCode`). With `allOrNone` one failure
 * rolls everything back and the other items report `ALL_OR_NONE_OPERATION_ROLLED_BACK`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiVersion, changeOrigin, renderRecord, typeParam } from './context.ts';
import type { SalesforceContext } from './context.ts';
import { SalesforceError } from './errors.ts';
import { normalizeId } from './ids.ts';
import { createRecord, deleteRecord, updateRecord } from './records.ts';
import type { Transaction } from './store.ts';
import { externalIdField, upsertRecord } from './upsert.ts';

const MAX_RECORDS = 200;

interface SaveResult {
  id?: string;
  success: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
  created?: boolean;
}

type Params = Record<string, string | undefined>;

/** Registers the collection routes (inside the `/services/data/:version` scope). */
export function registerCollectionRoutes(app: FastifyInstance, ctx: SalesforceContext): void {
  app.post('/composite/sobjects', async (request) => {
    const { records, allOrNone } = batchBody(request);
    return saveAll(ctx, request, records, allOrNone, (tx, item) => {
      if (item['id'] !== undefined || item['Id'] !== undefined) {
        throw new SalesforceError(400, 'INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
      }
      const record = createRecord(ctx.store, tx, typeParam(typeOf(item)), item);
      return { id: record.id, success: true, errors: [] };
    });
  });

  app.patch('/composite/sobjects', async (request) => {
    const { records, allOrNone } = batchBody(request);
    return saveAll(ctx, request, records, allOrNone, (tx, item) => {
      const type = typeParam(typeOf(item));
      const raw = item['id'] ?? item['Id'];
      const id = typeof raw === 'string' ? normalizeId(raw) : undefined;
      const record = id ? ctx.store.get(id) : undefined;
      if (!id || !record || record.type !== type.name) {
        throw new SalesforceError(400, 'MALFORMED_ID', `${type.name} ID: id value of incorrect type: ${String(raw)}`, ['Id']);
      }
      const { id: _lower, Id: _upper, ...fields } = item;
      updateRecord(ctx.store, tx, record, fields);
      return { id: record.id, success: true, errors: [] };
    });
  });

  app.patch('/composite/sobjects/:type/:field', async (request) => {
    const { type: typeName, field: fieldName } = request.params as Params;
    const type = typeParam(typeName);
    const field = externalIdField(type, fieldName ?? '');
    const { records, allOrNone } = batchBody(request);
    return saveAll(ctx, request, records, allOrNone, (tx, item) => {
      const value = Object.entries(item).find(([k]) => k.toLowerCase() === field.name.toLowerCase())?.[1];
      if (value === undefined || value === null || value === '') {
        throw new SalesforceError(400, 'MISSING_ARGUMENT', `${field.name} not specified`, [field.name]);
      }
      const outcome = upsertRecord(ctx.store, tx, type, field, String(value), item, false);
      if (outcome.kind === 'multiple') {
        throw new SalesforceError(300, 'DUPLICATE_EXTERNAL_ID', `${field.name}: more than one record found for external id field: [${outcome.matches.map((m) => m.id).join(', ')}]`, [field.name]);
      }
      return { id: outcome.record.id, success: true, errors: [], created: outcome.kind === 'created' };
    });
  });

  app.get('/composite/sobjects/:type', async (request) => {
    const type = typeParam((request.params as Params)['type']);
    const { ids, fields } = request.query as Params;
    if (!ids || !fields) throw new SalesforceError(400, 'MISSING_ARGUMENT', !ids ? 'ids not specified' : 'fields not specified');
    const list = ids.split(',');
    if (list.length > 2000) throw new SalesforceError(400, 'EXCEEDED_ID_LIMIT', 'Maximum number of ids allowed is 2000');
    const v = apiVersion(request);
    return list.map((raw) => {
      const id = normalizeId(raw.trim());
      const record = id ? ctx.store.get(id) : undefined;
      return record && !record.deleted && record.type === type.name ? renderRecord(record, type, v, fields) : null;
    });
  });

  app.delete('/composite/sobjects', async (request) => {
    const { ids, allOrNone } = request.query as Params;
    if (!ids) throw new SalesforceError(400, 'MISSING_ARGUMENT', 'ids not specified');
    const list = ids.split(',').map((s) => s.trim());
    if (list.length > MAX_RECORDS) throw new SalesforceError(400, 'EXCEEDED_ID_LIMIT', `Maximum number of records allowed is ${MAX_RECORDS}`);
    const items = list.map((id) => ({ id }));
    return saveAll(ctx, request, items, allOrNone === 'true', (tx, item) => {
      const id = normalizeId(String(item['id']));
      const record = id ? ctx.store.get(id) : undefined;
      if (!id || !record) throw new SalesforceError(400, 'MALFORMED_ID', `malformed id ${String(item['id'])}`);
      if (record.deleted) throw new SalesforceError(400, 'ENTITY_IS_DELETED', 'entity is deleted');
      deleteRecord(ctx.store, tx, record);
      return { id: record.id, success: true, errors: [] };
    });
  });
}

function batchBody(request: FastifyRequest): { records: Array<Record<string, unknown>>; allOrNone: boolean } {
  const body = request.body as Record<string, unknown> | null | undefined;
  const records = body?.['records'];
  if (!Array.isArray(records) || records.some((r) => r === null || typeof r !== 'object' || Array.isArray(r))) {
    throw new SalesforceError(400, 'JSON_PARSER_ERROR', 'The request body must be {"allOrNone": boolean, "records": [ {...}, ... ]}');
  }
  if (records.length > MAX_RECORDS) {
    throw new SalesforceError(400, 'EXCEEDED_ID_LIMIT', `Maximum number of records allowed is ${MAX_RECORDS}`);
  }
  return { records: records as Array<Record<string, unknown>>, allOrNone: body?.['allOrNone'] === true };
}

function typeOf(item: Record<string, unknown>): string {
  const attributes = item['attributes'] as Record<string, unknown> | undefined;
  const type = attributes?.['type'];
  if (typeof type !== 'string') throw new SalesforceError(400, 'INVALID_TYPE', 'sObject type not specified in attributes');
  return type;
}

/** Runs one operation per item in a single transaction, with per-item savepoints. */
function saveAll(
  ctx: SalesforceContext,
  request: FastifyRequest,
  items: Array<Record<string, unknown>>,
  allOrNone: boolean,
  each: (tx: Transaction, item: Record<string, unknown>) => SaveResult,
): SaveResult[] {
  const results: SaveResult[] = [];
  let failed = false;
  const rollback = new Error('allOrNone rollback');
  try {
    ctx.store.transaction((tx) => {
      for (const item of items) {
        const point = tx.savepoint();
        try {
          results.push(each(tx, item));
        } catch (err) {
          if (!(err instanceof SalesforceError)) throw err;
          tx.rollbackTo(point);
          failed = true;
          results.push({ success: false, errors: [{ statusCode: err.errorCode, message: err.message, fields: err.fields ?? [] }] });
        }
      }
      if (failed && allOrNone) throw rollback;
    }, changeOrigin(request));
  } catch (err) {
    if (err !== rollback) throw err;
    return results.map((r) =>
      r.success
        ? { success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }] }
        : r,
    );
  }
  return results;
}
