/**
 * S/4HANA business events as SAP Event Mesh pushes them to a webhook: CloudEvents 1.0, structured
 * (`application/cloudevents+json`, the envelope in the body) or binary (`ce-*` headers, `data` as
 * the body). The webhook is authenticated by what the subscription was given to send — here a
 * shared `Authorization` (or other header) value, compared in constant time. Each event becomes a
 * typed notification naming the document; the document itself is read through the API (events
 * carry keys only). Unknown types are kept as `other`, not refused, so a new subscription type
 * does not break the endpoint.
 */
import { timingSafeEqual } from 'node:crypto';
import { InterlockError } from '../../../core/errors.ts';

/** A parsed notification. */
export type SapBusinessEvent =
  | { kind: 'delivery'; action: 'created' | 'changed' | 'goods-issued' | 'deleted'; deliveryDocument: string; id: string; type: string; time: string | undefined }
  | { kind: 'billing'; action: 'created' | 'changed' | 'cancelled'; billingDocument: string; id: string; type: string; time: string | undefined }
  | { kind: 'sales-order'; action: 'created' | 'changed' | 'deleted'; salesOrder: string; id: string; type: string; time: string | undefined }
  | { kind: 'other'; id: string; type: string; time: string | undefined; data: unknown };

/** A delivery as the receiving server has it. */
export interface EventMeshDelivery {
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  rawBody: string;
}

/** Options of {@link EventMeshReceiver}. */
export interface EventMeshOptions {
  /** Accepted values of the authentication header; more than one while rolling. */
  secrets: readonly string[];
  /** @default 'authorization' */
  header?: string;
}

const ACTIONS: Record<string, string> = { Created: 'created', Changed: 'changed', GoodsIssued: 'goods-issued', Deleted: 'deleted', Cancelled: 'cancelled' };
const TYPE = /^sap\.s4\.beh\.(salesorder|outbounddelivery|billingdocument)\.v\d+\.\w+\.(\w+)\.v\d+$/;

/** Verifies and parses Event Mesh webhook deliveries. */
export class EventMeshReceiver {
  readonly #secrets: readonly Buffer[];
  readonly #header: string;

  constructor(options: EventMeshOptions) {
    if (options.secrets.length === 0 || options.secrets.some((s) => s === '')) {
      throw new InterlockError('validation', 'an SAP Event Mesh receiver needs at least one non-empty secret', { details: { field: 'secrets' } });
    }
    this.#secrets = options.secrets.map((s) => Buffer.from(s));
    this.#header = (options.header ?? 'authorization').toLowerCase();
  }

  /** The event of a genuine delivery; `auth` for a wrong secret, `validation` for a body that is no CloudEvent. */
  receive(delivery: EventMeshDelivery): SapBusinessEvent {
    const presented = first(delivery.headers[this.#header]);
    const given = Buffer.from(presented ?? '');
    if (!this.#secrets.some((s) => s.length === given.length && timingSafeEqual(s, given))) {
      throw new InterlockError('auth', `SAP event delivery without the expected ${this.#header} header`);
    }
    return parseSapEvent(delivery);
  }
}

/** Parses a CloudEvent (structured or binary mode) without checking who sent it. */
export function parseSapEvent(delivery: EventMeshDelivery): SapBusinessEvent {
  const binaryType = first(delivery.headers['ce-type']);
  let envelope: Record<string, unknown>;
  try {
    const body = delivery.rawBody === '' ? null : (JSON.parse(delivery.rawBody) as unknown);
    envelope = binaryType !== undefined
      ? { specversion: first(delivery.headers['ce-specversion']), type: binaryType, id: first(delivery.headers['ce-id']), time: first(delivery.headers['ce-time']), data: body }
      : (body as Record<string, unknown>);
  } catch {
    throw new InterlockError('validation', 'SAP event body is not JSON');
  }
  if (typeof envelope !== 'object' || envelope === null || envelope['specversion'] !== '1.0' || typeof envelope['type'] !== 'string' || typeof envelope['id'] !== 'string') {
    throw new InterlockError('validation', 'SAP event is not a CloudEvent 1.0 (specversion, type and id are required)');
  }
  const type = envelope['type'];
  const id = envelope['id'];
  const time = typeof envelope['time'] === 'string' ? envelope['time'] : undefined;
  const data = (envelope['data'] ?? {}) as Record<string, unknown>;
  const match = TYPE.exec(type);
  const action = match === null ? undefined : ACTIONS[match[2] ?? ''];
  const key = (name: string): string | undefined => (typeof data[name] === 'string' && data[name] !== '' ? (data[name] as string) : undefined);
  if (match !== null && action !== undefined) {
    if (match[1] === 'outbounddelivery' && key('OutboundDelivery') && action !== 'cancelled') return { kind: 'delivery', action: action as 'created', deliveryDocument: key('OutboundDelivery') as string, id, type, time };
    if (match[1] === 'billingdocument' && key('BillingDocument') && ['created', 'changed', 'cancelled'].includes(action)) return { kind: 'billing', action: action as 'created', billingDocument: key('BillingDocument') as string, id, type, time };
    if (match[1] === 'salesorder' && key('SalesOrder') && ['created', 'changed', 'deleted'].includes(action)) return { kind: 'sales-order', action: action as 'created', salesOrder: key('SalesOrder') as string, id, type, time };
  }
  return { kind: 'other', id, type, time, data };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
