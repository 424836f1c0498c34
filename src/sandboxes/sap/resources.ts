/**
 * One OData request against one service, whether it came over HTTP or inside a `$batch`:
 * service document, `$metadata`, collections (with query options), entities by key, navigation,
 * `$count`, create (deep insert) → 201, update (PATCH/MERGE/PUT, `If-Match` required: 428
 * without, 412 when stale, `*` accepted) → 204, delete → 204, and the function imports
 * `DetermineAvailabilityAt` (GET) and `PostGoodsIssue` (POST).
 */
import { computedSetNames, readSet } from './sources.ts';
import { badRequest, notFound, SapError } from './errors.ts';
import type { SapEvents } from './events.ts';
import { postGoodsIssue } from './fulfilment.ts';
import { determineAvailabilityAt } from './computed.ts';
import { metadataXml } from './odata/metadata.ts';
import { queryCollection } from './odata/query.ts';
import { entityUri, parseExpand, renderEntity, type RenderContext } from './odata/render.ts';
import { parseKey, parseLiteral } from './odata/values.ts';
import { retotal, RULES } from './rules.ts';
import { allSets, entitySet, setByName, SERVICES, type EntitySetDef } from './schema.ts';
import { etagOf, type SapRecord, type SapStore } from './store.ts';
import type { ConcurrentEdits } from './concurrent-edits.ts';
import { createEntity, deleteEntity, updateEntity, type RuleContext } from './writes.ts';

/** A request to one service. */
export interface ODataRequest {
  method: string;
  service: string;
  /** Resource path after the service root, decoded, without a leading slash. */
  resource: string;
  query: URLSearchParams;
  headers: Readonly<Record<string, string | undefined>>;
  body: unknown;
}

/** An answer; `body` is JSON unless a string. */
export interface ODataAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** What handling needs. */
export interface ResourceDeps {
  store: SapStore;
  events: SapEvents;
  /** Base URL of the sandbox. */
  baseUrl: () => string;
  pageSize: number;
  rules: RuleContext;
  /** The armed "changed by someone else" fault. */
  concurrentEdits?: ConcurrentEdits | undefined;
}

const SEGMENT = /^([A-Za-z_]\w*)(?:\((.*)\))?$/;
const KNOWN_SERVICES: ReadonlySet<string> = new Set(Object.values(SERVICES));

/** Handles one request. */
export function handleOData(deps: ResourceDeps, req: ODataRequest): ODataAnswer {
  const serviceUrl = `${deps.baseUrl()}/sap/opu/odata/sap/${req.service}`;
  const ctx: RenderContext = { store: deps.store, serviceUrl };
  if (!KNOWN_SERVICES.has(req.service)) throw new SapError(404, '/IWFND/MED/170', `No service found for namespace '/SAP/', name '${req.service.replace(/;.*/, '')}', version '0001'`);
  if (req.resource === '') return json(200, { d: { EntitySets: allSets().filter((s) => s.service === req.service).map((s) => s.name) } });
  if (req.resource === '$metadata') return { status: 200, headers: { 'content-type': 'application/xml' }, body: metadataXml(req.service) };

  const segments = req.resource.split('/');
  const first = SEGMENT.exec(segments[0] ?? '');
  if (first === null) throw badRequest(`Invalid resource path '${req.resource}'`);
  const [, name = '', predicate] = first;
  if (req.service === SERVICES.availability && name === 'DetermineAvailabilityAt') {
    if (req.method !== 'GET') throw new SapError(405, '/IWBEP/CM_MGW_RT/021', 'Function import DetermineAvailabilityAt is called with GET');
    return json(200, determineAvailabilityAt(deps.store, req.query));
  }
  if (req.service === SERVICES.delivery && name === 'PostGoodsIssue') {
    if (req.method !== 'POST') throw new SapError(405, '/IWBEP/CM_MGW_RT/021', 'Function import PostGoodsIssue is called with POST');
    const delivery = String(parseLiteral(req.query.get('DeliveryDocument') ?? "''"));
    const posted = postGoodsIssue(deps.store, deps.events, delivery);
    return json(200, { d: renderEntity(ctx, setByName('A_OutbDeliveryHeader'), posted) });
  }
  const def = entitySet(req.service, name);
  if (def === undefined) throw new SapError(404, '/IWBEP/CM_MGW_RT/021', `Resource not found for segment '${name}'`);
  const records = (): SapRecord[] => readSet(deps.store, def);

  if (predicate === undefined) {
    if (segments[1] === '$count') return { status: 200, headers: { 'content-type': 'text/plain' }, body: String(records().length) };
    if (segments.length > 1) throw badRequest(`Invalid resource path '${req.resource}'`);
    if (req.method === 'GET') return json(200, queryCollection(ctx, def, records(), req.query, deps.pageSize, name));
    if (req.method === 'POST') return created(ctx, def, deps.store.atomically(() => createEntity(deps.rules, RULES, def, req.body)));
    throw new SapError(405, '/IWBEP/CM_MGW_RT/021', `Method ${req.method} is not allowed on an entity set`);
  }

  const key = parseKey(def.keys, predicate);
  const record = computedSetNames.has(def.name) ? records().find((r) => def.keys.every((k) => r.values[k] === key[k])) : deps.store.get(def, key);
  if (record === undefined) throw notFound(def.name, predicate);
  const navName = segments[1];
  if (navName !== undefined) {
    const nav = def.navs[navName];
    if (nav === undefined) throw badRequest(`Navigation property '${navName}' not found in type '${def.name}Type'`);
    const target = setByName(nav.target);
    if (req.method === 'POST' && nav.many) {
      const child = deps.store.atomically(() => createEntity(deps.rules, RULES, target, req.body, record.values, nav.link));
      if (target.name === 'A_SalesOrderItem') retotal(deps.store, String(record.values['SalesOrder']));
      return created(ctx, target, child);
    }
    if (req.method !== 'GET') throw new SapError(405, '/IWBEP/CM_MGW_RT/021', `Method ${req.method} is not allowed on a navigation property`);
    const children = deps.store.children(def, navName, record.values);
    if (nav.many) return json(200, queryCollection(ctx, target, children, req.query, deps.pageSize, `${name}(${predicate})/${navName}`));
    const only = children[0];
    if (only === undefined) return json(200, { d: null });
    return entityAnswer(ctx, target, only, req.query);
  }

  switch (req.method) {
    case 'GET':
      return entityAnswer(ctx, def, record, req.query);
    case 'PATCH':
    case 'MERGE':
    case 'PUT': {
      checkIfMatch(def, record, req.headers['if-match'], deps.concurrentEdits);
      const updated = deps.store.atomically(() => updateEntity(deps.rules, RULES, def, record, req.body, req.method === 'PUT'));
      if (def.name === 'A_SalesOrderItem') retotal(deps.store, String(updated.values['SalesOrder']));
      const latest = deps.store.get(def, updated.values) ?? updated;
      return { status: 204, headers: { etag: etagOf(latest) }, body: '' };
    }
    case 'DELETE':
      checkIfMatch(def, record, req.headers['if-match'], deps.concurrentEdits);
      deleteEntity(deps.rules, def, record);
      return { status: 204, headers: {}, body: '' };
    default:
      throw new SapError(405, '/IWBEP/CM_MGW_RT/021', `Method ${req.method} is not allowed on an entity`);
  }
}

function checkIfMatch(def: EntitySetDef, record: SapRecord, ifMatch: string | undefined, concurrentEdits?: ConcurrentEdits): void {
  if (!def.writable) throw new SapError(405, '/IWBEP/CM_MGW_RT/021', `Entity set '${def.name}' is read-only`);
  if (ifMatch === undefined || ifMatch === '') {
    throw new SapError(428, 'SADL_ENTITY_RUNTIME/004', `Precondition required for entity ${def.name} (If-Match missing)`);
  }
  if (ifMatch.trim() === '*') return;
  const current = etagOf(record);
  if (!ifMatch.split(',').map((t) => t.trim()).includes(current) || concurrentEdits?.take() === true) {
    throw new SapError(412, '/IWBEP/CM_MGW_RT/022', 'The Data Services Request could not be processed: the entity was changed by someone else (ETag mismatch)');
  }
}

function entityAnswer(ctx: RenderContext, def: EntitySetDef, record: SapRecord, query: URLSearchParams): ODataAnswer {
  const expand = parseExpand(query.get('$expand') ?? undefined);
  for (const nav of expand.keys()) if (def.navs[nav] === undefined) throw badRequest(`Navigation property '${nav}' not found in type '${def.name}Type'`, nav);
  const select = query.get('$select');
  const answer = json(200, { d: renderEntity(ctx, def, record, expand, select ? new Set(select.split(',').map((s) => s.trim())) : undefined) });
  if (def.writable) answer.headers['etag'] = etagOf(record);
  return answer;
}

function created(ctx: RenderContext, def: EntitySetDef, record: SapRecord): ODataAnswer {
  const expand = new Map(Object.keys(def.navs).filter((n) => def.navs[n]?.many).map((n) => [n, new Map()]));
  return {
    status: 201,
    headers: { 'content-type': 'application/json; charset=utf-8', location: entityUri(ctx, def, record.values), etag: etagOf(record) },
    body: { d: renderEntity(ctx, def, record, expand) },
  };
}

function json(status: number, body: unknown): ODataAnswer {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', dataserviceversion: '2.0' }, body };
}
