/**
 * Change notifications the way Dataverse sends them to a webhook: registered in the platform's
 * own tables — a `serviceendpoints` row (`contract` 8 = webhook, `url`, `authtype` 4 WebhookKey /
 * 5 HttpHeader / 6 HttpQueryString, `authvalue`) and an `sdkmessageprocessingsteps` row binding a
 * message (`sdkmessages`: Create, Update, Delete), a table (`sdkmessagefilters`) and the endpoint
 * (`eventhandler_serviceendpoint@odata.bind`), with optional `filteringattributes` and a post
 * image (`sdkmessageprocessingstepimages`, imagetype 1). Each matching change is POSTed as a
 * `RemoteExecutionContext` in its .NET JSON serialisation, with the `x-ms-dynamics-*` headers.
 * Dataverse signs nothing: the endpoint's key (`?code=`, a header or query parameters) is the
 * shared secret.
 */
import { randomUUID } from 'node:crypto';
import type { EventDelivery } from '../kit/index.ts';
import { SANDBOX_IDS } from './entity-routes.ts';
import type { RowChange, Records } from './records.ts';
import { entityByName, type EntityDef } from './schema.ts';
import type { Row } from './store.ts';

const CONTRACTS = 'http://schemas.microsoft.com/xrm/2011/Contracts';
/** `serviceendpoint.contract` of a webhook. */
export const WEBHOOK_CONTRACT = 8;
/** `serviceendpoint.authtype` values of webhooks. */
export const AUTH_TYPES = { webhookKey: 4, httpHeader: 5, httpQueryString: 6 } as const;
const PLATFORM_TABLES = new Set(['serviceendpoint', 'sdkmessageprocessingstep', 'sdkmessageprocessingstepimage', 'sdkmessage', 'sdkmessagefilter']);

const table = (name: string): EntityDef => entityByName(name) as EntityDef;

/** Sends a notification for every registered step that a change matches. */
export function notifyWebhooks(change: RowChange, records: Records, events: EventDelivery, organizationName: string): void {
  if (PLATFORM_TABLES.has(change.entity.logicalName)) return;
  const steps = records.list(table('sdkmessageprocessingstep'));
  if (steps.length === 0) return;
  const messages = new Map(records.list(table('sdkmessage')).map((m) => [m.id, String(m.values['name'])]));
  const filters = new Map(records.list(table('sdkmessagefilter')).map((f) => [f.id, String(f.values['primaryobjecttypecode'])]));
  for (const step of steps) {
    if (step.values['statecode'] !== 0) continue;
    if (messages.get(step.refs['sdkmessageid']?.id ?? '') !== change.message) continue;
    if (filters.get(step.refs['sdkmessagefilterid']?.id ?? '') !== change.entity.logicalName) continue;
    const filtering = typeof step.values['filteringattributes'] === 'string' ? step.values['filteringattributes'].split(',').map((a) => a.trim()).filter((a) => a) : [];
    if (change.message === 'Update' && filtering.length > 0 && !filtering.some((a) => change.changed.includes(a))) continue;
    const endpointRef = step.refs['eventhandler'];
    const endpoint = endpointRef ? records.find(table('serviceendpoint'), { kind: 'id', id: endpointRef.id }) : undefined;
    if (!endpoint || endpoint.values['contract'] !== WEBHOOK_CONTRACT || typeof endpoint.values['url'] !== 'string') continue;
    const images = records.list(table('sdkmessageprocessingstepimage')).filter((i) => i.refs['sdkmessageprocessingstepid']?.id === step.id && i.values['imagetype'] !== 0);
    const context = executionContext(change, step, images, organizationName);
    const { url, headers } = authenticate(endpoint.values['url'], Number(endpoint.values['authtype']), String(endpoint.values['authvalue'] ?? ''));
    const requestId = String(context['RequestId']);
    events.send({
      id: String(context['OperationId']),
      url,
      body: JSON.stringify(context),
      headers: () => ({
        ...headers,
        'x-request-id': requestId,
        'x-ms-dynamics-organization': organizationName,
        'x-ms-dynamics-entity-name': change.entity.logicalName,
        'x-ms-dynamics-request-name': change.message,
        'x-ms-correlation-request-id': String(context['CorrelationId']),
      }),
    });
  }
}

// WebhookKey → ?code=; HttpHeader / HttpQueryString → <settings><setting name="…" value="…" /></settings>.
function authenticate(url: string, authtype: number, authvalue: string): { url: string; headers: Record<string, string> } {
  const target = new URL(url);
  const headers: Record<string, string> = {};
  if (authtype === AUTH_TYPES.webhookKey) target.searchParams.set('code', authvalue);
  const settings = [...authvalue.matchAll(/<setting\s+name="([^"]*)"\s+value="([^"]*)"\s*\/>/g)].map((m) => [unxml(m[1] ?? ''), unxml(m[2] ?? '')] as const);
  if (authtype === AUTH_TYPES.httpHeader) for (const [k, v] of settings) headers[k.toLowerCase()] = v;
  if (authtype === AUTH_TYPES.httpQueryString) for (const [k, v] of settings) target.searchParams.set(k, v);
  return { url: target.toString(), headers };
}

function unxml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function executionContext(change: RowChange, step: Row, images: Row[], organizationName: string): Record<string, unknown> {
  const { entity, row } = change;
  const target =
    change.message === 'Delete'
      ? reference(entity.logicalName, row.id)
      : entityJson(entity, row, change.message === 'Create' ? undefined : [...change.changed, entity.idColumn]);
  const postImages = change.message === 'Delete' ? [] : images.filter((i) => i.values['imagetype'] === 1 || i.values['imagetype'] === 2);
  const preImages = images.filter((i) => change.message !== 'Create' && (i.values['imagetype'] === 0 || i.values['imagetype'] === 2));
  const image = (i: Row): { key: string; value: unknown } => {
    const attributes = typeof i.values['attributes'] === 'string' && i.values['attributes'] !== '' ? i.values['attributes'].split(',').map((a) => a.trim()) : undefined;
    return { key: String(i.values['entityalias'] ?? 'Image'), value: entityJson(entity, row, attributes) };
  };
  return {
    BusinessUnitId: SANDBOX_IDS.businessUnitId,
    CorrelationId: randomUUID(),
    Depth: 1,
    InitiatingUserAzureActiveDirectoryObjectId: '00000000-0000-0000-0000-000000000000',
    InitiatingUserId: SANDBOX_IDS.userId,
    InputParameters: [{ key: 'Target', value: target }],
    IsExecutingOffline: false,
    IsInTransaction: false,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: change.message,
    Mode: step.values['mode'] === 0 ? 0 : 1,
    OperationCreatedOn: `/Date(${Date.now()})/`,
    OperationId: randomUUID(),
    OrganizationId: SANDBOX_IDS.organizationId,
    OrganizationName: organizationName,
    OutputParameters: change.message === 'Create' ? [{ key: 'id', value: row.id }] : [],
    OwningExtension: { Id: step.id, KeyAttributes: [], LogicalName: 'sdkmessageprocessingstep', Name: step.values['name'] ?? null, RowVersion: null },
    ParentContext: null,
    PostEntityImages: postImages.map(image),
    PreEntityImages: preImages.map(image),
    PrimaryEntityId: row.id,
    PrimaryEntityName: entity.logicalName,
    RequestId: randomUUID(),
    SecondaryEntityName: 'none',
    SharedVariables: [],
    Stage: typeof step.values['stage'] === 'number' ? step.values['stage'] : 40,
    UserAzureActiveDirectoryObjectId: '00000000-0000-0000-0000-000000000000',
    UserId: SANDBOX_IDS.userId,
  };
}

function reference(logicalName: string, id: string): Record<string, unknown> {
  return { __type: `EntityReference:${CONTRACTS}`, Id: id, KeyAttributes: [], LogicalName: logicalName, Name: null, RowVersion: null };
}

// An Entity in the DataContract JSON form: Attributes as {key, value} pairs, typed values tagged with __type.
function entityJson(entity: EntityDef, row: Row, only: readonly string[] | undefined): Record<string, unknown> {
  const attributes: Array<{ key: string; value: unknown }> = [];
  const wanted = (name: string): boolean => only === undefined || only.includes(name);
  for (const [name, value] of Object.entries(row.values)) {
    if (!wanted(name) || value === null || value === undefined) continue;
    const type = entity.columns[name];
    if (type === 'money') attributes.push({ key: name, value: { __type: `Money:${CONTRACTS}`, Value: value } });
    else if (type === 'picklist') attributes.push({ key: name, value: { __type: `OptionSetValue:${CONTRACTS}`, Value: value } });
    else if ((type === 'datetime' || type === 'date') && typeof value === 'string') attributes.push({ key: name, value: `/Date(${Date.parse(type === 'date' ? `${value}T00:00:00Z` : value)})/` });
    else attributes.push({ key: name, value });
  }
  for (const [name, ref] of Object.entries(row.refs)) if (ref && wanted(name)) attributes.push({ key: name, value: reference(ref.target, ref.id) });
  return {
    __type: `Entity:${CONTRACTS}`,
    Attributes: attributes,
    EntityState: null,
    FormattedValues: [],
    Id: row.id,
    KeyAttributes: [],
    LogicalName: entity.logicalName,
    RelatedEntities: [],
    RowVersion: String(row.values['versionnumber']),
  };
}
