/**
 * The Dataverse webhook trigger. Dataverse signs nothing: a registered webhook authenticates by a
 * shared key the endpoint chose — `WebhookKey` (`?code=<key>`), an `HttpHeader` or an
 * `HttpQueryString` value — so verification is a constant-time comparison of that key with the
 * configured ones. The body, a `RemoteExecutionContext` in .NET's JSON form, is parsed into a
 * typed change event: message, table, row id, changed attributes and post image flattened to
 * plain values (Money and OptionSetValue → numbers, EntityReference → `{id, logicalName}`,
 * `/Date(ms)/` → ISO text), and the row version for staleness checks.
 */
import { timingSafeEqual } from 'node:crypto';
import { InterlockError } from '../../../core/errors.ts';

/** Where the endpoint's key travels, as registered on the service endpoint. */
export type DynamicsWebhookAuth =
  | { kind: 'webhook-key' }
  | { kind: 'http-header'; name: string }
  | { kind: 'query-string'; name: string };

/** Options of {@link DynamicsWebhookVerifier}. */
export interface DynamicsWebhookOptions {
  /** Accepted keys; more than one while a key is being rolled. */
  keys: readonly string[];
  /** @default { kind: 'webhook-key' } */
  auth?: DynamicsWebhookAuth;
}

/** A lookup value. */
export interface DynamicsReference {
  id: string;
  logicalName: string;
}

/** A plain attribute value. */
export type DynamicsValue = string | number | boolean | null | DynamicsReference;

/** A parsed change notification. */
export interface DynamicsChangeEvent {
  /** Dedup key for the inbox: the step execution's `OperationId` (else `RequestId`). */
  id: string;
  message: 'Create' | 'Update' | 'Delete' | string;
  /** Logical name, e.g. `opportunity`. */
  entity: string;
  recordId: string;
  /** The Target's attributes: for Update, only the changed ones. */
  changed: Record<string, DynamicsValue>;
  /** The first post image's attributes, when the step registered one. */
  postImage: Record<string, DynamicsValue> | undefined;
  /** Row version (`versionnumber`) from the post image or Target; a lower one is stale. */
  version: number | undefined;
  /** When the operation ran, epoch ms. */
  occurredAt: number | undefined;
  correlationId: string | undefined;
  /** The step that sent it (`OwningExtension.Id`). */
  stepId: string | undefined;
}

/** A delivery as the receiving server has it. */
export interface DynamicsDelivery {
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Request URL (path and query), for `?code=`. */
  url: string;
  rawBody: string;
}

/** Verifies and parses deliveries for one webhook registration. */
export class DynamicsWebhookVerifier {
  readonly #keys: readonly Buffer[];
  readonly #auth: DynamicsWebhookAuth;

  constructor(options: DynamicsWebhookOptions) {
    if (options.keys.length === 0 || options.keys.some((k) => k === '')) {
      throw new InterlockError('validation', 'a Dynamics 365 webhook verifier needs at least one non-empty key', { details: { field: 'keys' } });
    }
    this.#keys = options.keys.map((k) => Buffer.from(k));
    this.#auth = options.auth ?? { kind: 'webhook-key' };
  }

  /** The event of a genuine delivery; `auth` for a missing or wrong key, `validation` for a body that is not an execution context. */
  verify(delivery: DynamicsDelivery): DynamicsChangeEvent {
    const presented = this.#presented(delivery);
    const given = Buffer.from(presented ?? '');
    if (presented === undefined || !this.#keys.some((k) => k.length === given.length && timingSafeEqual(k, given))) {
      throw new InterlockError('auth', 'Dynamics 365 webhook: the key is missing or wrong', { details: { vendor: 'dynamics' } });
    }
    return parseExecutionContext(delivery.rawBody);
  }

  #presented(delivery: DynamicsDelivery): string | undefined {
    const auth = this.#auth;
    if (auth.kind === 'http-header') {
      const value = delivery.headers[auth.name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    }
    const query = new URL(delivery.url, 'http://receiver.invalid').searchParams;
    return query.get(auth.kind === 'webhook-key' ? 'code' : auth.name) ?? undefined;
  }
}

/** Parses a RemoteExecutionContext body (already verified). */
export function parseExecutionContext(rawBody: string): DynamicsChangeEvent {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw invalid('the body is not JSON');
  }
  const c = json as Record<string, unknown>;
  if (typeof c !== 'object' || c === null || typeof c['MessageName'] !== 'string' || typeof c['PrimaryEntityName'] !== 'string' || typeof c['PrimaryEntityId'] !== 'string') {
    throw invalid('the body is not a RemoteExecutionContext (MessageName, PrimaryEntityName, PrimaryEntityId)');
  }
  const target = pairs(c['InputParameters']).find((p) => p.key === 'Target')?.value as Record<string, unknown> | undefined;
  const image = pairs(c['PostEntityImages'])[0]?.value as Record<string, unknown> | undefined;
  const changed = target !== undefined && Array.isArray(target['Attributes']) ? attributes(target) : {};
  const postImage = image === undefined ? undefined : attributes(image);
  const version = Number(image?.['RowVersion'] ?? target?.['RowVersion']);
  const occurred = /\/Date\((-?\d+)/.exec(String(c['OperationCreatedOn'] ?? ''))?.[1];
  const id = [c['OperationId'], c['RequestId']].find((v): v is string => typeof v === 'string' && v !== '' && !/^0{8}-/.test(v));
  if (id === undefined) throw invalid('the context has neither OperationId nor RequestId');
  const extension = c['OwningExtension'] as { Id?: unknown } | null | undefined;
  return {
    id,
    message: c['MessageName'],
    entity: c['PrimaryEntityName'],
    recordId: c['PrimaryEntityId'].toLowerCase(),
    changed,
    postImage,
    version: Number.isFinite(version) ? version : undefined,
    occurredAt: occurred === undefined ? undefined : Number(occurred),
    correlationId: typeof c['CorrelationId'] === 'string' ? c['CorrelationId'] : undefined,
    stepId: typeof extension?.Id === 'string' ? extension.Id : undefined,
  };
}

function pairs(value: unknown): Array<{ key: string; value: unknown }> {
  return Array.isArray(value) ? value.filter((p): p is { key: string; value: unknown } => typeof p === 'object' && p !== null && typeof (p as { key?: unknown }).key === 'string') : [];
}

function attributes(entity: Record<string, unknown>): Record<string, DynamicsValue> {
  const out: Record<string, DynamicsValue> = {};
  for (const { key, value } of pairs(entity['Attributes'])) out[key] = plain(value);
  return out;
}

function plain(value: unknown): DynamicsValue {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value as DynamicsValue;
  if (typeof value === 'string') {
    const date = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(value);
    return date?.[1] === undefined ? value : new Date(Number(date[1])).toISOString();
  }
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const type = typeof v['__type'] === 'string' ? v['__type'].split(':')[0] : undefined;
    if ((type === 'Money' || type === 'OptionSetValue') && typeof v['Value'] === 'number') return v['Value'];
    if (type === 'EntityReference' && typeof v['Id'] === 'string' && typeof v['LogicalName'] === 'string') return { id: v['Id'].toLowerCase(), logicalName: v['LogicalName'] };
  }
  return JSON.stringify(value);
}

function invalid(why: string): InterlockError {
  return new InterlockError('validation', `Dynamics 365 webhook: ${why}`, { details: { vendor: 'dynamics' } });
}
