/**
 * The Web API's data operations under `/api/data/v9.x/`: query a set, retrieve, create (204 +
 * `OData-EntityId`, or 201 with `Prefer: return=representation`), update / upsert through PATCH
 * on the id or an alternate key (`If-Match: *` = update only → 404 when missing, `If-None-Match:
 * *` = create only → 412 when present, `If-Match: W/"…"` = optimistic concurrency → 412 when
 * stale), delete, and the `WinOpportunity` / `LoseOpportunity` / `WhoAmI` operations.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CODES, DataverseError, badRequest, recordNotFound } from './errors.ts';
import { parseBindValue, parseResource, type RecordKey } from './keys.ts';
import { queryCollection } from './odata/collection.ts';
import { contextProjection, parseExpand, renderExpanded, type RelatedRows } from './odata/expand.ts';
import { etagOf, parseSelect, wantsAnnotations } from './odata/render.ts';
import { nameGuid, type Records } from './records.ts';
import { entityByName, entityBySet, type EntityDef } from './schema.ts';
import type { Row } from './store.ts';

/** What the data routes need. */
export interface EntityRouteDeps {
  records: Records;
  /** The organisation's name (WhoAmI, webhook headers). */
  organizationName: string;
}

/** The integration user and organisation ids the sandbox reports. */
export const SANDBOX_IDS = { userId: nameGuid('systemuser:integration'), businessUnitId: nameGuid('businessunit:root'), organizationId: nameGuid('organization') };

/** Registers the data routes. */
export function registerEntityRoutes(app: FastifyInstance, deps: EntityRouteDeps): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const url = new URL(request.url, `http://${request.headers.host ?? 'localhost'}`);
    const match = /^\/api\/data\/(v9\.[0-2])\/(.*)$/.exec(url.pathname);
    if (!match?.[2]) throw new DataverseError(404, CODES.odataInvalid, `Resource not found for the segment '${url.pathname}'.`);
    const apiBase = `${url.origin}/api/data/${match[1]}/`;
    let segment: string;
    try {
      segment = decodeURIComponent(match[2]);
    } catch {
      throw badRequest(`Bad Request - Error in query syntax: '${match[2]}'.`);
    }
    void reply.header('odata-version', '4.0');
    const prefer = header(request, 'prefer');
    const annotations = wantsAnnotations(prefer);
    if (segment === 'WhoAmI' && request.method === 'GET') {
      return { '@odata.context': `${apiBase}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`, BusinessUnitId: SANDBOX_IDS.businessUnitId, UserId: SANDBOX_IDS.userId, OrganizationId: SANDBOX_IDS.organizationId };
    }
    if ((segment === 'WinOpportunity' || segment === 'LoseOpportunity') && request.method === 'POST') {
      closeOpportunity(deps.records, segment === 'WinOpportunity', request.body);
      return reply.code(204).send();
    }
    const path = parseResource(segment);
    const entity = entityBySet(path.set);
    if (!entity) throw new DataverseError(404, CODES.odataInvalid, `Resource not found for the segment '${path.set}'.`);
    const select = parseSelect(entity, url.searchParams.get('$select') ?? undefined);
    const related: RelatedRows = { get: (e, id) => deps.records.find(e, { kind: 'id', id }), list: (e) => deps.records.list(e) };
    const representation = /return=representation/i.test(prefer ?? '');
    const entityId = (row: Row): string => `${apiBase}${entity.setName}(${row.id})`;
    // `$expand` is read on GET only; a write's representation is the row itself.
    const expand = request.method === 'GET' ? parseExpand(entity, url.searchParams.get('$expand') ?? undefined) : [];
    const projection = contextProjection(select, expand);
    const single = (row: Row, status: number): FastifyReply =>
      reply.code(status).header('etag', etagOf(row)).header('odata-entityid', entityId(row)).send({
        '@odata.context': `${apiBase}$metadata#${entity.setName}${projection === '' ? '' : `(${projection})`}/$entity`,
        ...renderExpanded(entity, row, select, expand, annotations, related),
      });

    if (path.key === undefined) {
      if (request.method === 'GET') {
        const page = queryCollection(entity, deps.records.list(entity), url, prefer, annotations, related);
        return reply.headers(page.headers).send(page.body);
      }
      if (request.method === 'POST') {
        const row = deps.records.create(entity, request.body);
        if (representation) return single(row, 201);
        return reply.code(204).header('odata-entityid', entityId(row)).send();
      }
      throw new DataverseError(405, CODES.odataInvalid, `The HTTP method '${request.method}' is not allowed on the collection '${entity.setName}'.`);
    }

    const existing = deps.records.find(entity, path.key);
    const ifMatch = header(request, 'if-match');
    const ifNoneMatch = header(request, 'if-none-match');
    switch (request.method) {
      case 'GET': {
        const row = existing ?? missing(entity, path.key);
        if (ifNoneMatch !== undefined && ifNoneMatch === etagOf(row)) return reply.code(304).send();
        return single(row, 200);
      }
      case 'PATCH': {
        checkPreconditions(entity, path.key, existing, ifMatch, ifNoneMatch);
        if (existing) {
          const row = deps.records.update(entity, existing, request.body);
          return representation ? single(row, 200) : reply.code(204).header('odata-entityid', entityId(row)).send();
        }
        const row = deps.records.create(entity, request.body, path.key);
        return representation ? single(row, 201) : reply.code(204).header('odata-entityid', entityId(row)).send();
      }
      case 'DELETE': {
        const row = existing ?? missing(entity, path.key);
        if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etagOf(row)) throw staleEtag();
        deps.records.delete(entity, row);
        return reply.code(204).send();
      }
      default:
        throw new DataverseError(405, CODES.odataInvalid, `The HTTP method '${request.method}' is not allowed on a single ${entity.logicalName}.`);
    }
  };
  app.route({ method: ['GET', 'POST', 'PATCH', 'DELETE'], url: '/api/data/*', handler });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function missing(entity: EntityDef, key: RecordKey): never {
  if (key.kind === 'id') throw recordNotFound(entity.logicalName, key.id);
  throw new DataverseError(404, CODES.notFound, `A record with the specified key values does not exist in ${entity.logicalName} entity`);
}

function staleEtag(): DataverseError {
  return new DataverseError(412, CODES.concurrencyMismatch, "The version of the existing record doesn't match the RowVersion property provided.");
}

function checkPreconditions(entity: EntityDef, key: RecordKey, existing: Row | undefined, ifMatch: string | undefined, ifNoneMatch: string | undefined): void {
  if (ifNoneMatch === '*' && existing) throw new DataverseError(412, CODES.duplicateKey, 'A record with matching key values already exists.');
  if (ifMatch === undefined) return;
  if (!existing) missing(entity, key);
  if (ifMatch !== '*' && ifMatch !== etagOf(existing)) throw staleEtag();
}

// WinOpportunity / LoseOpportunity: {Status, OpportunityClose: {"opportunityid@odata.bind": …, actualrevenue?, actualend?}}.
function closeOpportunity(records: Records, won: boolean, body: unknown): void {
  const b = (body ?? {}) as { Status?: unknown; OpportunityClose?: Record<string, unknown> };
  const close = b.OpportunityClose;
  const bind = close?.['opportunityid@odata.bind'];
  if (typeof bind !== 'string') throw badRequest('OpportunityClose must bind opportunityid (opportunityid@odata.bind).');
  const opportunity = entityByName('opportunity') as EntityDef;
  const path = parseBindValue(bind);
  if (path.set !== opportunity.setName || path.key === undefined) throw badRequest(`'${bind}' does not name an opportunity.`);
  const row = records.require(opportunity, path.key);
  if (row.values['statecode'] !== 0) throw new DataverseError(400, '0x80040203', 'Cannot close the opportunity because it is not open.');
  const status = typeof b.Status === 'number' ? b.Status : won ? 3 : 4;
  const validStatus = won ? [3] : [4, 5];
  if (!validStatus.includes(status)) throw new DataverseError(400, '0x80040203', `${status} is not a valid status code for state code OpportunityState.${won ? 'Won' : 'Lost'} on opportunity.`);
  const actualvalue = typeof close?.['actualrevenue'] === 'number' ? close['actualrevenue'] : won ? row.values['totalamount'] : null;
  const actualclosedate = typeof close?.['actualend'] === 'string' ? close['actualend'].slice(0, 10) : new Date().toISOString().slice(0, 10);
  records.setState(opportunity, row, won ? 1 : 2, status, { actualvalue, actualclosedate });
}
