/**
 * `/services/data/vXX.X/sobjects…`: list and describe types, create, read (with `fields=`),
 * update, delete, read by external id and upsert by external id, with Salesforce's statuses
 * (201 create, 204 update/delete, 201/200 upsert, 300 on several matches).
 */
import type { FastifyInstance } from 'fastify';
import { apiVersion, changeOrigin, renderRecord, typeParam } from './context.ts';
import type { SalesforceContext } from './context.ts';
import { SalesforceError, notFound } from './errors.ts';
import { normalizeId } from './ids.ts';
import { createRecord, deleteRecord, updateRecord } from './records.ts';
import { SOBJECT_TYPES } from './schema.ts';
import type { SObjectType } from './schema.ts';
import type { StoredRecord } from './store.ts';
import { externalIdField, upsertRecord } from './upsert.ts';

type Params = Record<string, string | undefined>;

/** Registers the sObject routes (inside the `/services/data/:version` scope). */
export function registerSObjectRoutes(app: FastifyInstance, ctx: SalesforceContext): void {
  app.get('/sobjects', async (request) => {
    const v = apiVersion(request);
    return { encoding: 'UTF-8', maxBatchSize: 200, sobjects: SOBJECT_TYPES.map((t) => describeLite(t, v)) };
  });

  app.get('/sobjects/:type', async (request) => {
    const type = typeParam((request.params as Params)['type']);
    return { objectDescribe: describeLite(type, apiVersion(request)), recentItems: [] };
  });

  app.get('/sobjects/:type/describe', async (request) => {
    const type = typeParam((request.params as Params)['type']);
    const v = apiVersion(request);
    return {
      ...describeLite(type, v),
      fields: type.fields.map((f) => ({
        name: f.name,
        label: f.name.replace(/__c$/, '').replace(/_/g, ' '),
        type: f.type,
        nillable: !f.required && f.name !== 'Id',
        createable: !f.readOnly,
        updateable: !f.readOnly,
        externalId: f.externalId === true,
        idLookup: f.externalId === true || f.name === 'Id',
        custom: f.name.endsWith('__c'),
        referenceTo: f.referenceTo ? [f.referenceTo] : [],
        relationshipName: f.relationshipName ?? null,
      })),
      childRelationships: type.childRelationships.map((c) => ({ ...c, cascadeDelete: c.childSObject.endsWith('LineItem') || c.childSObject === 'OrderItem' })),
    };
  });

  app.post('/sobjects/:type', async (request, reply) => {
    const type = typeParam((request.params as Params)['type']);
    const record = ctx.store.transaction((tx) => createRecord(ctx.store, tx, type, request.body), changeOrigin(request));
    return reply.code(201).send({ id: record.id, success: true, errors: [] });
  });

  app.get('/sobjects/:type/:id', async (request) => {
    const { type: typeName, id } = request.params as Params;
    const type = typeParam(typeName);
    const record = byId(ctx, type, id ?? '');
    return renderRecord(record, type, apiVersion(request), (request.query as Params)['fields']);
  });

  app.patch('/sobjects/:type/:id', async (request, reply) => {
    const { type: typeName, id } = request.params as Params;
    const type = typeParam(typeName);
    ctx.store.transaction((tx) => updateRecord(ctx.store, tx, byId(ctx, type, id ?? ''), request.body), changeOrigin(request));
    return reply.code(204).send();
  });

  app.delete('/sobjects/:type/:id', async (request, reply) => {
    const { type: typeName, id } = request.params as Params;
    const type = typeParam(typeName);
    ctx.store.transaction((tx) => deleteRecord(ctx.store, tx, byId(ctx, type, id ?? '')), changeOrigin(request));
    return reply.code(204).send();
  });

  app.get('/sobjects/:type/:field/:value', async (request, reply) => {
    const { type: typeName, field: fieldName, value } = request.params as Params;
    const type = typeParam(typeName);
    const field = externalIdField(type, fieldName ?? '');
    const v = apiVersion(request);
    const matches = ctx.store.findBy(type.name, field.name, value ?? '');
    if (matches.length > 1) return reply.code(300).send(matches.map((m) => `/services/data/v${v}/sobjects/${type.name}/${m.id}`));
    const match = matches[0];
    if (!match) throw notFound();
    return renderRecord(match, type, v, (request.query as Params)['fields']);
  });

  app.patch('/sobjects/:type/:field/:value', async (request, reply) => {
    const { type: typeName, field: fieldName, value } = request.params as Params;
    const type = typeParam(typeName);
    const field = externalIdField(type, fieldName ?? '');
    const v = apiVersion(request);
    const updateOnly = (request.query as Params)['updateOnly'] === 'true';
    const outcome = ctx.store.transaction(
      (tx) => upsertRecord(ctx.store, tx, type, field, value ?? '', request.body, updateOnly),
      changeOrigin(request),
    );
    if (outcome.kind === 'multiple') {
      return reply.code(300).send(outcome.matches.map((m) => `/services/data/v${v}/sobjects/${type.name}/${m.id}`));
    }
    if (outcome.kind === 'created') return reply.code(201).send({ id: outcome.record.id, success: true, errors: [], created: true });
    // Before API v46 an update by upsert answered 204 without a body.
    if (Number(v) < 46) return reply.code(204).send();
    return reply.code(200).send({ id: outcome.record.id, success: true, errors: [], created: false });
  });
}

/** The live record of a type by id, with Salesforce's 404s. */
export function byId(ctx: SalesforceContext, type: SObjectType, raw: string): StoredRecord {
  const id = normalizeId(raw);
  if (!id) throw new SalesforceError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${raw}`);
  const record = ctx.store.get(id);
  if (!record || record.type !== type.name) throw notFound();
  if (record.deleted) throw new SalesforceError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
  return record;
}

function describeLite(type: SObjectType, version: string): Record<string, unknown> {
  const base = `/services/data/v${version}/sobjects/${type.name}`;
  return {
    name: type.name,
    label: type.name,
    keyPrefix: type.keyPrefix,
    custom: false,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
  };
}
